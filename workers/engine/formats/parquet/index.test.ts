/**
 * Tests of the Parquet reader on real Parquet files, written by hyparquet-writer (with explicit
 * schemas for the logical types, several row groups, required and optional columns, and pages
 * compressed by node's own zlib), and on bytes that are not Parquet or are damaged.
 */
import fc from 'fast-check';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { valueAt, type ColumnData, type ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import { readParquet } from './index.ts';

type WriteOptions = Parameters<typeof parquetWriteBuffer>[0];
type SchemaElement = NonNullable<WriteOptions['schema']>[number];

function cellsOf(data: ColumnData) {
  return Array.from({ length: data.length }, (_, row) => valueAt(data, row));
}

function columnOf(table: ColumnTable, name: string): ColumnData {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`no column ${name}`);
  return column.data;
}

async function errorOf(run: () => Promise<unknown>): Promise<EngineError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected an EngineError');
}

/** A file of the columns, each with its schema element (optional unless said otherwise). */
function fileOf(
  columns: { name: string; data: unknown[]; element: Omit<SchemaElement, 'name'> }[],
  options: Partial<WriteOptions> = {},
): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: columns.map(({ name, data }) => ({ name, data: data as never })),
    schema: [
      { name: 'root', num_children: columns.length },
      ...columns.map(({ name, element }) => ({
        name,
        repetition_type: 'OPTIONAL' as const,
        ...element,
      })),
    ],
    ...options,
  });
}

describe('readParquet: types', () => {
  it('reads every flat type into the documented column type', async () => {
    const bytes = fileOf([
      { name: 'count', data: [1, null, -3], element: { type: 'INT32' } },
      {
        name: 'tiny',
        data: [1, 2, 3],
        element: { type: 'INT32', converted_type: 'INT_8', repetition_type: 'REQUIRED' },
      },
      {
        name: 'unsigned',
        data: [4_000_000_000, 0, null],
        element: { type: 'INT32', converted_type: 'UINT_32' },
      },
      { name: 'reads', data: [10n, null, -(2n ** 40n)], element: { type: 'INT64' } },
      { name: 'signal', data: [0.5, -1.25, null], element: { type: 'FLOAT' } },
      { name: 'dose', data: [0.1, null, 1e300], element: { type: 'DOUBLE' } },
      { name: 'ok', data: [true, null, false], element: { type: 'BOOLEAN' } },
      {
        name: 'well',
        data: ['A1', 'α', null],
        element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
      },
      {
        name: 'day',
        data: [new Date(0), null, new Date(86_400_000 * 19_000)],
        element: { type: 'INT32', converted_type: 'DATE' },
      },
      {
        name: 'at_ms',
        data: [new Date(1_500), new Date(-1_000), null],
        element: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
      },
      {
        name: 'at_us',
        data: [1_500n, null, 2n],
        element: {
          type: 'INT64',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
        },
      },
      {
        name: 'at_ns',
        data: [1_000_000n, 5_000n, null],
        element: {
          type: 'INT64',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' },
        },
      },
      {
        name: 'price',
        data: [123.45, null, -0.5],
        element: { type: 'INT32', converted_type: 'DECIMAL', scale: 2, precision: 9 },
      },
      {
        name: 'doc',
        data: [{ a: 1 }, null, [1, 'x']],
        element: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
      },
    ]);
    const { table, warnings } = await readParquet(bytes);
    expect(warnings).toEqual([]);
    expect(table.length).toBe(3);
    const expected: Record<string, [string, unknown[]]> = {
      count: ['int', [1, null, -3]],
      tiny: ['int', [1, 2, 3]],
      unsigned: ['int', [4_000_000_000, 0, null]],
      reads: ['int', [10, null, -(2 ** 40)]],
      signal: ['float', [0.5, -1.25, null]],
      dose: ['float', [0.1, null, 1e300]],
      ok: ['bool', [true, null, false]],
      well: ['category', ['A1', 'α', null]],
      day: ['date', [0, null, 19_000]],
      at_ms: ['datetime', [1_500, -1_000, null]],
      at_us: ['datetime', [1.5, null, 0.002]],
      at_ns: ['datetime', [1, 0.005, null]],
      price: ['float', [123.45, null, -0.5]],
      doc: ['category', ['{"a":1}', null, '[1,"x"]']],
    };
    expect(table.columns.map((column) => column.name)).toEqual(Object.keys(expected));
    for (const [name, [type, cells]] of Object.entries(expected)) {
      expect([name, columnOf(table, name).type, cellsOf(columnOf(table, name))]).toEqual([
        name,
        type,
        cells,
      ]);
    }
  });

  it('holds required numbers in the typed array of their type', async () => {
    const bytes = fileOf([
      { name: 'n', data: [1, 2, 3], element: { type: 'INT32', repetition_type: 'REQUIRED' } },
      { name: 'f', data: [1.5, 2.5, 3.5], element: { type: 'FLOAT', repetition_type: 'REQUIRED' } },
      { name: 'big', data: [1n, 2n, 3n], element: { type: 'INT64', repetition_type: 'REQUIRED' } },
    ]);
    const { table } = await readParquet(bytes);
    const arrays = table.columns.map((column) =>
      column.data.kind === 'number' ? column.data.values.constructor : null,
    );
    expect(arrays).toEqual([Int32Array, Float32Array, Float64Array]);
    expect(table.columns.every((column) => column.data.validity === null)).toBe(true);
  });

  it('makes repeating strings a category and unique ones plain text', async () => {
    const rows = 5_000;
    const bytes = fileOf(
      [
        {
          name: 'plate',
          data: Array.from({ length: rows }, (_, row) => `plate ${row % 12}`),
          element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
        },
        {
          name: 'id',
          data: Array.from({ length: rows }, (_, row) => `sample-${row}`),
          element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
        },
      ],
      { rowGroupSize: 1_000 },
    );
    const { table } = await readParquet(bytes);
    expect(columnOf(table, 'plate').type).toBe('category');
    expect(columnOf(table, 'id').type).toBe('string');
    expect(valueAt(columnOf(table, 'plate'), 4_999)).toBe('plate 7');
    expect(valueAt(columnOf(table, 'id'), 4_321)).toBe('sample-4321');
  });

  it('warns when 64-bit integers pass 2^53 or nanoseconds are dropped', async () => {
    const bytes = fileOf([
      { name: 'n', data: [1n, 2n ** 60n + 1n], element: { type: 'INT64' } },
      {
        name: 't',
        data: [1_000_001n, 0n],
        element: {
          type: 'INT64',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' },
        },
      },
      {
        name: 'wide',
        data: [1.5, 2],
        element: {
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: 16,
          converted_type: 'DECIMAL',
          scale: 3,
          precision: 30,
        },
      },
    ]);
    const { table, warnings } = await readParquet(bytes);
    expect(cellsOf(columnOf(table, 'n'))).toEqual([1, 2 ** 60]);
    expect(cellsOf(columnOf(table, 'wide'))).toEqual([1.5, 2]);
    expect(warnings.map((warning) => [warning.column, warning.kind])).toEqual([
      ['wide', 'precision-lost'],
      ['n', 'precision-lost'],
      ['t', 'precision-lost'],
    ]);
    expect(warnings[1]!.message).toContain('row 2');
  });

  it('keeps lists and structs as JSON text, with a warning', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'tags', data: [[1, 2], null, []] },
        { name: 'point', data: [{ x: 1, y: 2 }, null, { x: 3, y: null }] },
      ],
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'INT32', repetition_type: 'OPTIONAL' },
        { name: 'point', repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'x', type: 'INT32', repetition_type: 'OPTIONAL' },
        { name: 'y', type: 'INT32', repetition_type: 'OPTIONAL' },
      ],
    });
    const { table, warnings } = await readParquet(bytes);
    expect(table.columns.map((column) => column.name)).toEqual(['tags', 'point']);
    expect(cellsOf(columnOf(table, 'tags'))).toEqual(['[1,2]', null, '[]']);
    expect(cellsOf(columnOf(table, 'point'))).toEqual(['{"x":1,"y":2}', null, '{"x":3,"y":null}']);
    expect(warnings.map((warning) => [warning.column, warning.kind])).toEqual([
      ['tags', 'type-widened'],
      ['point', 'type-widened'],
    ]);
  });

  it('reads raw fixed-length bytes as hex, UUIDs and FLOAT16 as their values', async () => {
    const bytes = fileOf([
      {
        name: 'raw',
        data: [new Uint8Array([0, 255]), null],
        element: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 2 },
      },
      {
        name: 'uuid',
        data: ['00112233-4455-6677-8899-aabbccddeeff', null],
        element: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } },
      },
      {
        name: 'half',
        data: [1.5, null],
        element: {
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: 2,
          logical_type: { type: 'FLOAT16' },
        },
      },
    ]);
    const { table, warnings } = await readParquet(bytes);
    expect(cellsOf(columnOf(table, 'raw'))).toEqual(['00ff', null]);
    expect(cellsOf(columnOf(table, 'uuid'))).toEqual([
      '00112233-4455-6677-8899-aabbccddeeff',
      null,
    ]);
    expect(cellsOf(columnOf(table, 'half'))).toEqual([1.5, null]);
    expect(warnings.map((warning) => [warning.column, warning.kind])).toEqual([
      ['raw', 'type-widened'],
    ]);
  });

  it('replaces invalid UTF-8 and says so', async () => {
    const bytes = fileOf([
      {
        name: 'name',
        data: [new Uint8Array([0x61, 0xff]), new Uint8Array([0x62])],
        element: { type: 'BYTE_ARRAY' },
      },
    ]);
    const { table, warnings } = await readParquet(bytes);
    expect(cellsOf(columnOf(table, 'name'))).toEqual(['a\ufffd', 'b']);
    expect(warnings.map((warning) => warning.kind)).toEqual(['invalid-utf8']);
  });
});

/**
 * A zstd frame of raw (stored) blocks: the format exactly, without compressing, which the tests
 * do not need (real compressed frames are in `decompressors.test.ts`).
 */
function zstdStored(input: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(input.length / 131_072));
  const out = new Uint8Array(9 + blocks * 3 + input.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xfd2fb528, true);
  out[4] = 0xa0; // single segment, 4-byte content size
  view.setUint32(5, input.length, true);
  let at = 9;
  for (let block = 0; block < blocks; block++) {
    const piece = input.subarray(block * 131_072, (block + 1) * 131_072);
    const header = (piece.length << 3) | (block === blocks - 1 ? 1 : 0);
    out[at] = header & 0xff;
    out[at + 1] = (header >> 8) & 0xff;
    out[at + 2] = (header >> 16) & 0xff;
    out.set(piece, at + 3);
    at += 3 + piece.length;
  }
  return out;
}

/** An LZ4 block, greedy, with real matches (the format's rules for the last bytes kept). */
function lz4Block(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  const length = (value: number) => {
    for (; value >= 255; value -= 255) out.push(255);
    out.push(value);
  };
  const emit = (from: number, to: number, offset: number, match: number) => {
    const literals = to - from;
    out.push((Math.min(literals, 15) << 4) | (match > 0 ? Math.min(match - 4, 15) : 0));
    if (literals >= 15) length(literals - 15);
    for (let k = from; k < to; k++) out.push(input[k]!);
    if (match === 0) return;
    out.push(offset & 0xff, offset >> 8);
    if (match - 4 >= 15) length(match - 19);
  };
  const seen = new Map<number, number>();
  let anchor = 0;
  let at = 0;
  while (at < input.length - 12) {
    const key =
      input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16) | (input[at + 3]! << 24);
    const earlier = seen.get(key);
    seen.set(key, at);
    if (earlier === undefined || at - earlier > 65_535) {
      at++;
      continue;
    }
    let match = 4;
    while (at + match < input.length - 5 && input[earlier + match] === input[at + match]) match++;
    emit(anchor, at, at - earlier, match);
    at += match;
    anchor = at;
  }
  emit(anchor, input.length, 0, 0);
  return Uint8Array.from(out);
}

function hadoopLz4(input: Uint8Array): Uint8Array {
  const block = lz4Block(input);
  const out = new Uint8Array(8 + block.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, input.length);
  view.setUint32(4, block.length);
  out.set(block, 8);
  return out;
}

const testCompressors = {
  GZIP: (input: Uint8Array) => gzipSync(input),
  BROTLI: (input: Uint8Array) => brotliCompressSync(input),
  ZSTD: zstdStored,
  LZ4: hadoopLz4,
  LZ4_RAW: lz4Block,
};

describe('readParquet: files as they come', () => {
  const numbers = fc.array(fc.option(fc.double({ noNaN: true }), { nil: null }), {
    minLength: 1,
    maxLength: 300,
  });

  it('reads random columns back exactly, over many row groups and codecs', async () => {
    await fc.assert(
      fc.asyncProperty(
        numbers,
        fc.constantFrom<WriteOptions['codec']>(
          'UNCOMPRESSED',
          'SNAPPY',
          'GZIP',
          'BROTLI',
          'ZSTD',
          'LZ4',
          'LZ4_RAW',
        ),
        fc.integer({ min: 1, max: 64 }),
        fc.integer(),
        async (doses, codec, rowGroupSize, seed) => {
          const length = doses.length;
          const counts = doses.map((_, row) =>
            row % 5 === 3 ? null : (seed ^ (row * 2_654_435_761)) | 0,
          );
          const labels = doses.map((_, row) =>
            row % 7 === 2 ? null : `label ${(seed + row) % 9}`,
          );
          const flags = doses.map((_, row) =>
            row % 4 === 1 ? null : ((seed >> (row & 15)) & 1) === 1,
          );
          const bytes = fileOf(
            [
              { name: 'dose', data: doses, element: { type: 'DOUBLE' } },
              { name: 'count', data: counts, element: { type: 'INT32' } },
              {
                name: 'label',
                data: labels,
                element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
              },
              { name: 'flag', data: flags, element: { type: 'BOOLEAN' } },
            ],
            { codec, rowGroupSize, compressors: testCompressors },
          );
          const progress: number[] = [];
          const { table } = await readParquet(bytes, { onProgress: (rows) => progress.push(rows) });
          expect(table.length).toBe(length);
          expect(cellsOf(columnOf(table, 'dose'))).toEqual(doses);
          expect(cellsOf(columnOf(table, 'count'))).toEqual(counts);
          expect(cellsOf(columnOf(table, 'label'))).toEqual(labels);
          expect(cellsOf(columnOf(table, 'flag'))).toEqual(flags);
          expect(progress.length).toBe(Math.ceil(length / rowGroupSize));
          expect(progress.at(-1)).toBe(length);
          expect(progress).toEqual([...progress].sort((a, b) => a - b));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads every codec it claims, on pages large enough to hold repeats', async () => {
    const rows = 5_000;
    const doses = Array.from({ length: rows }, (_, row) => (row % 11 === 0 ? null : row / 8));
    const labels = Array.from({ length: rows }, (_, row) => `well ${row % 96}`);
    for (const codec of ['ZSTD', 'LZ4', 'LZ4_RAW', 'GZIP', 'BROTLI'] as const) {
      const bytes = fileOf(
        [
          { name: 'dose', data: doses, element: { type: 'DOUBLE' } },
          { name: 'label', data: labels, element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' } },
        ],
        { codec, compressors: testCompressors, rowGroupSize: 2_000 },
      );
      const { table } = await readParquet(bytes);
      expect([codec, cellsOf(columnOf(table, 'dose'))]).toEqual([codec, doses]);
      expect([codec, cellsOf(columnOf(table, 'label'))]).toEqual([codec, labels]);
    }
  });

  it('reads columns of nulls only, of every type, as nulls of their type', async () => {
    const nulls = [null, null, null];
    const bytes = fileOf([
      { name: 'i', data: nulls, element: { type: 'INT32' } },
      { name: 'l', data: nulls, element: { type: 'INT64' } },
      { name: 'f', data: nulls, element: { type: 'FLOAT' } },
      { name: 'd', data: nulls, element: { type: 'DOUBLE' } },
      { name: 'b', data: nulls, element: { type: 'BOOLEAN' } },
      { name: 's', data: nulls, element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' } },
      { name: 'day', data: nulls, element: { type: 'INT32', converted_type: 'DATE' } },
      {
        name: 'at',
        data: nulls,
        element: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
      },
    ]);
    const { table } = await readParquet(bytes);
    expect(table.columns.map((column) => [column.name, column.data.type])).toEqual([
      ['i', 'int'],
      ['l', 'int'],
      ['f', 'float'],
      ['d', 'float'],
      ['b', 'bool'],
      ['s', expect.stringMatching(/^(string|category)$/)],
      ['day', 'date'],
      ['at', 'datetime'],
    ]);
    for (const column of table.columns)
      expect([column.name, cellsOf(column.data)]).toEqual([column.name, nulls]);
  });

  it('reads a file without rows', async () => {
    const bytes = fileOf([{ name: 'n', data: [], element: { type: 'INT32' } }]);
    const { table } = await readParquet(bytes);
    expect(table.length).toBe(0);
    expect(table.columns.map((column) => [column.name, column.data.type])).toEqual([['n', 'int']]);
  });
});

describe('readParquet: refusals', () => {
  const good = fileOf([
    { name: 'n', data: Array.from({ length: 100 }, (_, row) => row), element: { type: 'INT32' } },
    {
      name: 's',
      data: Array.from({ length: 100 }, (_, row) => `v${row}`),
      element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
    },
  ]);

  it('gives a parse_error for bytes that are not Parquet', async () => {
    const csv = new TextEncoder().encode('n,s\n1,a\n').buffer;
    const error = await errorOf(() => readParquet(csv));
    expect(error.code).toBe('parse_error');
    expect(error.message).toContain('not Parquet');
  });

  it('gives a parse_error for a file cut short or overwritten, never a crash', async () => {
    for (const end of [4, 20, good.byteLength - 30, good.byteLength - 1]) {
      const error = await errorOf(() => readParquet(good.slice(0, end)));
      expect([end, error.code]).toEqual([end, 'parse_error']);
    }
    const damaged = new Uint8Array(good.slice(0));
    for (let at = 4; at < 60; at++) damaged[at] = 0xa5;
    expect((await errorOf(() => readParquet(damaged.buffer))).code).toBe('parse_error');
  });

  it('refuses a page header without its sizes, which would make hyparquet read for ever', async () => {
    const metadata = parquetMetadata(good);
    const chunk = metadata.row_groups[0]!.columns[1]!.meta_data!;
    const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
    const damaged = new Uint8Array(good.slice(0));
    damaged[start] = 0;
    const error = await errorOf(() => readParquet(damaged.buffer));
    expect(error.code).toBe('parse_error');
    expect(error.offset).toBe(start);
    expect(error.message).toContain(
      'row group 1, column "s", a page header lacks its type or sizes',
    );
  });

  it('answers damaged bytes anywhere, in any codec, with a table or a parse_error', async () => {
    const files = (['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD', 'LZ4_RAW'] as const).map((codec) =>
      fileOf(
        [
          {
            name: 'n',
            data: Array.from({ length: 300 }, (_, row) => row),
            element: { type: 'INT32' },
          },
          {
            name: 's',
            data: Array.from({ length: 300 }, (_, row) => (row % 5 === 0 ? null : `v${row % 17}`)),
            element: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
          },
        ],
        { codec, compressors: testCompressors, rowGroupSize: 100 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (which, damage) => {
          const bytes = new Uint8Array(files[which]!.slice(0));
          for (const [at, value] of damage) bytes[at % bytes.length] = value;
          try {
            await readParquet(bytes.buffer);
          } catch (error) {
            expect(error).toBeInstanceOf(EngineError);
            expect(['parse_error', 'too_large']).toContain((error as EngineError).code);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('stops with cancelled when the signal fires, before or during the read', async () => {
    const before = new AbortController();
    before.abort();
    expect((await errorOf(() => readParquet(good, { signal: before.signal }))).code).toBe(
      'cancelled',
    );

    const bytes = fileOf(
      [
        {
          name: 'n',
          data: Array.from({ length: 50 }, (_, row) => row),
          element: { type: 'INT32' },
        },
      ],
      { rowGroupSize: 10 },
    );
    const during = new AbortController();
    const seen: number[] = [];
    const error = await errorOf(() =>
      readParquet(bytes, {
        signal: during.signal,
        onProgress: (rows) => {
          seen.push(rows);
          if (rows >= 20) during.abort();
        },
      }),
    );
    expect(error.code).toBe('cancelled');
    expect(seen).toEqual([10, 20]);
  });
});

/**
 * A plugin's result on real Arrow bytes, written by our writer and by Flechette (an Arrow
 * implementation independent of apache-arrow, so the types a plugin's own library writes are
 * tried): valid results are read as views of the bytes and labelled; for every limit, a result
 * just inside it passes and one just past it is refused with its code; damaged, cut and garbage
 * bytes are a `parse_error` (or, for a stream cut between messages, a refused row count), and
 * damage the reader would find only on a column's first read is found here.
 */
import {
  binary,
  decimal,
  dictionary,
  duration,
  float64,
  int32,
  int64,
  list,
  map,
  nullType,
  struct,
  tableFromArrays,
  tableToIPC,
  timeMillisecond,
  timestamp,
  TimeUnit,
  utf8,
  type DataType,
} from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';
import { tableToIpc } from '../arrow/index.ts';
import { valueAt, type ColumnData, type ColumnTable } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import type { EngineErrorCode } from '../protocol.ts';
import { checkResultSize, readResult, RESULT_LIMITS } from './index.ts';

const LABEL = 'enclave.stats';

function floats(values: number[]): ColumnData {
  return {
    kind: 'number',
    type: 'float',
    length: values.length,
    values: Float64Array.from(values),
    validity: null,
  };
}

/** Our own writer's bytes for columns of floats named as given. */
function resultOf(columns: Record<string, number[]>, length = 3): Uint8Array {
  return tableToIpc({
    length,
    columns: Object.entries(columns).map(([name, values]) => ({ name, data: floats(values) })),
  });
}

function wide(count: number): Uint8Array {
  const columns: Record<string, number[]> = {};
  for (let index = 0; index < count; index++) columns[`c${index}`] = [index, index, index];
  return resultOf(columns);
}

function codeOf(run: () => unknown): EngineErrorCode | 'none' {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error.code;
    throw error;
  }
  return 'none';
}

function cells(table: ColumnTable, index: number): unknown[] {
  const { data } = table.columns[index]!;
  return Array.from({ length: data.length }, (_, row) => valueAt(data, row));
}

function flechetteResult(type: DataType, values: unknown[]): Uint8Array {
  return tableToIPC(tableFromArrays({ x: values }, { types: { x: type } }), {
    format: 'stream',
  })!;
}

describe('readResult on valid results', () => {
  it('reads each column as views of the bytes, labelled with the plugin', () => {
    const bytes = resultOf({ mean: [1, 2, 3], sd: [0.5, 0.25, 0] });
    const { table, warnings } = readResult(bytes, { label: LABEL, rows: 3 });
    expect(warnings).toEqual([]);
    expect(table.columns.map((column) => [column.name, column.source])).toEqual([
      ['mean', { plugin: LABEL }],
      ['sd', { plugin: LABEL }],
    ]);
    expect(cells(table, 1)).toEqual([0.5, 0.25, 0]);
    const data = table.columns[0]!.data;
    expect(data.kind === 'number' && data.values.buffer).toBe(bytes.buffer);
  });

  it('takes every plain type a plugin library writes: ints, 64-bit ints, text, categories, dates, timestamps, nulls', () => {
    const bytes = tableToIPC(
      tableFromArrays(
        {
          n: [1, 2, null],
          big: [1n, 2n, 3n],
          x: [0.5, null, 2],
          s: ['a', null, 'c'],
          site: ['p', 'q', 'p'],
          at: [0, 1_000, null],
          gone: [null, null, null],
        },
        {
          types: {
            n: int32(),
            big: int64(),
            x: float64(),
            s: utf8(),
            site: dictionary(utf8(), int32()),
            at: timestamp(TimeUnit.MILLISECOND),
            gone: nullType(),
          },
        },
      ),
      { format: 'stream' },
    )!;
    const { table } = readResult(bytes, { label: LABEL, rows: 3 });
    expect(table.columns.map((column) => column.data.type)).toEqual([
      'int',
      'int',
      'float',
      'string',
      'category',
      'datetime',
      'string',
    ]);
    expect(cells(table, 4)).toEqual(['p', 'q', 'p']);
  });

  it('takes any row count when none is asked for, and the file format too', () => {
    const bytes = tableToIPC(tableFromArrays({ x: [1, 2] }, { types: { x: float64() } }), {
      format: 'file',
    })!;
    expect(readResult(bytes, { label: LABEL }).table.length).toBe(2);
  });

  it('renames a repeated name within the result, with a warning', () => {
    const bytes = tableToIpc({
      length: 1,
      columns: [
        { name: 'x', data: floats([1]) },
        { name: 'x', data: floats([2]) },
      ],
    });
    const { table, warnings } = readResult(bytes, { label: LABEL });
    expect(table.columns.map((column) => column.name)).toEqual(['x', 'x_2']);
    expect(warnings.map((warning) => warning.kind)).toEqual(['renamed']);
  });
});

describe('readResult limits', () => {
  it('takes 64 columns and refuses none or 65', () => {
    expect(readResult(wide(RESULT_LIMITS.maxColumns), { label: LABEL }).table.columns).toHaveLength(
      64,
    );
    expect(codeOf(() => readResult(wide(65), { label: LABEL }))).toBe('invalid_request');
    expect(codeOf(() => readResult(tableToIpc({ length: 3, columns: [] }), { label: LABEL }))).toBe(
      'invalid_request',
    );
  });

  it('refuses a row count other than the table has', () => {
    const bytes = resultOf({ x: [1, 2, 3] });
    expect(codeOf(() => readResult(bytes, { label: LABEL, rows: 3 }))).toBe('none');
    for (const rows of [0, 2, 4]) {
      expect(codeOf(() => readResult(bytes, { label: LABEL, rows }))).toBe('invalid_request');
    }
  });

  it('takes names of 1 to 200 characters and refuses blank, longer and control-character names', () => {
    expect(
      codeOf(() => readResult(resultOf({ ['n'.repeat(200)]: [1, 2, 3] }), { label: LABEL })),
    ).toBe('none');
    for (const name of ['', 'n'.repeat(201), 'a\nb', 'tab\there', 'bell\u0007', 'c1\u009b']) {
      expect(codeOf(() => readResult(resultOf({ [name]: [1, 2, 3] }), { label: LABEL }))).toBe(
        'invalid_request',
      );
    }
  });

  it('refuses more bytes than maxBytes, and more than 256 MiB by default, before reading them', () => {
    const bytes = resultOf({ x: [1, 2, 3] });
    expect(codeOf(() => readResult(bytes, { label: LABEL, maxBytes: bytes.byteLength }))).toBe(
      'none',
    );
    expect(codeOf(() => readResult(bytes, { label: LABEL, maxBytes: bytes.byteLength - 1 }))).toBe(
      'too_large',
    );
    expect(codeOf(() => checkResultSize(RESULT_LIMITS.maxBytes, LABEL))).toBe('none');
    expect(codeOf(() => checkResultSize(RESULT_LIMITS.maxBytes + 1, LABEL))).toBe('too_large');
    // Garbage past the limit is refused for its size: the reader never sees it.
    expect(codeOf(() => readResult(new Uint8Array(100), { label: LABEL, maxBytes: 99 }))).toBe(
      'too_large',
    );
  });

  it.each<[string, DataType, unknown[]]>([
    ['a list', list(int32()), [[1], [], null]],
    ['a struct', struct({ a: int32() }), [{ a: 1 }, null, { a: 2 }]],
    ['a map', map(utf8(), int32()), [[['k', 1]], null, []]],
    ['binary', binary(), [new Uint8Array([1]), null, new Uint8Array(0)]],
    ['a decimal', decimal(9, 2), [1.5, 2, null]],
    ['a time of day', timeMillisecond(), [1_000, null, 0]],
    ['a duration', duration(TimeUnit.MILLISECOND), [1, 2, null]],
    ['a dictionary of binary', dictionary(binary()), [new Uint8Array([1]), null, null]],
  ])('refuses %s column as type_mismatch', (_name, type, values) => {
    expect(codeOf(() => readResult(flechetteResult(type, values), { label: LABEL, rows: 3 }))).toBe(
      'type_mismatch',
    );
  });
});

describe('readResult on hostile bytes', () => {
  it('gives a parse_error for garbage, emptiness and a stream marker followed by junk', () => {
    for (const bytes of [
      new Uint8Array(0),
      new TextEncoder().encode('{"mean": [1, 2, 3]}'),
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3),
      Uint8Array.from({ length: 4096 }, (_, at) => (at * 7919) & 0xff),
    ]) {
      expect(codeOf(() => readResult(bytes, { label: LABEL, rows: 3 }))).toBe('parse_error');
    }
  });

  it('refuses a result cut at any byte: parse_error, or the rows before the cut refused', () => {
    const whole = resultOf({ mean: [1, 2, 3], sd: [4, 5, 6] });
    const codes = new Set<string>();
    for (let end = 0; end < whole.byteLength; end++) {
      const cut = whole.slice(0, end);
      const code = codeOf(() => readResult(cut, { label: LABEL, rows: 3 }));
      // Only the end-of-stream marker is optional; cut there, every row is still in the result.
      if (code === 'none') expect(end).toBeGreaterThanOrEqual(whole.byteLength - 8);
      else codes.add(code);
    }
    expect([...codes].sort()).toEqual(['invalid_request', 'parse_error']);
  });

  it('finds codes past their dictionary now, not on the first query', () => {
    const bytes = tableToIpc({
      length: 2,
      columns: [
        {
          name: 'site',
          data: {
            kind: 'dict',
            type: 'category',
            length: 2,
            codes: Int32Array.of(0, 7),
            dictionary: ['a'],
            validity: null,
          },
        },
      ],
    });
    expect(codeOf(() => readResult(bytes, { label: LABEL, rows: 2 }))).toBe('parse_error');
  });

  it('finds string offsets that go backwards now, not on the first query', () => {
    const bytes = tableToIpc({
      length: 3,
      columns: [
        {
          name: 'name',
          data: {
            kind: 'utf8',
            type: 'string',
            length: 3,
            offsets: Int32Array.of(0, 3, 1, 4),
            bytes: new TextEncoder().encode('abcd'),
            validity: null,
          },
        },
      ],
    });
    expect(codeOf(() => readResult(bytes, { label: LABEL, rows: 3 }))).toBe('parse_error');
  });
});

/**
 * Tests of the JSON lines reader: lines split across chunks anywhere, the union of keys, inferred
 * types and mixed ones, nested values, blank lines, BOM and CRLF, invalid UTF-8, errors that name
 * their line and column, progress and cancellation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueAt, type ColumnData, type ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import { chunksOf, readChunks } from '../../sources/read-chunks.ts';
import { readJsonLines, type ReadJsonLinesOptions } from './index.ts';

const encoder = new TextEncoder();
const DAY = 86_400_000;

function read(input: string | Uint8Array, chunkBytes = 7, options: ReadJsonLinesOptions = {}) {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return readJsonLines(chunksOf(bytes, chunkBytes), options);
}

function cellsOf(data: ColumnData): unknown[] {
  return Array.from({ length: data.length }, (_, row) => valueAt(data, row));
}

function columnsOf(table: ColumnTable): Record<string, unknown[]> {
  return Object.fromEntries(table.columns.map((column) => [column.name, cellsOf(column.data)]));
}

function typesOf(table: ColumnTable): Record<string, string> {
  return Object.fromEntries(table.columns.map((column) => [column.name, column.data.type]));
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

async function* cutAt(bytes: Uint8Array, cuts: readonly number[]) {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > from) yield bytes.subarray(from, cut);
    from = Math.max(from, cut);
  }
}

async function outcome(chunks: AsyncIterable<Uint8Array>) {
  try {
    const { table, warnings, warningCount } = await readJsonLines(chunks);
    return { columns: columnsOf(table), types: typesOf(table), warnings, warningCount };
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return { error: error.toData() };
  }
}

describe('readJsonLines: columns and types', () => {
  it('joins lines split across chunks and infers types', async () => {
    const text = [
      '{"id": 1, "dose": 0.5, "ok": true, "day": "2024-05-31", "tag": {"a": 1}}',
      '{"id": 2, "dose": 2, "ok": false, "day": "2024-06-01", "extra": "x"}',
      '',
      '{"id": 3, "dose": null, "ok": true, "day": "2024-06-02"}',
    ].join('\n');
    const { table } = await read(text);
    expect(table.length).toBe(3);
    expect(typesOf(table)).toEqual({
      id: 'int',
      dose: 'float',
      ok: 'bool',
      day: 'date',
      tag: 'category',
      extra: 'category',
    });
    expect(columnsOf(table)).toEqual({
      id: [1, 2, 3],
      dose: [0.5, 2, null],
      ok: [true, false, true],
      day: [Date.UTC(2024, 4, 31) / DAY, Date.UTC(2024, 5, 1) / DAY, Date.UTC(2024, 5, 2) / DAY],
      tag: ['{"a":1}', null, null],
      extra: [null, 'x', null],
    });
  });

  it('gives keys missing from a row, or first seen late, null', async () => {
    const { table } = await read('{"a": 1}\n{"b": "x"}\n{"a": 3, "c": false}\n{}\n');
    expect(columnsOf(table)).toEqual({
      a: [1, null, 3, null],
      b: [null, 'x', null, null],
      c: [null, null, false, null],
    });
  });

  it('keeps nested objects and arrays as JSON text, warning once per column', async () => {
    const { table, warnings } = await read('{"v": [1, {"x": "y"}]}\n{"v": {"k": null}}\n');
    expect(columnsOf(table).v).toEqual(['[1,{"x":"y"}]', '{"k":null}']);
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['type-widened', 1, 'v'],
    ]);
  });

  it('makes mixed columns text, writing out what they held, and names the line', async () => {
    const text = '{"m": 1}\n{"m": 2.5}\n{"m": "high"}\n{"m": true}\n{"b": true}\n{"b": 0}\n';
    const { table, warnings } = await read(text);
    expect(columnsOf(table)).toEqual({
      m: ['1', '2.5', 'high', 'true', null, null],
      b: [null, null, null, null, 'true', '0'],
    });
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['type-widened', 3, 'm'],
      ['type-widened', 6, 'b'],
    ]);
  });

  it('reads ints, floats beyond int32, and warns for whole numbers beyond 2^53', async () => {
    const { table, warnings } = await read(
      '{"i": 1, "w": 2147483648, "h": 1}\n{"i": -2, "w": 1, "h": 9007199254740993}\n',
    );
    expect(typesOf(table)).toEqual({ i: 'int', w: 'int', h: 'int' });
    expect(columnsOf(table)).toEqual({
      i: [1, -2],
      w: [2_147_483_648, 1],
      h: [1, 9_007_199_254_740_992],
    });
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['precision-lost', 2, 'h'],
    ]);
  });

  it('reads ISO date-times with zones; a string that is not one makes the column text', async () => {
    const { table } = await read(
      '{"t": "2024-05-31T12:00:00+02:00", "d": "2024-05-31"}\n{"t": "2024-05-31 12:00", "d": "soon"}\n',
    );
    expect(typesOf(table)).toEqual({ t: 'datetime', d: 'category' });
    expect(columnsOf(table).t).toEqual([Date.UTC(2024, 4, 31, 10), Date.UTC(2024, 4, 31, 12)]);
  });

  it('reads a column of nulls only as text without values', async () => {
    const { table } = await read('{"n": null}\n{"n": null}\n');
    expect(typesOf(table)).toEqual({ n: 'string' });
    expect(columnsOf(table)).toEqual({ n: [null, null] });
  });

  it('takes the last of a repeated key, and keys that look special as plain names', async () => {
    const { table } = await read('{"a": 1, "a": 2, "__proto__": "p", "constructor": 1}\n');
    expect(table.columns.map((column) => [column.name, cellsOf(column.data)])).toEqual([
      ['a', [2]],
      ['__proto__', ['p']],
      ['constructor', [1]],
    ]);
  });
});

describe('readJsonLines: lines', () => {
  it('skips blank and whitespace-only lines but counts them', async () => {
    const error = await errorOf(() => read('\n{"a": 1}\n   \n\t\n{"a": }\n'));
    expect([error.code, error.line]).toEqual(['parse_error', 5]);
  });

  it('reads CRLF line ends, a BOM and a last line without a line end', async () => {
    const { table } = await read('\ufeff{"a": 1}\r\n{"a": 2}\r\n\r\n{"a": 3}', 1);
    expect(columnsOf(table)).toEqual({ a: [1, 2, 3] });
  });

  it('skips a BOM at the start of any line, as files joined with cat have', async () => {
    for (const size of [1, 2, 3, 100]) {
      const { table } = await read('\ufeff{"a": 1}\n\ufeff{"a": 2}\n\ufeff\n', size);
      expect(columnsOf(table)).toEqual({ a: [1, 2] });
    }
  });

  it('reads an empty file, or one of blank lines, as an empty table', async () => {
    for (const text of ['', '\n\n', '\ufeff', '\r\n  \r\n']) {
      const { table } = await read(text);
      expect(table).toEqual({ columns: [], length: 0 });
    }
  });

  it('replaces invalid UTF-8 and warns once, naming the first line that holds it', async () => {
    const bytes = new Uint8Array([
      ...encoder.encode('{"s": "ok"}\n{"s": "a'),
      0xff,
      ...encoder.encode('b"}\n{"s": "'),
      0xc3,
      ...encoder.encode('"}\n'),
    ]);
    const { table, warnings } = await read(bytes);
    expect(columnsOf(table).s).toEqual(['ok', 'a\ufffdb', '\ufffd']);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([['invalid-utf8', 2]]);
  });
});

describe('readJsonLines: malformed lines', () => {
  it('names the line and column where a line stops being JSON', async () => {
    const error = await errorOf(() => read('{"a": 1}\n\n{"a": tru}\n{"a": 2}\n'));
    expect(error.code).toBe('parse_error');
    expect([error.line, error.column]).toEqual([3, 7]);
    expect(error.message).toBe('Line 3 is not valid JSON: unexpected "t" (column 7).');
  });

  it('names what is wrong: an unclosed string, a missing comma, text after the object', async () => {
    const cases: [string, number, string][] = [
      ['{"a": "open}', 7, 'a string is not closed'],
      ['{"a": 1 "b": 2}', 9, 'unexpected """ where "," or "}" should be'],
      ['{"a": 1} x', 10, 'unexpected "x" after the end of the value'],
      ['{"a": 1', 8, 'the line ends too early where "," or "}" should be'],
    ];
    for (const [line, column, problem] of cases) {
      const error = await errorOf(() => read(`${line}\n`));
      expect([line, error.line, error.column, error.message]).toEqual([
        line,
        1,
        column,
        `Line 1 is not valid JSON: ${problem} (column ${column}).`,
      ]);
    }
  });

  it('refuses a line longer than it reads, naming it, before holding more of it', async () => {
    async function* endless() {
      yield encoder.encode('{"a": 1}\n{"a": "');
      const piece = new Uint8Array(1024 * 1024).fill(0x78);
      for (let k = 0; k < 80; k++) yield piece;
    }
    const error = await errorOf(() => readJsonLines(endless()));
    expect([error.code, error.line]).toEqual(['parse_error', 2]);
    expect(error.message).toContain('64 MiB');
  });

  it('refuses a line that holds JSON but not an object', async () => {
    for (const [line, what] of [
      ['[1, 2]', 'an array'],
      ['  42', 'a number'],
      ['"text"', 'a string'],
      ['true', 'true or false'],
      ['null', 'null'],
    ]) {
      const error = await errorOf(() => read(`{"a": 1}\n${line}\n`));
      expect([error.code, error.line, error.column]).toEqual([
        'parse_error',
        2,
        line!.search(/\S/) + 1,
      ]);
      expect(error.message).toContain(`holds ${what}, not an object`);
    }
  });

  it('answers random bytes with a table or a parse_error, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (bytes) => {
        const result = await outcome(chunksOf(bytes, 5));
        if (result.error !== undefined) expect(result.error.code).toBe('parse_error');
      }),
      { numRuns: 300 },
    );
  });
});

describe('readJsonLines: chunk boundaries', () => {
  const line = fc
    .dictionary(
      fc.constantFrom('a', 'b', 'é', '😀', 'long key'),
      fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.constantFrom('2024-05-31', '2024-05-31T12:00:00Z', '\ufeff', 'a\r\nb'),
        fc.array(fc.integer(), { maxLength: 2 }),
      ),
      { maxKeys: 3 },
    )
    .map((record) => JSON.stringify(record));
  const file = fc
    .record({
      lines: fc.array(fc.oneof(line, fc.constantFrom('', '  ', '{"a": }', '[1]')), {
        maxLength: 12,
      }),
      lineEnd: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      lineBom: fc.boolean(),
    })
    .map(({ lines, lineEnd, bom, lineBom }) =>
      encoder.encode(
        `${bom ? '\ufeff' : ''}${lines.map((text, index) => (lineBom && index === 1 ? `\ufeff${text}` : text)).join(lineEnd)}`,
      ),
    );

  it('reads the same table, warnings or error however the file is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        file.chain((bytes) =>
          fc.tuple(
            fc.constant(bytes),
            fc
              .uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), {
                maxLength: 10,
              })
              .map((cuts) => cuts.sort((a, b) => a - b)),
          ),
        ),
        async ([bytes, cuts]) => {
          const whole = await outcome(cutAt(bytes, []));
          expect(await outcome(cutAt(bytes, cuts))).toEqual(whole);
          expect(await outcome(chunksOf(bytes, 1))).toEqual(whole);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('readJsonLines: from a file', () => {
  it('reads a file through its stream, whose buffer is read into again, as bytes in hand', async () => {
    const lines = Array.from({ length: 40_000 }, (_, row) =>
      JSON.stringify({ row, tag: `t${row % 9}` }),
    );
    const bytes = encoder.encode(lines.join('\n'));
    const fromFile = await outcome(readChunks(new Blob([bytes])));
    expect(fromFile).toEqual(await outcome(chunksOf(bytes)));
    expect(fromFile).toMatchObject({ warningCount: 0 });
  });
});

describe('readJsonLines: progress and cancellation', () => {
  const bytes = encoder.encode('{"a": 1, "b": "x"}\n'.repeat(2_000));

  it('tells progress after each chunk, never going back, ending at the totals', async () => {
    const seen: [number, number][] = [];
    const { table } = await read(bytes, 1_000, {
      onProgress: (bytesRead, rows) => seen.push([bytesRead, rows]),
    });
    for (let k = 1; k < seen.length; k++) {
      expect(seen[k]![0]).toBeGreaterThanOrEqual(seen[k - 1]![0]);
      expect(seen[k]![1]).toBeGreaterThanOrEqual(seen[k - 1]![1]);
    }
    expect(seen.at(-1)).toEqual([bytes.length, 2_000]);
    expect(table.length).toBe(2_000);
  });

  it('stops with cancelled when the signal fires, before or during the read', async () => {
    const before = new AbortController();
    before.abort();
    expect((await errorOf(() => read(bytes, 1_000, { signal: before.signal }))).code).toBe(
      'cancelled',
    );
    const during = new AbortController();
    const error = await errorOf(() =>
      read(bytes, 1_000, {
        signal: during.signal,
        onProgress: (bytesRead) => {
          if (bytesRead >= 3_000) during.abort();
        },
      }),
    );
    expect(error.code).toBe('cancelled');
  });
});

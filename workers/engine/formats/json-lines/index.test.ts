/**
 * Tests of the JSON lines reader: lines split across chunks anywhere, the union of keys, inferred
 * types and mixed ones, nested values, types the user chose (values that do not fit them, names
 * the file does not have), blank lines, BOM and CRLF, invalid UTF-8, errors that name their line
 * and column, progress and cancellation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LOGICAL_TYPES,
  valueAt,
  type ColumnData,
  type ColumnTable,
  type LogicalType,
} from '../../columns/column-data.ts';
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

async function outcome(chunks: AsyncIterable<Uint8Array>, options: ReadJsonLinesOptions = {}) {
  try {
    const { table, warnings, warningCount } = await readJsonLines(chunks, options);
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

describe('readJsonLines: chosen types', () => {
  /** A file of one key, `x`, one line per value (`undefined`: a line without the key). */
  function column(values: readonly unknown[], type: LogicalType) {
    const lines = values.map((value) =>
      value === undefined ? '{}' : JSON.stringify({ x: value }),
    );
    return read(`${lines.join('\n')}\n`, 7, { columnTypes: { x: type } });
  }

  function only(table: ColumnTable): ColumnData {
    return table.columns[0]!.data;
  }

  it('reads string: strings as they are, numbers, booleans and objects as their JSON text', async () => {
    const values = ['a', 1.5, 1e21, true, { k: [1, 'é'] }, [], null, '', ' 007 ', 'NA', undefined];
    const expected = ['a', '1.5', '1e+21', 'true', '{"k":[1,"é"]}', '[]', null, '', ' 007 ', 'NA'];
    const { table, warnings } = await column(values, 'string');
    expect([only(table).kind, only(table).type, cellsOf(only(table))]).toEqual([
      'utf8',
      'string',
      [...expected, null],
    ]);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([
      ['precision-lost', 3],
    ]);
  });

  it('reads category the same, as a dictionary however many distinct values there are', async () => {
    const { table, warnings } = await column(['a', 2, false, { k: 1 }, null, 'a'], 'category');
    expect([only(table).kind, cellsOf(only(table))]).toEqual([
      'dict',
      ['a', '2', 'false', '{"k":1}', null, 'a'],
    ]);
    expect(warnings).toEqual([]);
    const unique = Array.from({ length: 3_000 }, (_, row) => `id${row}`);
    expect(only((await column(unique, 'category')).table).kind).toBe('dict');
    expect(only((await column(unique, 'string')).table).kind).toBe('utf8');
  });

  it('reads int: whole numbers and strings of them; anything else becomes null, with its line', async () => {
    const values = [7, '007', 1.0, ' 1e3 ', 2.5, 'x', true, { n: 1 }, '  ', null, '-4', undefined];
    const { table, warnings } = await column(values, 'int');
    const data = only(table);
    expect([data.type, data.kind === 'number' && data.values.constructor]).toEqual([
      'int',
      Int32Array,
    ]);
    expect(cellsOf(data)).toEqual([7, 7, 1, 1000, null, null, null, null, null, null, -4, null]);
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['value-dropped', 5, 'x'],
    ]);
    expect(warnings[0]!.message).toBe(
      'Column "x" is read as int, as chosen; 4 values could not be read as int and are left empty (null): 2.5 on line 5, "x" on line 6, true on line 7, {"n":1} on line 8.',
    );
  });

  it('keeps int past 32 bits exactly, and warns once of whole numbers beyond 2^53', async () => {
    const text =
      '{"x": 1}\n{"x": "2147483648"}\n{"x": 9007199254740993}\n{"x": "9007199254740995"}\n';
    const { table, warnings } = await read(text, 7, { columnTypes: { x: 'int' } });
    const data = only(table);
    expect([data.type, data.kind === 'number' && data.values.constructor]).toEqual([
      'int',
      Float64Array,
    ]);
    expect(cellsOf(data)).toEqual([1, 2_147_483_648, 9_007_199_254_740_992, 9_007_199_254_740_996]);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([
      ['precision-lost', 3],
    ]);
  });

  it('reads float, bool, date and datetime; what does not fit becomes null, with its line', async () => {
    const cases: [LogicalType, unknown[], unknown[], number[]][] = [
      [
        'float',
        [1, '2.5', ' -inf ', 'Infinity', '.5', '1,5', false, { a: 1 }, 'NaN'],
        [1, 2.5, -Infinity, Infinity, 0.5, null, null, null, null],
        [6, 7, 8, 9],
      ],
      [
        'bool',
        [true, false, 'yes', 'N', ' T ', 1, 0, '1', 'FALSE', 2, 'maybe', [true]],
        [true, false, true, false, true, true, false, true, false, null, null, null],
        [10, 11, 12],
      ],
      [
        'date',
        ['2024-05-31', '2024-05-31T23:00:00-02:00', ' 2024-02-29 ', '31/05/2024', 20240531],
        [Date.UTC(2024, 4, 31) / DAY, Date.UTC(2024, 5, 1) / DAY, Date.UTC(2024, 1, 29) / DAY],
        [4, 5],
      ],
      [
        'datetime',
        ['2024-05-31', '2024-05-31T12:00:00Z', '2024-05-31 14:30+02:00', 'noon', 1717156800000],
        [Date.UTC(2024, 4, 31), Date.UTC(2024, 4, 31, 12), Date.UTC(2024, 4, 31, 12, 30)],
        [4, 5],
      ],
    ];
    for (const [type, values, expected, droppedLines] of cases) {
      const { table, warnings } = await column(values, type);
      const cells = [...expected, ...droppedLines.map(() => null)].slice(0, values.length);
      expect([type, only(table).type, cellsOf(only(table))]).toEqual([type, type, cells]);
      expect([type, warnings.map((warning) => [warning.kind, warning.line])]).toEqual([
        type,
        [['value-dropped', droppedLines[0]]],
      ]);
      expect(warnings[0]!.message).toContain(`${droppedLines.length} values could not be read`);
      for (const line of droppedLines) expect(warnings[0]!.message).toContain(`on line ${line}`);
    }
  });

  it('names at most five values that do not fit, shortened, and counts the rest', async () => {
    const values = [...Array.from({ length: 11 }, (_, row) => `bad${row}`), 'y'.repeat(50)];
    const { warnings, warningCount } = await column(['1.5', ...values], 'float');
    expect(warningCount).toBe(1);
    expect(warnings[0]!.message).toBe(
      'Column "x" is read as float, as chosen; 12 values could not be read as float and are left empty (null): "bad0" on line 2, "bad1" on line 3, "bad2" on line 4, "bad3" on line 5, "bad4" on line 6, and 7 more.',
    );
    const long = await column(['y'.repeat(50), { k: 'z'.repeat(50) }], 'int');
    expect(long.warnings[0]!.message).toContain(
      `"${'y'.repeat(40)}…" on line 1, {"k":"${'z'.repeat(34)}… on line 2.`,
    );
  });

  it('gives a key first seen late the chosen type, with nulls before it', async () => {
    const { table } = await read('{"b": 1}\n{"b": 2}\n{"a": "5", "b": 3}\n', 7, {
      columnTypes: { a: 'float', b: 'string' },
    });
    expect(typesOf(table)).toEqual({ b: 'string', a: 'float' });
    expect(columnsOf(table)).toEqual({ b: ['1', '2', '3'], a: [null, null, 5] });
  });

  it('warns of each chosen type whose key no line has, before the other warnings', async () => {
    const text = '{"a": 1, "m": 1}\n{"a": "2", "m": "two"}\n';
    const { table, warnings } = await read(text, 7, {
      columnTypes: { missing: 'float', a: 'int', A: 'string' },
    });
    expect(columnsOf(table)).toEqual({ a: [1, 2], m: ['1', 'two'] });
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['unknown-column', undefined, 'missing'],
      ['unknown-column', undefined, 'A'],
      ['type-widened', 2, 'm'],
    ]);
    expect(warnings[1]!.message).toBe(
      'The type string was chosen for a column "A", but the file has no column of that name (names must match exactly, case and spaces included); the choice was not applied.',
    );
    const empty = await read('\n', 7, { columnTypes: { x: 'int' } });
    expect(empty.warnings.map((warning) => [warning.kind, warning.column])).toEqual([
      ['unknown-column', 'x'],
    ]);
  });

  it('finds keys that look special by their own name only', async () => {
    const text = '{"__proto__": "5", "constructor": "c", "toString": 1}\n';
    const { table, warnings } = await read(text, 7, {
      columnTypes: JSON.parse('{"__proto__": "int"}') as Record<string, LogicalType>,
    });
    expect(
      table.columns.map((entry) => [entry.name, entry.data.type, cellsOf(entry.data)]),
    ).toEqual([
      ['__proto__', 'int', [5]],
      ['constructor', 'category', ['c']],
      ['toString', 'int', [1]],
    ]);
    expect(warnings).toEqual([]);
  });

  it('refuses a type it does not know', async () => {
    const error = await errorOf(() =>
      read('{"x": 1}\n', 7, { columnTypes: { x: 'number' as LogicalType } }),
    );
    expect(error.code).toBe('invalid_request');
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
  const keys = ['a', 'b', 'é', '😀', 'long key'];
  const line = fc
    .dictionary(
      fc.constantFrom(...keys),
      fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.constantFrom('2024-05-31', '2024-05-31T12:00:00Z', '\ufeff', 'a\r\nb'),
        fc.constantFrom(' 7 ', '1e3', 'yes', 'n.d.', '  '),
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

  /** Types chosen for some of the keys, and for one no line has. */
  const chosenTypes = fc.dictionary(
    fc.constantFrom(...keys, 'missing'),
    fc.constantFrom(...LOGICAL_TYPES),
    { maxKeys: 3 },
  );

  it('reads the same table, warnings or error however the file is cut, types chosen or not', async () => {
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
        fc.option(chosenTypes, { nil: undefined }),
        async ([bytes, cuts], columnTypes) => {
          const options = { columnTypes };
          const whole = await outcome(cutAt(bytes, []), options);
          expect(await outcome(cutAt(bytes, cuts), options)).toEqual(whole);
          expect(await outcome(chunksOf(bytes, 1), options)).toEqual(whole);
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

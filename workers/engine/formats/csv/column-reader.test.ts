/**
 * Tests of type inference and of the types a user chooses, through `readCsv`: each type and its
 * edge cases, widening with its warnings (within a batch and across batches, where earlier
 * values are written out again), categories, and values that do not fit a chosen type.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueAt, type ColumnData, type ColumnTable } from '../../columns/column-data.ts';
import { EngineError } from '../../engine-error.ts';
import type { LogicalType } from '../../protocol.ts';
import { chunksOf } from '../../sources/read-chunks.ts';
import { readCsv, type CsvReadOptions, type CsvReadResult } from './index.ts';

const encoder = new TextEncoder();
const DAY = 86_400_000;

function read(text: string, options: CsvReadOptions = {}): Promise<CsvReadResult> {
  return readCsv(chunksOf(encoder.encode(text), 4096), options);
}

/** A one-column file: the header `x`, then each value on a line of its own. */
function column(values: readonly string[], options: CsvReadOptions = {}) {
  return read(`x\n${values.join('\n')}\n`, options);
}

function cellsOf(data: ColumnData): unknown[] {
  return Array.from({ length: data.length }, (_, row) => valueAt(data, row));
}

function only(table: ColumnTable): ColumnData {
  return table.columns[0]!.data;
}

function fixed(type: LogicalType): CsvReadOptions {
  return { columnTypes: { x: type } };
}

describe('inference: numbers', () => {
  it('reads whole numbers as int, in 32 bits while they fit', async () => {
    const { table, warnings } = await column(['1', '-2', '+3', ' 4 ', '0', '-0', '2147483647']);
    const data = only(table);
    expect(data.type).toBe('int');
    expect(data.kind === 'number' && data.values).toBeInstanceOf(Int32Array);
    expect(cellsOf(data)).toEqual([1, -2, 3, 4, 0, 0, 2_147_483_647]);
    expect(warnings).toEqual([]);
  });

  it('keeps int past 2^31, exactly up to 2^53, without a warning', async () => {
    const { table, warnings } = await column(['1', '2147483648', '-9007199254740992', 'NA']);
    const data = only(table);
    expect(data.type).toBe('int');
    expect(data.kind === 'number' && data.values).toBeInstanceOf(Float64Array);
    expect(cellsOf(data)).toEqual([1, 2_147_483_648, -9_007_199_254_740_992, null]);
    expect(warnings).toEqual([]);
  });

  it('keeps int past 2^53 but warns that digits were lost, naming the line', async () => {
    const { table, warnings } = await column(['1', '9007199254740993', '12345678901234567890']);
    expect(only(table).type).toBe('int');
    expect(cellsOf(only(table))).toEqual([1, 9_007_199_254_740_992, 12_345_678_901_234_567_000]);
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['precision-lost', 3, 'x'],
    ]);
  });

  it('reads decimals, exponents, negative zero and infinities as float', async () => {
    const values = ['1.5', '-0.0', '.5', '2.', '1e3', '2.5E-3', '-1e+2', 'inf', '-Infinity', 'INF'];
    const { table, warnings } = await column(values);
    const cells = cellsOf(only(table));
    expect(only(table).type).toBe('float');
    expect(cells).toEqual([1.5, -0, 0.5, 2, 1000, 0.0025, -100, Infinity, -Infinity, Infinity]);
    expect(Object.is(cells[1], -0)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('reads the NaN spellings and other null tokens as null', async () => {
    const nulls = ['NaN', 'nan', '-nan', 'NA', 'N/A', 'n/a', '#N/A', 'null', 'NULL', 'None', '""'];
    const { table } = await column(['1.5', ...nulls, '2']);
    expect(only(table).type).toBe('float');
    expect(cellsOf(only(table))).toEqual([1.5, ...nulls.map(() => null), 2]);
  });

  it('keeps numbers with leading zeros as text: they are identifiers', async () => {
    const { table } = await column(['007', '010', '123']);
    expect(only(table).type).not.toBe('int');
    expect(cellsOf(only(table))).toEqual(['007', '010', '123']);
    const decimals = await column(['0.5', '-1.5', '-01.5']);
    expect(cellsOf(only(decimals.table))).toEqual(['0.5', '-1.5', '-01.5']);
  });

  it('reads every double JavaScript writes back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.constantFrom('String', 'toFixed', 'toExponential'),
        async (values, style) => {
          const texts = values.map((value) =>
            style === 'String'
              ? String(value)
              : style === 'toFixed'
                ? value.toFixed(3)
                : value.toExponential(10),
          );
          const { table } = await column(texts, fixed('float'));
          expect(cellsOf(only(table))).toEqual(texts.map(Number));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads every safe integer back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.maxSafeInteger(), { minLength: 1 }), async (values) => {
        const { table } = await column(values.map(String));
        expect(only(table).type).toBe('int');
        expect(cellsOf(only(table))).toEqual(values.map((value) => value + 0));
      }),
      { numRuns: 200 },
    );
  });
});

describe('inference: booleans, dates and date-times', () => {
  it('reads true and false in any case as bool; other spellings stay text', async () => {
    const { table } = await column(['true', 'FALSE', 'True', 'null', 'false']);
    expect(only(table).type).toBe('bool');
    expect(cellsOf(only(table))).toEqual([true, false, true, null, false]);
    for (const values of [
      ['yes', 'no', 'yes', 'no'],
      ['t', 'f', 't', 'f'],
    ]) {
      expect(only((await column(values)).table).kind).toBe('dict');
    }
    expect(only((await column(['1', '0'])).table).type).toBe('int');
  });

  it('reads ISO dates as date (days since 1970-01-01)', async () => {
    const { table } = await column(['2024-05-31', '1969-12-31', '2000-02-29', 'NA']);
    expect(only(table).type).toBe('date');
    expect(cellsOf(only(table))).toEqual([
      Date.UTC(2024, 4, 31) / DAY,
      -1,
      Date.UTC(2000, 1, 29) / DAY,
      null,
    ]);
  });

  it('reads ISO date-times with zones as datetime (UTC milliseconds)', async () => {
    const { table } = await column([
      '2024-05-31T12:00:00Z',
      '2024-05-31T12:00:00+02:00',
      '2024-05-31 12:00',
      '2024-05-31T12:00:00.250-0130',
    ]);
    expect(only(table).type).toBe('datetime');
    expect(cellsOf(only(table))).toEqual([
      Date.UTC(2024, 4, 31, 12),
      Date.UTC(2024, 4, 31, 10),
      Date.UTC(2024, 4, 31, 12),
      Date.UTC(2024, 4, 31, 13, 30, 0, 250),
    ]);
  });

  it('widens dates to date-times (midnight UTC) with a warning', async () => {
    const { table, warnings } = await column(['2024-05-31', '2024-06-01T06:00:00Z']);
    expect(only(table).type).toBe('datetime');
    expect(cellsOf(only(table))).toEqual([Date.UTC(2024, 4, 31), Date.UTC(2024, 5, 1, 6)]);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([['type-widened', 3]]);
  });

  it('reads days that do not exist as text', async () => {
    const { table } = await column(['2024-05-31', '2023-02-29']);
    expect(cellsOf(only(table))).toEqual(['2024-05-31', '2023-02-29']);
  });
});

describe('inference: mixed columns', () => {
  it('widens int to float, then to text, warning at each step with the line', async () => {
    const { table, warnings } = await column(['1', '2', '2.5', 'n/a', '3', 'high', '4']);
    expect(only(table).kind).toBe('dict');
    expect(cellsOf(only(table))).toEqual(['1', '2', '2.5', null, '3', 'high', '4']);
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['type-widened', 4, 'x'],
      ['type-widened', 7, 'x'],
    ]);
    expect(warnings[0]!.message).toBe(
      'Column "x" held whole numbers (int) until line 4, which holds "2.5"; it is read as decimal numbers (float).',
    );
  });

  it('keeps the spelling of every value when a column turns to text within a batch', async () => {
    const { table } = await column(['1.50', '2024-05-31', 'TRUE', '007', ' 3 ', 'x']);
    expect(cellsOf(only(table))).toEqual(['1.50', '2024-05-31', 'TRUE', '007', ' 3 ', 'x']);
  });

  it('writes out earlier batches from their values when a column turns to text late', async () => {
    const many = 200_000;
    const floats = Array.from({ length: many }, (_, row) => (row % 3 === 0 ? 'NA' : `${row}.50`));
    const { table, warnings } = await column([...floats, 'text']);
    const cells = cellsOf(only(table));
    expect(cells[1]).toBe('1.5');
    expect(cells[3]).toBe(null);
    expect(cells[many]).toBe('text');
    expect(only(table).type).toBe('string');
    const widened = warnings.find((warning) => warning.kind === 'type-widened')!;
    expect(widened.line).toBe(many + 2);
    expect(widened.message).toContain('written out again');
  });

  it('writes out dates, date-times and booleans of earlier batches as ISO text', async () => {
    const many = 200_000;
    for (const [value, written] of [
      ['2024-05-31', '2024-05-31'],
      ['2024-05-31T12:00:00+02:00', '2024-05-31T10:00:00.000Z'],
      ['TRUE', 'true'],
      ['2147483648', '2147483648'],
    ]) {
      const { table } = await column([...Array<string>(many).fill(value!), 'text']);
      expect(cellsOf(only(table)).slice(0, 2)).toEqual([written, written]);
      expect(cellsOf(only(table))[many]).toBe('text');
    }
  });
});

describe('inference: categories', () => {
  it('makes repeating text a category and text that rarely repeats a string column', async () => {
    const repeating = Array.from({ length: 5_000 }, (_, row) => `group ${row % 40}`);
    const category = only((await column(repeating)).table);
    expect(category.kind).toBe('dict');
    expect(category.kind === 'dict' && category.dictionary.length).toBe(40);
    expect(cellsOf(category)).toEqual(repeating);

    const unique = Array.from({ length: 5_000 }, (_, row) => `sample ${row}`);
    const text = only((await column(unique)).table);
    expect(text.kind).toBe('utf8');
    expect(cellsOf(text)).toEqual(unique);
  });

  it('follows the rule of the other readers: at most 1024 distinct values, or half the values', async () => {
    const few = ['a', 'b', 'c'];
    expect(only((await column(few)).table).kind).toBe('dict');
    const distinct = Array.from({ length: 1_024 }, (_, row) => `v${row}`);
    expect(only((await column(distinct)).table).kind).toBe('dict');
    expect(only((await column([...distinct, 'one more'])).table).kind).toBe('utf8');
    const repeated = [...Array<string>(3_000).fill('r'), ...distinct, 'one more'];
    expect(only((await column(repeated)).table).kind).toBe('dict');
  });

  it('skips an empty line of a one-column file, as any blank line; "" keeps the row', async () => {
    const { table } = await read('x\na\n\nb\n""\nc\n');
    expect(cellsOf(only(table))).toEqual(['a', 'b', null, 'c']);
  });

  it('reads an all-null column as text without values', async () => {
    const { table } = await read('a,b\n,1\nNA,2\n');
    expect(table.columns[0]!.data.type).toBe('string');
    expect(cellsOf(table.columns[0]!.data)).toEqual([null, null]);
  });
});

describe('chosen types', () => {
  it('reads int: leading zeros, whole decimals and exponents; other values become null', async () => {
    const values = ['007', '1.0', '1e3', '2.5', 'x', '3', '9007199254740993', 'NA'];
    const { table, warnings } = await column(values, fixed('int'));
    expect(only(table).type).toBe('int');
    expect(cellsOf(only(table))).toEqual([7, 1, 1000, null, null, 3, 9_007_199_254_740_992, null]);
    expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([
      ['value-dropped', 5],
      ['precision-lost', 8],
    ]);
    expect(warnings[0]!.message).toBe(
      'Column "x" is read as int, as chosen; 2 values could not be read as int and are left empty (null): "2.5" on line 5, "x" on line 6.',
    );
  });

  it('names at most five lines of values that do not fit, and counts the rest', async () => {
    const values = Array.from({ length: 12 }, (_, row) => `bad${row}`);
    const { warnings, warningCount } = await column(values, fixed('float'));
    expect(warningCount).toBe(1);
    expect([warnings[0]!.kind, warnings[0]!.line, warnings[0]!.column]).toEqual([
      'value-dropped',
      2,
      'x',
    ]);
    expect(warnings[0]!.message).toBe(
      'Column "x" is read as float, as chosen; 12 values could not be read as float and are left empty (null): "bad0" on line 2, "bad1" on line 3, "bad2" on line 4, "bad3" on line 5, "bad4" on line 6, and 7 more.',
    );
  });

  it('reads float, bool, date and datetime, nulls for what does not fit', async () => {
    const cases: [LogicalType, string[], unknown[]][] = [
      ['float', ['1', '2.5', 'inf', 'x'], [1, 2.5, Infinity, null]],
      [
        'bool',
        ['true', 'yes', 'N', '1', '0', 'f', 'maybe'],
        [true, true, false, true, false, false, null],
      ],
      [
        'date',
        ['2024-05-31', '2024-05-31T23:00:00-02:00', '31/05/2024'],
        [Date.UTC(2024, 4, 31) / DAY, Date.UTC(2024, 5, 1) / DAY, null],
      ],
      [
        'datetime',
        ['2024-05-31', '2024-05-31T12:00:00Z', 'noon'],
        [Date.UTC(2024, 4, 31), Date.UTC(2024, 4, 31, 12), null],
      ],
    ];
    for (const [type, values, expected] of cases) {
      const { table, warnings } = await column(values, fixed(type));
      expect([type, only(table).type, cellsOf(only(table))]).toEqual([type, type, expected]);
      expect(warnings.map((warning) => [warning.kind, warning.line])).toEqual([
        ['value-dropped', values.length + 1],
      ]);
    }
  });

  it('keeps every spelling as string, and repeating or not as category', async () => {
    const values = ['007', '1.50', 'TRUE', '2024-05-31', ' x ', 'NA', '"NA"'];
    const expected = ['007', '1.50', 'TRUE', '2024-05-31', ' x ', null, 'NA'];
    const text = only((await column(values, fixed('string'))).table);
    expect([text.kind, cellsOf(text)]).toEqual(['utf8', expected]);
    const category = only((await column(values, fixed('category'))).table);
    expect([category.kind, cellsOf(category)]).toEqual(['dict', expected]);
    const unique = Array.from({ length: 3_000 }, (_, row) => `id${row}`);
    expect(only((await column(unique, fixed('category'))).table).kind).toBe('dict');
  });

  it('finds columns by their name after renaming, and warns of names not in the file', async () => {
    const { table, warnings } = await read('a,a,\n1,2,3\n', {
      columnTypes: { a: 'string', a_2: 'float', missing: 'int', column_3: 'string', A: 'bool' },
    });
    expect(table.columns.map((entry) => [entry.name, entry.data.type])).toEqual([
      ['a', 'string'],
      ['a_2', 'float'],
      ['column_3', 'string'],
    ]);
    expect(warnings.map((warning) => [warning.kind, warning.line, warning.column])).toEqual([
      ['unknown-column', undefined, 'missing'],
      ['unknown-column', undefined, 'A'],
      ['renamed', 1, 'a_2'],
      ['renamed', 1, 'column_3'],
    ]);
    expect(warnings[0]!.message).toBe(
      'The type int was chosen for a column "missing", but the file has no column of that name (names must match exactly, case and spaces included); the choice was not applied.',
    );
  });

  it('warns of every chosen type when the file has no columns at all', async () => {
    for (const text of ['', '\n\n']) {
      const { table, warnings } = await read(text, { columnTypes: { x: 'int' } });
      expect(table).toEqual({ columns: [], length: 0 });
      expect(warnings.map((warning) => [warning.kind, warning.column])).toEqual([
        ['unknown-column', 'x'],
      ]);
    }
  });

  it('keeps an unknown-column warning when the file gives more than 100 others', async () => {
    const { warnings, warningCount } = await read(`a,b\n${'1\n'.repeat(150)}`, {
      columnTypes: { c: 'int' },
    });
    expect(warningCount).toBe(151);
    expect(warnings).toHaveLength(100);
    expect([warnings[0]!.kind, warnings[1]!.kind]).toEqual(['unknown-column', 'ragged-row']);
  });

  it('refuses a type it does not know', async () => {
    const error = await read('x\n1\n', { columnTypes: { x: 'number' as LogicalType } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('invalid_request');
  });
});

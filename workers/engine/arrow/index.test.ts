/**
 * Round-trip tests of the Arrow wrapper: every kind of our model survives tableToIpc → ipcToTable
 * exactly, and foreign Arrow types (Int64, Float32, other timestamp units) are converted.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tableFromArrays, tableToIPC, Table, vectorFromArray, Int64, Float32 } from 'apache-arrow';
import { valueAt, type ColumnData, type ColumnTable } from '../columns/column-data.ts';
import { BoolBuilder, DictBuilder, NumberBuilder, Utf8Builder } from '../columns/column-builder.ts';
import { ipcToTable, tableToIpc } from './index.ts';

type Cell = number | boolean | string | null;

function rowsOf(data: ColumnData, length: number): Cell[] {
  return Array.from({ length }, (_, row) => valueAt(data, row));
}

function build(kind: string, cells: (Cell | null)[]): ColumnData {
  switch (kind) {
    case 'int':
    case 'float':
    case 'date':
    case 'datetime': {
      const builder = new NumberBuilder(kind);
      for (const cell of cells) {
        if (cell === null) builder.appendNull();
        else builder.append(cell as number);
      }
      return builder.finish();
    }
    case 'bool': {
      const builder = new BoolBuilder();
      for (const cell of cells) {
        if (cell === null) builder.appendNull();
        else builder.append(cell as boolean);
      }
      return builder.finish();
    }
    case 'string': {
      const builder = new Utf8Builder();
      for (const cell of cells) {
        if (cell === null) builder.appendNull();
        else builder.append(cell as string);
      }
      return builder.finish();
    }
    default: {
      const builder = new DictBuilder();
      for (const cell of cells) {
        if (cell === null) builder.appendNull();
        else builder.append(cell as string);
      }
      return builder.finish();
    }
  }
}

const cellFor: Record<string, fc.Arbitrary<Cell>> = {
  int: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  float: fc.double({ noNaN: true }),
  date: fc.integer({ min: -100_000, max: 100_000 }),
  datetime: fc.integer({ min: -(2 ** 45), max: 2 ** 45 }),
  bool: fc.boolean(),
  string: fc.string({ unit: 'grapheme' }),
  category: fc.constantFrom('a', 'b', 'ü', ''),
};

describe('tableToIpc / ipcToTable', () => {
  it('round-trips every kind exactly, nulls included', () => {
    fc.assert(
      fc.property(fc.nat({ max: 40 }), (length) =>
        fc.assert(
          fc.property(
            fc.record(
              Object.fromEntries(
                Object.entries(cellFor).map(([kind, arb]) => [
                  kind,
                  fc.array(fc.option(arb, { nil: null }), { minLength: length, maxLength: length }),
                ]),
              ),
            ),
            (cellsByKind) => {
              const table: ColumnTable = {
                length,
                columns: Object.entries(cellsByKind).map(([kind, cells]) => ({
                  name: kind,
                  data: build(kind, cells as Cell[]),
                })),
              };
              const back = ipcToTable(tableToIpc(table)).table;
              expect(back.length).toBe(length);
              back.columns.forEach((column, index) => {
                const original = table.columns[index]!;
                expect(column.name).toBe(original.name);
                expect(column.data.type).toBe(original.data.type);
                expect(rowsOf(column.data, length)).toEqual(rowsOf(original.data, length));
              });
            },
          ),
          { numRuns: 5 },
        ),
      ),
      { numRuns: 20 },
    );
  });

  it('converts Int64 and Float32, warns when Int64 exceeds 2^53, joins batches', () => {
    const big = vectorFromArray([1n, 2n ** 60n, null], new Int64());
    const small = vectorFromArray([1.5, null, 3], new Float32());
    const first = new Table({ big, small });
    const second = tableFromArrays({
      big: new BigInt64Array([7n]),
      small: new Float32Array([0.25]),
    });
    const joined = first.concat(second as unknown as Table);
    const { table, warnings } = ipcToTable(tableToIPC(joined, 'file'));
    expect(table.length).toBe(4);
    expect(rowsOf(table.columns[0]!.data, 4)).toEqual([1, 2 ** 60, null, 7]);
    expect(rowsOf(table.columns[1]!.data, 4)).toEqual([1.5, null, 3, 0.25]);
    expect(warnings.map((warning) => warning.kind)).toEqual(['precision-lost']);
  });
});

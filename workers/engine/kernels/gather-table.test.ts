/**
 * `gatherTable` (and `gatherColumn` under it) against slicing the view's plain values: every
 * column kind, nulls kept, pages past the end, named columns, views of views.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueAt } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import { gatherTable } from './gather-table.ts';
import {
  KINDS,
  bigPlainTable,
  buildTable,
  normal,
  selectionOf,
  tableWithViewArb,
  viewRows,
  type PlainTable,
} from './test-tables.ts';

function expectPage(
  plain: PlainTable,
  view: number[] | null,
  offset: number,
  limit: number,
  names?: string[],
) {
  const page = gatherTable(buildTable(plain), selectionOf(view), offset, limit, names);
  const start = Math.max(0, Math.floor(offset));
  const rows = viewRows(plain, view).slice(start, start + Math.max(0, Math.floor(limit)));
  const columns = names
    ? names.map((name) => plain.columns.find((column) => column.name === name)!)
    : plain.columns;
  expect(page.length).toBe(rows.length);
  expect(page.columns.map((column) => column.name)).toEqual(columns.map((column) => column.name));
  page.columns.forEach((column, index) => {
    expect(column.data.length).toBe(rows.length);
    expect(Array.from({ length: rows.length }, (_, i) => normal(valueAt(column.data, i)))).toEqual(
      rows.map((row) => normal(columns[index]!.values[row]!)),
    );
  });
}

describe('gatherTable', () => {
  it('pages a view of every kind of column, nulls included', () => {
    fc.assert(
      fc.property(
        tableWithViewArb({ kinds: KINDS, maxRows: 70 }),
        fc.integer({ min: -3, max: 80 }),
        fc.integer({ min: -3, max: 80 }),
        ({ plain, view }, offset, limit) => expectPage(plain, view, offset, limit),
      ),
      { numRuns: 300 },
    );
  });

  it('gathers only the named columns, in the order named', () => {
    fc.assert(
      fc.property(
        tableWithViewArb({ kinds: KINDS, maxRows: 30 }),
        fc.shuffledSubarray([...KINDS]),
        ({ plain, view }, names) => expectPage(plain, view, 0, 30, names),
      ),
    );
  });

  it('pages big views', () => {
    const plain = bigPlainTable(5, 70_000, ['string', 'float64', 'category', 'bool'], true);
    const view = Array.from({ length: 70_000 }, (_, i) => 69_999 - i);
    expectPage(plain, view, 1_000, 60_000);
    expectPage(plain, null, 10, 69_000);
  });

  it('refuses an unknown column', () => {
    const table = buildTable({ length: 1, columns: [{ name: 'a', kind: 'int32', values: [1] }] });
    expect(() => gatherTable(table, null, 0, 1, ['b'])).toThrow(EngineError);
  });
});

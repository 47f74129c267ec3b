/**
 * `sortRows` against a stable comparator sort of plain values (nulls last in both directions,
 * NaN above +Infinity, text by code point), for one to three keys of every kind, over views.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SortKey } from '../protocol.ts';
import { sortRows } from './sort-rows.ts';
import {
  KINDS,
  bigPlainTable,
  buildTable,
  keysArb,
  plainColumn,
  referenceSort,
  selectionOf,
  tableWithViewArb,
  viewRows,
  type PlainTable,
} from './test-tables.ts';

describe('sortRows', () => {
  it('sorts like a stable comparator sort, by one to three keys of every kind, over views', () => {
    const input = tableWithViewArb({ kinds: KINDS, maxRows: 80 }).chain(({ plain, view }) =>
      keysArb(plain).map((keys) => ({ plain, view, keys })),
    );
    fc.assert(
      fc.property(input, ({ plain, view, keys }) => {
        const got = sortRows(buildTable(plain), keys, selectionOf(view));
        expect([...got]).toEqual(referenceSort(plain, keys, view));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps equal keys in view order (stability) in both directions', () => {
    const input = tableWithViewArb({ kinds: ['category', 'bool'], maxRows: 80, narrow: true });
    fc.assert(
      fc.property(input, fc.boolean(), ({ plain, view }, descending) => {
        const keys: SortKey[] = [{ column: 'bool', direction: descending ? 'desc' : 'asc' }];
        const got = [...sortRows(buildTable(plain), keys, selectionOf(view))];
        const rows = viewRows(plain, view);
        const position = new Map(rows.map((row, index) => [row, index]));
        const values = plainColumn(plain, 'bool').values;
        for (let i = 1; i < got.length; i++) {
          if (values[got[i - 1]!] === values[got[i]!]) {
            expect(position.get(got[i - 1]!)!).toBeLessThan(position.get(got[i]!)!);
          }
        }
      }),
    );
  });

  it('sorts a view of a sorted view', () => {
    const input = tableWithViewArb({ kinds: ['float64', 'string', 'int32'], maxRows: 60 }).chain(
      ({ plain, view }) =>
        fc.tuple(keysArb(plain), keysArb(plain)).map((keys) => ({ plain, view, keys })),
    );
    fc.assert(
      fc.property(input, ({ plain, view, keys: [first, second] }) => {
        const table = buildTable(plain);
        const inner = sortRows(table, first, selectionOf(view));
        const got = sortRows(table, second, inner);
        expect([...got]).toEqual(referenceSort(plain, second, referenceSort(plain, first, view)));
      }),
    );
  });

  it('sorts big tables with many distinct values and with few', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, spread) => {
        const plain = bigPlainTable(
          seed,
          60_000,
          ['float64', 'int32', 'uint32', 'string', 'category', 'float32', 'date'],
          spread,
        );
        const view =
          seed % 2 === 0 ? null : Array.from({ length: 40_000 }, (_, i) => (i * 7) % 60_000);
        const keySets: SortKey[][] = [
          [{ column: 'float64', direction: 'desc' }],
          [
            { column: 'string', direction: 'asc' },
            { column: 'uint32', direction: 'desc' },
          ],
          [
            { column: 'category', direction: 'desc' },
            { column: 'int32', direction: 'asc' },
            { column: 'float32', direction: 'asc' },
          ],
          [{ column: 'date', direction: 'asc' }],
        ];
        const table = buildTable(plain);
        for (const keys of keySets) {
          expect([...sortRows(table, keys, selectionOf(view))]).toEqual(
            referenceSort(plain, keys, view),
          );
        }
      }),
      { numRuns: 3 },
    );
  });

  it('returns the view itself for no keys', () => {
    const plain: PlainTable = {
      length: 3,
      columns: [{ name: 'x', kind: 'int32', values: [3, 1, 2] }],
    };
    expect([...sortRows(buildTable(plain), [], null)]).toEqual([0, 1, 2]);
    expect([...sortRows(buildTable(plain), [], Uint32Array.of(2, 0))]).toEqual([2, 0]);
  });
});

/**
 * `topRows` must be exactly the first `k` rows of the sort: checked against the comparator
 * reference and against `sortRows`, for small and large `k` (both the candidate scan and the
 * full-sort path), adversarial input orders, views, and big tables.
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
  referenceSort,
  selectionOf,
  tableWithViewArb,
  type PlainTable,
} from './test-tables.ts';
import { topRows } from './top-rows.ts';

describe('topRows', () => {
  it('is the prefix of the reference sort, for every kind, key count, k and view', () => {
    const input = tableWithViewArb({ kinds: KINDS, maxRows: 120 }).chain(({ plain, view }) =>
      fc.record({
        plain: fc.constant(plain),
        view: fc.constant(view),
        keys: keysArb(plain),
        // Mostly small k, so that k * 8 < rows and the candidate scan runs.
        k: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 130 })),
      }),
    );
    fc.assert(
      fc.property(input, ({ plain, view, keys, k }) => {
        const table = buildTable(plain);
        const got = [...topRows(table, keys, k, selectionOf(view))];
        expect(got).toEqual(referenceSort(plain, keys, view).slice(0, k));
      }),
      { numRuns: 600 },
    );
  });

  it('handles ties, NaN and nulls in the first number key (the fast rejection path)', () => {
    const input = tableWithViewArb({
      kinds: ['float64', 'int32', 'category'],
      minRows: 20,
      maxRows: 150,
      narrow: true,
    }).chain(({ plain, view }) =>
      fc.record({
        plain: fc.constant(plain),
        view: fc.constant(view),
        first: fc.constantFrom('asc' as const, 'desc' as const),
        second: fc.option(fc.constantFrom('int32', 'category'), { nil: undefined }),
        k: fc.integer({ min: 1, max: 5 }),
      }),
    );
    fc.assert(
      fc.property(input, ({ plain, view, first, second, k }) => {
        const keys: SortKey[] = [
          { column: 'float64', direction: first },
          ...(second ? [{ column: second, direction: 'asc' as const }] : []),
        ];
        const got = [...topRows(buildTable(plain), keys, k, selectionOf(view))];
        expect(got).toEqual(referenceSort(plain, keys, view).slice(0, k));
      }),
      { numRuns: 400 },
    );
  });

  it('is the prefix of the reference sort on big tables, including inputs already in (reverse) order', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, spread) => {
        const plain = bigPlainTable(seed, 80_000, ['float64', 'int32', 'string', 'bool'], spread);
        const table = buildTable(plain);
        const ascending = sortRows(table, [{ column: 'float64', direction: 'asc' }], null);
        const views = [null, ascending, ascending.slice().reverse()];
        const keySets: SortKey[][] = [
          [{ column: 'float64', direction: 'desc' }],
          [{ column: 'float64', direction: 'asc' }],
          [
            { column: 'int32', direction: 'desc' },
            { column: 'string', direction: 'asc' },
          ],
          [
            { column: 'bool', direction: 'asc' },
            { column: 'float64', direction: 'desc' },
          ],
        ];
        for (const view of views) {
          for (const keys of keySets) {
            const sorted = referenceSort(plain, keys, view === null ? null : [...view]);
            for (const k of [1, 100, 2_000]) {
              expect([...topRows(table, keys, k, view)]).toEqual(sorted.slice(0, k));
            }
          }
        }
      }),
      { numRuns: 2 },
    );
  });

  it('gives no rows for k = 0 (or NaN) and the view in order without keys', () => {
    const plain: PlainTable = {
      length: 3,
      columns: [{ name: 'x', kind: 'int32', values: [3, 1, 2] }],
    };
    const table = buildTable(plain);
    expect([...topRows(table, [{ column: 'x', direction: 'asc' }], 0, null)]).toEqual([]);
    expect([...topRows(table, [{ column: 'x', direction: 'asc' }], NaN, null)]).toEqual([]);
    expect([...topRows(table, [], 2, Uint32Array.of(2, 1, 0))]).toEqual([2, 1]);
    expect([...topRows(table, [{ column: 'x', direction: 'asc' }], 10, null)]).toEqual([1, 2, 0]);
  });
});

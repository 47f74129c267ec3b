/**
 * Slots and ranks against plain values: equal values share a rank and different ones never do;
 * ordered ranks follow the sort order with nulls last; nulls sit in `nullSlot`. Also the pair
 * ranking and the first-position scan, small and big (hash tables that grow).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dictionaryRanks, firstPositions, keySlots, rankPairs } from './key-slots.ts';
import {
  KINDS,
  bigPlainTable,
  buildTable,
  compareWithNulls,
  selectionOf,
  tableWithViewArb,
  viewRows,
  type PlainTable,
} from './test-tables.ts';

/** What is wrong with the slots of each column of `plain` over a view (nothing, when empty). */
function slotProblems(plain: PlainTable, view: number[] | null, ordered: boolean): string[] {
  const table = buildTable(plain);
  const rows = viewRows(plain, view);
  const problems: string[] = [];
  plain.columns.forEach((column, index) => {
    const slots = keySlots(table.columns[index]!.data, selectionOf(view), ordered);
    if (slots.slots.length !== rows.length) problems.push(`${column.name}: length`);
    const ranks = rows.map((_, position) => {
      const slot = slots.slots[position]!;
      if (slot >= slots.slotCount) problems.push(`${column.name}: slot ${slot} out of range`);
      return slots.rankOf === null ? slot : slots.rankOf[slot]!;
    });
    const values = rows.map((row) => column.values[row]!);
    values.forEach((value, position) => {
      if ((value === null) !== (slots.slots[position] === slots.nullSlot)) {
        problems.push(`${column.name}: null slot at ${position}`);
      }
      if (ranks[position]! >= slots.rankCount) problems.push(`${column.name}: rank out of range`);
    });
    // Each value against its next few: equal ranks exactly for equal values, in order if asked.
    for (let a = 0; a < values.length; a++) {
      for (let b = a + 1; b < Math.min(values.length, a + 12); b++) {
        const order = Math.sign(compareWithNulls(values[a]!, values[b]!, false));
        const rankOrder = Math.sign(ranks[a]! - ranks[b]!);
        if (ordered ? rankOrder !== order : (rankOrder === 0) !== (order === 0)) {
          problems.push(`${column.name}: ${String(values[a])} vs ${String(values[b])}`);
        }
      }
    }
  });
  return problems;
}

describe('keySlots', () => {
  it('gives equal values one rank, ordered like the sort with nulls last, over views', () => {
    fc.assert(
      fc.property(
        tableWithViewArb({ kinds: KINDS, maxRows: 50 }),
        fc.boolean(),
        ({ plain, view }, ordered) => {
          expect(slotProblems(plain, view, ordered)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds on big columns with many distinct values', () => {
    for (const seed of [1, 2]) {
      const plain = bigPlainTable(
        seed,
        40_000,
        ['float64', 'string', 'int32', 'int53', 'uint32'],
        true,
      );
      expect(slotProblems(plain, null, true)).toEqual([]);
      const view = Array.from({ length: 20_000 }, (_, i) => (i * 3) % 40_000);
      expect(slotProblems(plain, view, false)).toEqual([]);
    }
  });
});

describe('dictionaryRanks', () => {
  it('ranks entries by code point, duplicates together', () => {
    expect(dictionaryRanks(['b', 'a', 'b', '😀', '\uffff'])).toEqual({
      rankOf: Uint32Array.of(1, 0, 1, 3, 2),
      ranks: 4,
    });
    expect(dictionaryRanks([])).toEqual({ rankOf: new Uint32Array(0), ranks: 0 });
  });
});

describe('rankPairs', () => {
  it('numbers distinct pairs densely in pair order', () => {
    const pair = fc.tuple(
      fc.integer({ min: 0, max: 5 }),
      fc.oneof(fc.integer({ min: 0, max: 5 }), fc.nat()),
    );
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 3000 }), (pairs) => {
        const { ids, count } = rankPairs(
          Uint32Array.from(pairs.map((p) => p[0])),
          Uint32Array.from(pairs.map((p) => p[1])),
        );
        const distinct = [...new Set(pairs.map((p) => `${p[0]},${p[1]}`))]
          .map((key) => key.split(',').map(Number) as [number, number])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(count).toBe(distinct.length);
        const rank = new Map(distinct.map((p, i) => [`${p[0]},${p[1]}`, i]));
        expect([...ids]).toEqual(pairs.map((p) => rank.get(`${p[0]},${p[1]}`)));
      }),
    );
  });
});

describe('firstPositions', () => {
  it('finds the first position of each wanted slot', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7 })),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        (slots, wanted) => {
          const got = firstPositions(Uint32Array.from(slots), 8, Uint8Array.from(wanted, Number));
          expect([...got]).toEqual(
            wanted.map((want, slot) => {
              const at = slots.indexOf(slot);
              return want && at >= 0 ? at : 0xffffffff;
            }),
          );
        },
      ),
    );
  });
});

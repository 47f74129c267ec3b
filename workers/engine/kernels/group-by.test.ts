/**
 * `groupBy` against a reference that groups plain values in a Map and aggregates each group's
 * list of values: one to three keys of every kind, every aggregate, the null group, views, and
 * big tables (hashed keys, composite keys past the dense limit, many distinct values).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueAt } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import type { Aggregate, GroupBySpec } from '../protocol.ts';
import { groupBy, groupPositions } from './group-by.ts';
import {
  KINDS,
  NUMBER_KINDS,
  aggregateName,
  bigPlainTable,
  buildTable,
  exactNumberArb,
  keyOf,
  normal,
  plainColumn,
  plainRowsOf,
  plainTableArb,
  referenceGroupBy,
  selectionOf,
  valueArb,
  viewArb,
  viewRows,
  type Kind,
  type Plain,
  type PlainTable,
} from './test-tables.ts';

/** Values whose sums come out the same in any order, so references may add in row order. */
function groupValues(kind: Kind, narrow: boolean): fc.Arbitrary<Plain> {
  switch (kind) {
    case 'float64':
    case 'float32':
      return narrow ? valueArb(kind, true) : exactNumberArb(kind);
    case 'int53':
    case 'datetime':
      return narrow ? valueArb(kind, true) : fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
    default:
      return valueArb(kind, narrow);
  }
}

function specArb(plain: PlainTable): fc.Arbitrary<GroupBySpec> {
  const names = plain.columns.map((column) => column.name);
  const numberNames = plain.columns
    .filter((column) => NUMBER_KINDS.includes(column.kind))
    .map((column) => column.name);
  const aggregate: fc.Arbitrary<Aggregate> = fc.oneof(
    fc.record({ op: fc.constant('count' as const) }),
    fc.record({ op: fc.constant('distinct_count' as const), column: fc.constantFrom(...names) }),
    ...(numberNames.length > 0
      ? [
          fc.record({
            op: fc.constantFrom('sum' as const, 'mean' as const, 'min' as const, 'max' as const),
            column: fc.constantFrom(...numberNames),
          }),
        ]
      : []),
  );
  return fc.record({
    keys: fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }),
    aggregates: fc.uniqueArray(aggregate, { maxLength: 5, selector: aggregateName }),
  });
}

function expectMatchesReference(plain: PlainTable, spec: GroupBySpec, view: number[] | null) {
  const got = groupBy(buildTable(plain), spec, selectionOf(view));
  expect(got.columns.map((column) => column.name)).toEqual([
    ...spec.keys,
    ...spec.aggregates.map(aggregateName),
  ]);
  expect(plainRowsOf(got)).toEqual(
    referenceGroupBy(plain, spec, view).map((row) => row.map(normal)),
  );
}

const anyTable = plainTableArb({ kinds: KINDS, maxRows: 60, values: groupValues }).chain((plain) =>
  fc.record({ plain: fc.constant(plain), view: viewArb(plain.length), spec: specArb(plain) }),
);

describe('groupBy', () => {
  it('groups and aggregates like the Map reference, one to three keys of every kind, over views', () => {
    fc.assert(
      fc.property(anyTable, ({ plain, view, spec }) => expectMatchesReference(plain, spec, view)),
      { numRuns: 500 },
    );
  });

  it('matches the reference with few distinct keys (dense slots) and many (hashed, paired)', () => {
    const input = fc
      .record({
        narrow: fc.boolean(),
        kinds: fc.shuffledSubarray([...KINDS], { minLength: 2, maxLength: 4 }),
      })
      .chain(({ narrow, kinds }) =>
        plainTableArb({ kinds, minRows: 1, maxRows: 120, narrow, values: groupValues }),
      )
      .chain((plain) =>
        fc.record({ plain: fc.constant(plain), view: viewArb(plain.length), spec: specArb(plain) }),
      );
    fc.assert(
      fc.property(input, ({ plain, view, spec }) => expectMatchesReference(plain, spec, view)),
      { numRuns: 300 },
    );
  });

  it('types its columns: counts int, sums as their column (int or float), means float', () => {
    const plain: PlainTable = {
      length: 3,
      columns: [
        { name: 'k', kind: 'category', values: ['a', 'a', null] },
        { name: 'i', kind: 'int32', values: [1, 2, null] },
        { name: 'd', kind: 'date', values: [1, 2, 3] },
      ],
    };
    const out = groupBy(
      buildTable(plain),
      {
        keys: ['k'],
        aggregates: [
          { op: 'count' },
          { op: 'sum', column: 'i' },
          { op: 'mean', column: 'i' },
          { op: 'min', column: 'd' },
          { op: 'sum', column: 'd' },
          { op: 'distinct_count', column: 'k' },
        ],
      },
      null,
    );
    expect(out.columns.map((column) => column.data.type)).toEqual([
      'category',
      'int',
      'int',
      'float',
      'date',
      'float',
      'int',
    ]);
    // The null group comes last; its sum of no values is null, its distinct count 0.
    expect(plainRowsOf(out)).toEqual([
      ['a', 2, 3, 1.5, 1, 3, 1],
      [null, 1, null, null, 3, 3, 0],
    ]);
  });

  it('refuses sums of text and unknown columns', () => {
    const plain: PlainTable = {
      length: 1,
      columns: [{ name: 's', kind: 'string', values: ['x'] }],
    };
    const codeOf = (spec: GroupBySpec) => {
      try {
        groupBy(buildTable(plain), spec, null);
        return 'none';
      } catch (error) {
        return error instanceof EngineError ? error.code : 'other';
      }
    };
    expect(codeOf({ keys: ['s'], aggregates: [{ op: 'sum', column: 's' }] })).toBe('type_mismatch');
    expect(codeOf({ keys: ['nope'], aggregates: [] })).toBe('unknown_column');
    expect(codeOf({ keys: ['s'], aggregates: [{ op: 'max', column: 'nope' }] })).toBe(
      'unknown_column',
    );
  });

  it('matches the reference on big tables', () => {
    const kinds: Kind[] = ['category', 'int32', 'float64', 'string', 'bool', 'int53'];
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, spread) => {
        const plain = bigPlainTable(seed, 60_000, kinds, spread);
        const view =
          seed % 2 === 0 ? null : Array.from({ length: 50_000 }, (_, i) => (i * 11) % 60_000);
        const specs: GroupBySpec[] = [
          {
            keys: ['category'],
            aggregates: [
              { op: 'count' },
              { op: 'min', column: 'float64' },
              { op: 'max', column: 'int32' },
              { op: 'distinct_count', column: 'string' },
              { op: 'distinct_count', column: 'float64' },
            ],
          },
          { keys: ['float64'], aggregates: [{ op: 'count' }, { op: 'max', column: 'int53' }] },
          { keys: ['string', 'int32', 'bool'], aggregates: [{ op: 'count' }] },
          { keys: ['int53', 'category'], aggregates: [{ op: 'distinct_count', column: 'bool' }] },
        ];
        for (const spec of specs) expectMatchesReference(plain, spec, view);
        // Sums of big tables may round differently by order: compare them loosely.
        const sums: GroupBySpec = {
          keys: ['category', 'bool'],
          aggregates: [
            { op: 'sum', column: 'float64' },
            { op: 'mean', column: 'int32' },
          ],
        };
        const got = plainRowsOf(groupBy(buildTable(plain), sums, selectionOf(view)));
        const want = referenceGroupBy(plain, sums, view);
        expect(got.map((row) => row.slice(0, 2))).toEqual(want.map((row) => row.slice(0, 2)));
        got.forEach((row, g) => {
          for (const at of [2, 3]) {
            const a = row[at] as number | null;
            const b = want[g]![at] as number | null;
            if (a === null || b === null || !Number.isFinite(b)) expect(a).toEqual(b);
            else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
          }
        });
      }),
      { numRuns: 3 },
    );
  });
});

describe('groupPositions', () => {
  it('numbers each position by its group in key order, with the keys', () => {
    const input = plainTableArb({ kinds: ['string', 'float64'], maxRows: 60 }).chain((plain) =>
      fc.record({
        plain: fc.constant(plain),
        view: viewArb(plain.length),
        key: fc.constantFrom('string', 'float64'),
      }),
    );
    fc.assert(
      fc.property(input, ({ plain, view, key }) => {
        const { groupOf, groups, keys } = groupPositions(buildTable(plain), key, selectionOf(view));
        const reference = referenceGroupBy(plain, { keys: [key], aggregates: [] }, view);
        expect(groups).toBe(reference.length);
        expect(Array.from({ length: groups }, (_, g) => normal(valueAt(keys, g)))).toEqual(
          reference.map((row) => normal(row[0]!)),
        );
        const values = plainColumn(plain, key).values;
        viewRows(plain, view).forEach((row, position) => {
          expect(keyOf(reference[groupOf[position]!]![0]!)).toBe(keyOf(values[row]!));
        });
      }),
    );
  });
});

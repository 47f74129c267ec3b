/**
 * `filterRows` against a per-row reference on plain values, for every operator on every column
 * kind, nested `and`/`or`/`not`, over whole tables and views, small and big.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../engine-error.ts';
import type { Predicate, Scalar } from '../protocol.ts';
import { filterRows } from './filter-rows.ts';
import {
  KINDS,
  bigPlainTable,
  buildTable,
  comparePlain,
  plainColumn,
  plainTableArb,
  selectionOf,
  valueArb,
  viewArb,
  viewRows,
  type Kind,
  type Plain,
  type PlainColumn,
  type PlainTable,
} from './test-tables.ts';

const COMPARISONS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
const TEXT_KINDS: readonly Kind[] = ['string', 'category'];
const MS_PER_DAY = 86_400_000;
/** The dates `toISOString` writes as `YYYY-…` (years 0 to 9999). */
const ISO_MIN_MS = -62_167_219_200_000;
const ISO_MAX_MS = 253_402_300_799_999;

/** A filter value for a column, as the page may send it (dates also as ISO text). */
function scalarArb(column: PlainColumn): fc.Arbitrary<Scalar> {
  const present = column.values.filter((value) => value !== null) as (number | string | boolean)[];
  const values = fc.oneof(
    valueArb(column.kind, true) as fc.Arbitrary<Scalar>,
    ...(present.length > 0 ? [fc.constantFrom(...present)] : []),
  );
  switch (column.kind) {
    case 'date':
      return fc.oneof(
        values,
        fc
          .integer({ min: -700_000, max: 2_000_000 })
          .map((days) => new Date(days * MS_PER_DAY).toISOString().slice(0, 10)),
      );
    case 'datetime':
      return fc.oneof(
        values,
        (values as fc.Arbitrary<number>)
          .filter((ms) => ms >= ISO_MIN_MS && ms <= ISO_MAX_MS && Number.isInteger(ms))
          .map((ms) => new Date(ms).toISOString()),
      );
    case 'bool':
      return fc.oneof(values, fc.constantFrom('true', 'false', ' TRUE '));
    default:
      return values;
  }
}

function leafArb(plain: PlainTable): fc.Arbitrary<Predicate> {
  return fc.constantFrom(...plain.columns).chain((column): fc.Arbitrary<Predicate> => {
    const name = column.name;
    const options: fc.Arbitrary<Predicate>[] = [
      fc.record({
        op: fc.constantFrom(...COMPARISONS),
        column: fc.constant(name),
        value: scalarArb(column),
      }),
      fc.record({
        op: fc.constant('in' as const),
        column: fc.constant(name),
        values: fc.array(scalarArb(column), { maxLength: 12 }),
      }),
      fc.record({
        op: fc.constantFrom('is_null' as const, 'not_null' as const),
        column: fc.constant(name),
      }),
    ];
    if (TEXT_KINDS.includes(column.kind)) {
      options.push(
        fc.record(
          {
            op: fc.constantFrom('contains' as const, 'starts_with' as const),
            column: fc.constant(name),
            value: fc.oneof(
              valueArb('string', false) as fc.Arbitrary<string>,
              fc.constantFrom('K', 'k', 'ss', 'SS', 'σ', 'i̇'),
            ),
            caseSensitive: fc.boolean(),
          },
          { requiredKeys: ['op', 'column', 'value'] },
        ),
      );
    }
    return fc.oneof(...options);
  });
}

function predicateArb(plain: PlainTable): fc.Arbitrary<Predicate> {
  const leaf = leafArb(plain);
  return fc.letrec<{ node: Predicate; and: Predicate; or: Predicate; not: Predicate }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('and'),
      tie('or'),
      tie('not'),
    ),
    and: fc.record({
      op: fc.constant('and' as const),
      predicates: fc.array(tie('node'), { maxLength: 3 }),
    }),
    or: fc.record({
      op: fc.constant('or' as const),
      predicates: fc.array(tie('node'), { maxLength: 3 }),
    }),
    not: fc.record({ op: fc.constant('not' as const), predicate: tie('node') }),
  })).node;
}

/** The value a filter value stands for in a column of `kind`, coerced independently. */
function meaning(kind: Kind, value: Scalar): Plain {
  switch (kind) {
    case 'date':
      return typeof value === 'string' ? Date.parse(`${value}T00:00:00Z`) / MS_PER_DAY : value;
    case 'datetime':
      return typeof value === 'string' ? Date.parse(value) : value;
    case 'bool':
      return typeof value === 'string' ? value.trim().toLowerCase() === 'true' : value;
    case 'string':
    case 'category':
      return String(value);
    default:
      return value;
  }
}

function compares(op: (typeof COMPARISONS)[number], value: Plain, target: Plain): boolean {
  if (typeof value === 'number') {
    const t = target as number;
    switch (op) {
      case 'eq':
        return value === t;
      case 'ne':
        return value !== t;
      case 'lt':
        return value < t;
      case 'le':
        return value <= t;
      case 'gt':
        return value > t;
      case 'ge':
        return value >= t;
    }
  }
  const order = comparePlain(value, target);
  return {
    eq: order === 0,
    ne: order !== 0,
    lt: order < 0,
    le: order <= 0,
    gt: order > 0,
    ge: order >= 0,
  }[op];
}

/** Whether `predicate` holds for row `row`, straight from the definitions. */
function holds(plain: PlainTable, predicate: Predicate, row: number): boolean {
  switch (predicate.op) {
    case 'and':
      return predicate.predicates.every((child) => holds(plain, child, row));
    case 'or':
      return predicate.predicates.some((child) => holds(plain, child, row));
    case 'not':
      return !holds(plain, predicate.predicate, row);
    default: {
      const column = plainColumn(plain, predicate.column);
      const value = column.values[row]!;
      switch (predicate.op) {
        case 'is_null':
          return value === null;
        case 'not_null':
          return value !== null;
      }
      if (value === null) return false;
      switch (predicate.op) {
        case 'in':
          return predicate.values.some((target) =>
            compares('eq', value, meaning(column.kind, target)),
          );
        case 'contains':
        case 'starts_with': {
          const sensitive = predicate.caseSensitive === true;
          const haystack = sensitive ? String(value) : String(value).toLowerCase();
          const needle = sensitive ? predicate.value : predicate.value.toLowerCase();
          return predicate.op === 'contains'
            ? haystack.includes(needle)
            : haystack.startsWith(needle);
        }
        default:
          return compares(predicate.op, value, meaning(column.kind, predicate.value));
      }
    }
  }
}

function expectMatchesReference(plain: PlainTable, predicate: Predicate, view: number[] | null) {
  const table = buildTable(plain);
  const got = filterRows(table, predicate, selectionOf(view));
  const want = viewRows(plain, view).filter((row) => holds(plain, predicate, row));
  expect([...got]).toEqual(want);
}

const everyKind = plainTableArb({ kinds: KINDS, maxRows: 40 }).chain((plain) =>
  fc.record({
    plain: fc.constant(plain),
    view: viewArb(plain.length),
    predicate: predicateArb(plain),
  }),
);

describe('filterRows', () => {
  it('matches the per-row reference for every operator, kind and nesting, over views', () => {
    fc.assert(
      fc.property(everyKind, ({ plain, view, predicate }) => {
        expectMatchesReference(plain, predicate, view);
      }),
      { numRuns: 400 },
    );
  });

  it('matches the reference on each kind alone, with many rows and leaves', () => {
    const oneKind = fc.constantFrom(...KINDS).chain((kind) =>
      plainTableArb({ kinds: [kind], maxRows: 120 }).chain((plain) =>
        fc.record({
          plain: fc.constant(plain),
          view: viewArb(plain.length),
          predicate: predicateArb(plain),
        }),
      ),
    );
    fc.assert(
      fc.property(oneKind, ({ plain, view, predicate }) =>
        expectMatchesReference(plain, predicate, view),
      ),
      { numRuns: 300 },
    );
  });

  it('filters a view of a view like the composed references', () => {
    fc.assert(
      fc.property(everyKind, ({ plain, view, predicate }) => {
        const table = buildTable(plain);
        const first: Predicate = { op: 'not_null', column: 'int32' };
        const inner = filterRows(table, first, selectionOf(view));
        const got = filterRows(table, predicate, inner);
        const want = viewRows(plain, view).filter(
          (row) => holds(plain, first, row) && holds(plain, predicate, row),
        );
        expect([...got]).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });

  it('matches the reference on big tables (long match lists, long in-lists)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, spread) => {
        const plain = bigPlainTable(
          seed,
          100_000,
          ['float64', 'int32', 'string', 'category', 'bool'],
          spread,
        );
        const view =
          seed % 2 === 0 ? null : Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 100_000);
        const predicates: Predicate[] = [
          { op: 'ge', column: 'float64', value: -1.25 },
          { op: 'ne', column: 'int32', value: 1 },
          { op: 'in', column: 'int32', values: [-5, 0, 1, 2, 7, 1000, 3, 4, 5, 6, 8] },
          {
            op: 'in',
            column: 'string',
            values: ['a', 'B', 'é', 'x', 'y', 'z', 'zz', 'q', 'r', 's'],
          },
          {
            op: 'or',
            predicates: [
              { op: 'contains', column: 'string', value: 'k' },
              { op: 'not', predicate: { op: 'lt', column: 'category', value: 'b' } },
            ],
          },
          {
            op: 'and',
            predicates: [
              { op: 'eq', column: 'bool', value: true },
              { op: 'lt', column: 'float64', value: 1 },
              { op: 'not_null', column: 'category' },
            ],
          },
        ];
        for (const predicate of predicates) expectMatchesReference(plain, predicate, view);
      }),
      { numRuns: 3 },
    );
  });

  it('keeps nulls out of comparisons but lets not invert them', () => {
    const plain: PlainTable = {
      length: 4,
      columns: [{ name: 'x', kind: 'float64', values: [1, null, NaN, 2] }],
    };
    const table = buildTable(plain);
    const rows = (predicate: Predicate) => [...filterRows(table, predicate, null)];
    expect(rows({ op: 'ne', column: 'x', value: 1 })).toEqual([2, 3]);
    expect(rows({ op: 'not', predicate: { op: 'eq', column: 'x', value: 1 } })).toEqual([1, 2, 3]);
    expect(rows({ op: 'eq', column: 'x', value: NaN })).toEqual([]);
    expect(rows({ op: 'and', predicates: [] })).toEqual([0, 1, 2, 3]);
    expect(rows({ op: 'or', predicates: [] })).toEqual([]);
    expect(rows({ op: 'is_null', column: 'x' })).toEqual([1]);
  });

  it('refuses unknown columns and values a column cannot hold, whatever the data', () => {
    const plain: PlainTable = {
      length: 2,
      columns: [
        { name: 'n', kind: 'int32', values: [1, 2] },
        { name: 'd', kind: 'date', values: [1, 2] },
        { name: 'b', kind: 'bool', values: [true, false] },
      ],
    };
    const table = buildTable(plain);
    const codeOf = (predicate: Predicate) => {
      try {
        filterRows(table, predicate, null);
        return 'none';
      } catch (error) {
        return error instanceof EngineError ? error.code : 'other';
      }
    };
    const never: Predicate = { op: 'gt', column: 'n', value: 100 };
    expect(codeOf({ op: 'eq', column: 'missing', value: 1 })).toBe('unknown_column');
    expect(
      codeOf({ op: 'and', predicates: [never, { op: 'eq', column: 'missing', value: 1 }] }),
    ).toBe('unknown_column');
    expect(
      codeOf({ op: 'and', predicates: [never, { op: 'contains', column: 'n', value: '1' }] }),
    ).toBe('type_mismatch');
    expect(codeOf({ op: 'eq', column: 'd', value: '2024-02-30' })).toBe('type_mismatch');
    expect(codeOf({ op: 'eq', column: 'n', value: 'seven' })).toBe('type_mismatch');
    expect(codeOf({ op: 'eq', column: 'b', value: 'maybe' })).toBe('type_mismatch');
  });
});

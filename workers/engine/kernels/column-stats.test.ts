/**
 * `columnStats` against a reference computed from the view's plain values: counts, nulls,
 * min/max/mean and every histogram bin for numbers; top values (ties by value) and distinct
 * counts for text, categories and booleans; over views, small and big.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnStats, StatsOptions } from '../protocol.ts';
import { columnStats } from './column-stats.ts';
import {
  KINDS,
  NUMBER_KINDS,
  bigPlainTable,
  buildTable,
  comparePlain,
  keyOf,
  plainTableArb,
  selectionOf,
  tableWithViewArb,
  viewRows,
  type Plain,
  type PlainColumn,
  type PlainTable,
} from './test-tables.ts';

function clamp(value: number | undefined, fallback: number): number {
  return Math.max(1, Math.min(1000, Math.floor(value ?? fallback)));
}

/** The summary of a column over a view, from its definition. */
function referenceStats(
  column: PlainColumn,
  rows: readonly number[],
  options: StatsOptions,
  type: ColumnStats['type'],
): ColumnStats {
  const values = rows.map((row) => column.values[row]!);
  const present = values.filter((value) => value !== null);
  const base = {
    column: column.name,
    type,
    count: present.length,
    nullCount: values.length - present.length,
  };
  if (NUMBER_KINDS.includes(column.kind)) {
    const numbers = (present as number[]).filter((value) => !Number.isNaN(value));
    if (numbers.length === 0) return base;
    const finite = numbers.filter((value) => Number.isFinite(value));
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const value of numbers) {
      if (value < min) min = value;
      if (value > max) max = value;
      sum += value;
    }
    const bins = clamp(options.bins, 20);
    // The histogram spans the finite values, widened by 0.5 when they are all equal.
    let finiteMin = Infinity;
    let finiteMax = -Infinity;
    for (const value of finite) {
      if (value < finiteMin) finiteMin = value;
      if (value > finiteMax) finiteMax = value;
    }
    const equal = finite.length > 0 && finiteMin === finiteMax;
    const low = finite.length === 0 ? -0.5 : equal ? finiteMin - 0.5 : finiteMin;
    const high = finite.length === 0 ? 0.5 : equal ? finiteMax + 0.5 : finiteMax;
    // Halves, so that spans beyond the largest double do not overflow.
    const halfWidth = (high / 2 - low / 2) / bins;
    const edges = Array.from({ length: bins + 1 }, (_, i) =>
      i === bins ? high : 2 * (low / 2 + i * halfWidth),
    );
    const counts = new Array<number>(bins).fill(0);
    for (const value of numbers) {
      let bin = Math.floor((value / 2 - low / 2) / halfWidth);
      if (value === -Infinity) bin = 0;
      else if (value === Infinity) bin = bins - 1;
      else if (equal) bin = Math.floor(bins / 2);
      // Widths that underflow to 0 give NaN: such values count in the first bin.
      counts[Number.isNaN(bin) ? 0 : Math.min(bins - 1, Math.max(0, bin))]!++;
    }
    return {
      ...base,
      numeric: { min, max, mean: sum / numbers.length, histogram: { edges, counts } },
    };
  }
  const counts = new Map<string, { value: Plain; count: number }>();
  for (const value of present) {
    const entry = counts.get(keyOf(value)) ?? { value, count: 0 };
    entry.count++;
    counts.set(keyOf(value), entry);
  }
  const ordered = [...counts.values()].sort(
    (a, b) => b.count - a.count || comparePlain(a.value, b.value),
  );
  return {
    ...base,
    topValues: ordered
      .slice(0, clamp(options.topValues, 10))
      .map(({ value, count }) => ({ value: value as string | boolean, count })),
    distinctCount: counts.size,
  };
}

function expectMatchesReference(plain: PlainTable, view: number[] | null, options: StatsOptions) {
  const table = buildTable(plain);
  const rows = viewRows(plain, view);
  plain.columns.forEach((column, index) => {
    const got = columnStats(table.columns[index]!, selectionOf(view), options);
    expect(got).toEqual(referenceStats(column, rows, options, table.columns[index]!.data.type));
  });
}

const optionsArb: fc.Arbitrary<StatsOptions> = fc.record(
  { bins: fc.integer({ min: -2, max: 30 }), topValues: fc.integer({ min: 0, max: 12 }) },
  { requiredKeys: [] },
);

/** Columns of subnormals and of the largest double: widths that underflow and spans that overflow. */
const tiny = plainTableArb({
  kinds: ['float64'],
  maxRows: 10,
  values: () => fc.constantFrom(5e-324, 1e-323, 2e-323, -5e-324, 1.7976931348623157e308),
}).map((plain) => ({ plain, view: null as number[] | null }));

describe('columnStats', () => {
  it('summarises every kind of column like the reference, over views', () => {
    fc.assert(
      fc.property(
        fc.oneof(tableWithViewArb({ kinds: KINDS, maxRows: 80 }), tiny),
        optionsArb,
        ({ plain, view }, options) => expectMatchesReference(plain, view, options),
      ),
      { numRuns: 300 },
    );
  });

  it('histogram counts add up to the numbers that are not NaN', () => {
    fc.assert(
      fc.property(
        fc.oneof(tableWithViewArb({ kinds: ['float64'], maxRows: 80 }), tiny),
        fc.integer({ min: 1, max: 40 }),
        ({ plain, view }, bins) => {
          const stats = columnStats(buildTable(plain).columns[0]!, selectionOf(view), { bins });
          const numbers = viewRows(plain, view)
            .map((row) => plain.columns[0]!.values[row])
            .filter((value) => value !== null && !Number.isNaN(value));
          const total = stats.numeric?.histogram.counts.reduce((sum, count) => sum + count, 0) ?? 0;
          expect(total).toBe(numbers.length);
          if (stats.numeric) expect(stats.numeric.histogram.edges).toHaveLength(bins + 1);
        },
      ),
    );
  });

  it('matches the reference on big tables', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, spread) => {
        const plain = bigPlainTable(
          seed,
          80_000,
          ['float64', 'int32', 'string', 'category', 'bool'],
          spread,
        );
        const view =
          seed % 2 === 0 ? null : Array.from({ length: 50_000 }, (_, i) => (i * 13) % 80_000);
        expectMatchesReference(plain, view, { bins: 50, topValues: 1000 });
      }),
      { numRuns: 3 },
    );
  });
});

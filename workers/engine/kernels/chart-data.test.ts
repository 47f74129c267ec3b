/**
 * `chartData` against references for each chart kind, built from the view's plain values and
 * the definitions in protocol.ts and the kernels README: histogram bins, bars (largest first),
 * lines (sorted, bucketed to min and max), scatter samples and box plots (type 7 quantiles,
 * 1.5 IQR whiskers), over views, small and big.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnTable } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import type { Aggregate, ChartQuery } from '../protocol.ts';
import { chartData } from './chart-data.ts';
import { columnStats } from './column-stats.ts';
import {
  NUMBER_KINDS,
  bigPlainTable,
  buildTable,
  compareWithNulls,
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

function namesOf(table: ColumnTable): string[] {
  return table.columns.map((column) => column.name);
}

function referenceBar(
  plain: PlainTable,
  query: Extract<ChartQuery, { kind: 'bar' }>,
  view: number[] | null,
): Plain[][] {
  const grouped = referenceGroupBy(
    plain,
    { keys: [query.x], aggregates: [{ ...query.aggregate, as: 'y' }] },
    view,
  );
  return grouped
    .sort((a, b) => compareWithNulls(a[1]!, b[1]!, true))
    .slice(0, Math.max(0, Math.floor(query.limit ?? 50)));
}

function referenceLine(
  plain: PlainTable,
  query: Extract<ChartQuery, { kind: 'line' }>,
  view: number[] | null,
): Plain[][] {
  const x = plainColumn(plain, query.x).values;
  const ys = query.y.map((name) => plainColumn(plain, name).values);
  const rows = viewRows(plain, view)
    .filter((row) => x[row] !== null)
    .sort((a, b) => compareWithNulls(x[a]!, x[b]!, false));
  const maxPoints = Math.max(2, Math.floor(query.maxPoints ?? 2000));
  if (rows.length <= maxPoints) return rows.map((row) => [x[row]!, ...ys.map((y) => y[row]!)]);
  const buckets = Math.floor(maxPoints / 2);
  const points: Plain[][] = [];
  for (let b = 0; b < buckets; b++) {
    const inBucket = rows.slice(
      Math.floor((b * rows.length) / buckets),
      Math.floor(((b + 1) * rows.length) / buckets),
    );
    const extremes = ys.map((y) => {
      const values = inBucket
        .map((row) => y[row]!)
        .filter((value): value is number => value !== null && !Number.isNaN(value));
      if (values.length === 0) return [null, null];
      return [
        values.reduce((min, value) => (value < min ? value : min)),
        values.reduce((max, value) => (value > max ? value : max)),
      ];
    });
    points.push([x[inBucket[0]!]!, ...extremes.map((pair) => pair[0]!)]);
    points.push([x[inBucket[inBucket.length - 1]!]!, ...extremes.map((pair) => pair[1]!)]);
  }
  return points;
}

function referenceScatter(
  plain: PlainTable,
  query: Extract<ChartQuery, { kind: 'scatter' }>,
  view: number[] | null,
): Plain[][] {
  const columns = [query.x, query.y, ...(query.color ? [query.color] : [])].map(
    (name) => plainColumn(plain, name).values,
  );
  const rows = viewRows(plain, view).filter(
    (row) => columns[0]![row] !== null && columns[1]![row] !== null,
  );
  const maxPoints = Math.max(1, Math.floor(query.maxPoints ?? 200_000));
  const sample =
    rows.length <= maxPoints
      ? rows
      : Array.from(
          { length: maxPoints },
          (_, i) => rows[Math.floor((i * rows.length) / maxPoints)]!,
        );
  return sample.map((row) => columns.map((values) => values[row]!));
}

/** Type 7 quantile of sorted numbers: linear between the closest ranks. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

function referenceBox(
  plain: PlainTable,
  query: Extract<ChartQuery, { kind: 'box' }>,
  view: number[] | null,
): Plain[][] {
  const y = plainColumn(plain, query.y).values;
  const rows = viewRows(plain, view);
  let groups: { key: Plain; rows: number[] }[] = [{ key: 'all', rows }];
  if (query.groupBy !== undefined) {
    const keys = plainColumn(plain, query.groupBy).values;
    const rowsOfKey = new Map<string, number[]>();
    for (const row of rows) {
      const id = keyOf(keys[row]!);
      const list = rowsOfKey.get(id);
      if (list) list.push(row);
      else rowsOfKey.set(id, [row]);
    }
    groups = referenceGroupBy(plain, { keys: [query.groupBy], aggregates: [] }, view).map(
      ([key]) => ({ key: key!, rows: rowsOfKey.get(keyOf(key!))! }),
    );
  }
  return groups.map(({ key, rows: groupRows }) => {
    const values = groupRows
      .map((row) => y[row]!)
      .filter((value): value is number => value !== null && !Number.isNaN(value));
    const sorted = [...Float64Array.from(values).sort()];
    if (sorted.length === 0) return [key, null, null, null, null, null, null, null, 0];
    const q1 = quantile(sorted, 0.25);
    const q3 = quantile(sorted, 0.75);
    const reach = 1.5 * (q3 - q1);
    const lower = sorted.find((value) => value >= q1 - reach) ?? sorted[0]!;
    const upper =
      [...sorted].reverse().find((value) => value <= q3 + reach) ?? sorted[sorted.length - 1]!;
    return [
      key,
      sorted[0]!,
      q1,
      quantile(sorted, 0.5),
      q3,
      sorted[sorted.length - 1]!,
      lower,
      upper,
      sorted.length,
    ];
  });
}

/** Number columns with values whose sums are exact in any order; other kinds as usual. */
function chartValues(kind: Kind, narrow: boolean): fc.Arbitrary<Plain> {
  return NUMBER_KINDS.includes(kind) && !narrow ? exactNumberArb(kind) : valueArb(kind, narrow);
}

const KEY_KINDS: readonly Kind[] = ['category', 'string', 'bool', 'int32', 'float64'];
const Y_KINDS: readonly Kind[] = ['float64', 'int32', 'float32', 'date'];

const chartInput = plainTableArb({
  kinds: [...KEY_KINDS, 'float32', 'date'],
  maxRows: 80,
  values: chartValues,
}).chain((plain) => fc.record({ plain: fc.constant(plain), view: viewArb(plain.length) }));

describe('chartData', () => {
  it('histograms are the column stats bins', () => {
    fc.assert(
      fc.property(
        chartInput,
        fc.constantFrom(...Y_KINDS),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        ({ plain, view }, x, bins) => {
          const table = buildTable(plain);
          const got = chartData(
            table,
            { kind: 'histogram', x, ...(bins === undefined ? {} : { bins }) },
            selectionOf(view),
          );
          const stats = columnStats(plainColumnOf(table, x), selectionOf(view), {
            bins: bins ?? 20,
          });
          const edges = stats.numeric?.histogram.edges ?? [];
          const counts = stats.numeric?.histogram.counts ?? [];
          expect(namesOf(got)).toEqual(['bin_start', 'bin_end', 'count']);
          expect(plainRowsOf(got)).toEqual(
            counts.map((count, i) => [normal(edges[i]!), normal(edges[i + 1]!), count]),
          );
        },
      ),
    );
  });

  it('bars are the groups with the largest aggregate first, at most limit of them', () => {
    const aggregate: fc.Arbitrary<Aggregate> = fc.oneof(
      fc.constant({ op: 'count' as const }),
      fc.record({
        op: fc.constantFrom('sum' as const, 'mean' as const, 'min' as const, 'max' as const),
        column: fc.constantFrom(...Y_KINDS),
      }),
      fc.record({
        op: fc.constant('distinct_count' as const),
        column: fc.constantFrom(...KEY_KINDS),
      }),
    );
    fc.assert(
      fc.property(
        chartInput,
        fc.constantFrom(...KEY_KINDS),
        aggregate,
        fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
        ({ plain, view }, x, agg, limit) => {
          const query = {
            kind: 'bar' as const,
            x,
            aggregate: agg,
            ...(limit === undefined ? {} : { limit }),
          };
          const got = chartData(buildTable(plain), query, selectionOf(view));
          expect(namesOf(got)).toEqual(['x', 'y']);
          expect(plainRowsOf(got)).toEqual(
            referenceBar(plain, query, view).map((row) => row.map(normal)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lines are sorted by x, reduced to each bucket’s minimum and maximum', () => {
    fc.assert(
      fc.property(
        chartInput,
        fc.constantFrom(...KEY_KINDS, 'date' as const),
        fc.uniqueArray(fc.constantFrom(...Y_KINDS), { maxLength: 2 }),
        fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
        ({ plain, view }, x, y, maxPoints) => {
          const query = {
            kind: 'line' as const,
            x,
            y,
            ...(maxPoints === undefined ? {} : { maxPoints }),
          };
          const got = chartData(buildTable(plain), query, selectionOf(view));
          expect(namesOf(got)).toEqual(['x', ...y]);
          expect(plainRowsOf(got)).toEqual(
            referenceLine(plain, query, view).map((row) => row.map(normal)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('scatters are the rows holding x and y, evenly sampled', () => {
    fc.assert(
      fc.property(
        chartInput,
        fc.constantFrom(...Y_KINDS),
        fc.constantFrom(...Y_KINDS),
        fc.option(fc.constantFrom(...KEY_KINDS), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
        ({ plain, view }, x, y, color, maxPoints) => {
          const query = {
            kind: 'scatter' as const,
            x,
            y,
            ...(color === undefined ? {} : { color }),
            ...(maxPoints === undefined ? {} : { maxPoints }),
          };
          const got = chartData(buildTable(plain), query, selectionOf(view));
          expect(namesOf(got)).toEqual(['x', 'y', ...(color ? ['color'] : [])]);
          expect(plainRowsOf(got)).toEqual(
            referenceScatter(plain, query, view).map((row) => row.map(normal)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('box plots give quantiles and whiskers per group, the null group last', () => {
    fc.assert(
      fc.property(
        chartInput,
        fc.constantFrom(...Y_KINDS),
        fc.option(fc.constantFrom(...KEY_KINDS), { nil: undefined }),
        ({ plain, view }, y, groupBy) => {
          const query = { kind: 'box' as const, y, ...(groupBy === undefined ? {} : { groupBy }) };
          const got = chartData(buildTable(plain), query, selectionOf(view));
          expect(namesOf(got)).toEqual([
            'group',
            'min',
            'q1',
            'median',
            'q3',
            'max',
            'lower_whisker',
            'upper_whisker',
            'count',
          ]);
          expect(plainRowsOf(got)).toEqual(
            referenceBox(plain, query, view).map((row) => row.map(normal)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('matches the references on big tables', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const plain = bigPlainTable(
          seed,
          50_000,
          ['category', 'float64', 'int32', 'string'],
          seed % 3 === 0,
        );
        const view =
          seed % 2 === 0 ? null : Array.from({ length: 30_000 }, (_, i) => (i * 17) % 50_000);
        const table = buildTable(plain);
        const line = { kind: 'line' as const, x: 'int32', y: ['float64'], maxPoints: 500 };
        expect(plainRowsOf(chartData(table, line, selectionOf(view)))).toEqual(
          referenceLine(plain, line, view).map((row) => row.map(normal)),
        );
        const box = { kind: 'box' as const, y: 'float64', groupBy: 'category' };
        expect(plainRowsOf(chartData(table, box, selectionOf(view)))).toEqual(
          referenceBox(plain, box, view).map((row) => row.map(normal)),
        );
        const scatter = {
          kind: 'scatter' as const,
          x: 'int32',
          y: 'float64',
          color: 'string',
          maxPoints: 1000,
        };
        expect(plainRowsOf(chartData(table, scatter, selectionOf(view)))).toEqual(
          referenceScatter(plain, scatter, view).map((row) => row.map(normal)),
        );
        const bar = {
          kind: 'bar' as const,
          x: 'string',
          aggregate: { op: 'count' as const },
          limit: 7,
        };
        expect(plainRowsOf(chartData(table, bar, selectionOf(view)))).toEqual(
          referenceBar(plain, bar, view).map((row) => row.map(normal)),
        );
      }),
      { numRuns: 3 },
    );
  });

  it('refuses charts of numbers over text columns', () => {
    const table = buildTable({
      length: 1,
      columns: [{ name: 's', kind: 'string', values: ['x'] }],
    });
    for (const query of [
      { kind: 'histogram', x: 's' },
      { kind: 'box', y: 's' },
      { kind: 'line', x: 's', y: ['s'] },
    ] as ChartQuery[]) {
      expect(() => chartData(table, query, null)).toThrow(EngineError);
    }
  });
});

function plainColumnOf(table: ColumnTable, name: string) {
  return table.columns.find((column) => column.name === name)!;
}

/**
 * Property tests of the kernels against simple references built on `valueAt`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DictBuilder, NumberBuilder, Utf8Builder } from '../columns/column-builder.ts';
import { valueAt, type ColumnTable } from '../columns/column-data.ts';
import { compareCodePoints } from './coerce-scalar.ts';
import {
  chartData,
  columnStats,
  filterRows,
  gatherTable,
  groupBy,
  sortRows,
  topRows,
} from './index.ts';

type Row = { n: number | null; s: string | null; c: string | null };

function tableOf(rows: readonly Row[]): ColumnTable {
  const n = new NumberBuilder('float');
  const s = new Utf8Builder();
  const c = new DictBuilder();
  for (const row of rows) {
    if (row.n === null) n.appendNull();
    else n.append(row.n);
    if (row.s === null) s.appendNull();
    else s.append(row.s);
    if (row.c === null) c.appendNull();
    else c.append(row.c);
  }
  return {
    length: rows.length,
    columns: [
      { name: 'n', data: n.finish() },
      { name: 's', data: s.finish() },
      { name: 'c', data: c.finish() },
    ],
  };
}

const rowArb = fc.record({
  n: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
  s: fc.option(fc.string({ maxLength: 3 }), { nil: null }),
  c: fc.option(fc.constantFrom('b', 'a', 'c'), { nil: null }),
});
const rowsArb = fc.array(rowArb, { maxLength: 60 });

function compare(a: number | string | null, b: number | string | null, desc: boolean): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  const order = typeof a === 'number' ? a - (b as number) : compareCodePoints(a, b as string);
  return desc ? -order : order;
}

describe('kernels', () => {
  it('filterRows matches a per-row reference', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: -5, max: 5 }), (rows, target) => {
        const table = tableOf(rows);
        const got = filterRows(table, { op: 'ge', column: 'n', value: target }, null);
        const want = rows.flatMap((row, i) => (row.n !== null && row.n >= target ? [i] : []));
        expect([...got]).toEqual(want);
      }),
    );
  });

  it('sortRows is a stable sort with nulls last, and topRows is its prefix', () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.constantFrom('n', 's', 'c'),
        fc.boolean(),
        fc.nat(70),
        (rows, key, desc, k) => {
          const table = tableOf(rows);
          const keys = [
            { column: key, direction: desc ? 'desc' : 'asc' } as const,
            { column: 'n', direction: 'asc' } as const,
          ];
          const got = [...sortRows(table, keys, null)];
          const want = rows
            .map((_, i) => i)
            .sort(
              (a, b) =>
                compare(rows[a]![key as keyof Row], rows[b]![key as keyof Row], desc) ||
                compare(rows[a]!.n, rows[b]!.n, false) ||
                a - b,
            );
          expect(got).toEqual(want);
          expect([...topRows(table, keys, k, null)]).toEqual(want.slice(0, k));
        },
      ),
    );
  });

  it('groupBy counts and sums like a Map reference, keys ascending, nulls last', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const table = tableOf(rows);
        const out = groupBy(
          table,
          { keys: ['c'], aggregates: [{ op: 'count' }, { op: 'sum', column: 'n' }] },
          null,
        );
        const groups = new Map<string | null, { count: number; sum: number; any: boolean }>();
        for (const row of rows) {
          const entry = groups.get(row.c) ?? { count: 0, sum: 0, any: false };
          entry.count++;
          if (row.n !== null) {
            entry.sum += row.n;
            entry.any = true;
          }
          groups.set(row.c, entry);
        }
        const keys = [...groups.keys()].sort((a, b) => compare(a, b, false));
        expect(out.columns.map((column) => column.name)).toEqual(['c', 'count', 'sum_n']);
        const got = Array.from({ length: out.length }, (_, g) =>
          out.columns.map((column) => valueAt(column.data, g)),
        );
        expect(got).toEqual(
          keys.map((key) => {
            const entry = groups.get(key)!;
            return [key, entry.count, entry.any ? entry.sum : null];
          }),
        );
      }),
    );
  });

  it('columnStats counts values, nulls and the histogram', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const table = tableOf(rows);
        const stats = columnStats(table.columns[0]!, null, { bins: 4 });
        const numbers = rows.flatMap((row) => (row.n === null ? [] : [row.n]));
        expect(stats.count).toBe(numbers.length);
        expect(stats.nullCount).toBe(rows.length - numbers.length);
        if (numbers.length > 0) {
          expect(stats.numeric?.min).toBe(Math.min(...numbers));
          expect(stats.numeric?.max).toBe(Math.max(...numbers));
          expect(stats.numeric?.histogram.counts.reduce((a, b) => a + b, 0)).toBe(numbers.length);
        }
      }),
    );
  });

  it('gatherTable pages a selection', () => {
    fc.assert(
      fc.property(rowsArb, fc.nat(70), fc.nat(70), (rows, offset, limit) => {
        const table = tableOf(rows);
        const selection = Uint32Array.from(rows.map((_, i) => rows.length - 1 - i));
        const page = gatherTable(table, selection, offset, limit, ['s']);
        const want = [...selection].slice(offset, offset + limit).map((row) => rows[row]!.s);
        expect(
          Array.from({ length: page.length }, (_, i) => valueAt(page.columns[0]!.data, i)),
        ).toEqual(want);
      }),
    );
  });

  it('bar charts are the largest groups first and histograms count every number', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const table = tableOf(rows);
        const bar = chartData(table, { kind: 'bar', x: 'c', aggregate: { op: 'count' } }, null);
        const ys = Array.from(
          { length: bar.length },
          (_, i) => valueAt(bar.columns[1]!.data, i) as number,
        );
        expect(ys).toEqual([...ys].sort((a, b) => b - a));
        expect(ys.reduce((a, b) => a + b, 0)).toBe(rows.length);
        const histogram = chartData(table, { kind: 'histogram', x: 'n', bins: 3 }, null);
        let total = 0;
        for (let i = 0; i < histogram.length; i++)
          total += valueAt(histogram.columns[2]!.data, i) as number;
        expect(total).toBe(rows.filter((row) => row.n !== null).length);
        const box = chartData(table, { kind: 'box', y: 'n', groupBy: 'c' }, null);
        expect(box.length).toBe(new Set(rows.map((row) => row.c)).size);
      }),
    );
  });
});

/**
 * Column summaries over a view (count, nulls, min/max/mean and a histogram for numbers, most
 * frequent values and distinct count for text and booleans), and the histogram the chart kernel
 * shares. `count` is the number of rows holding a value; NaN is counted but left out of
 * min/max/mean/histogram.
 */
import { valueAt, type Column, type ColumnData, type Selection } from '../columns/column-data.ts';
import type { ColumnStats, StatsOptions } from '../protocol.ts';
import { compareCodePoints } from './coerce-scalar.ts';

/**
 * Equal-width histogram of the numbers of `data` over `rows` (nulls and NaN skipped), or null
 * when there is none. When all values are equal the range is widened by 0.5 either side.
 *
 * @example
 * numericSummary(column.data, null, 20)?.histogram.counts;
 */
export function numericSummary(
  data: ColumnData,
  selection: Selection,
  bins: number,
): ColumnStats['numeric'] | null {
  if (data.kind !== 'number') return null;
  const { values, validity } = data;
  const count = selection === null ? data.length : selection.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) continue;
    const value = values[row]!;
    if (value !== value) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
    n++;
  }
  if (n === 0) return null;
  const low = min === max ? min - 0.5 : min;
  const high = min === max ? max + 0.5 : max;
  const width = (high - low) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) continue;
    const value = values[row]!;
    if (value !== value) continue;
    let bin = Math.floor((value - low) / width);
    if (bin >= bins) bin = bins - 1;
    if (bin < 0) bin = 0;
    counts[bin]!++;
  }
  return { min, max, mean: sum / n, histogram: { edges, counts } };
}

function clamp(value: number | undefined, fallback: number): number {
  return Math.max(1, Math.min(1000, Math.floor(value ?? fallback)));
}

/**
 * A column's summary over the rows of a view.
 *
 * @example
 * columnStats(column, null, { bins: 10 }).numeric?.mean;
 */
export function columnStats(
  column: Column,
  selection: Selection,
  options?: StatsOptions,
): ColumnStats {
  const { data } = column;
  const total = selection === null ? data.length : selection.length;
  let nulls = 0;
  if (data.validity !== null) {
    for (let i = 0; i < total; i++) {
      const row = selection === null ? i : selection[i]!;
      if (((data.validity[row >> 3]! >> (row & 7)) & 1) === 0) nulls++;
    }
  }
  const base = { column: column.name, type: data.type, count: total - nulls, nullCount: nulls };
  if (data.kind === 'number') {
    const numeric = numericSummary(data, selection, clamp(options?.bins, 20));
    return numeric ? { ...base, numeric } : base;
  }
  const counts = new Map<string | boolean, number>();
  for (let i = 0; i < total; i++) {
    const row = selection === null ? i : selection[i]!;
    const value = valueAt(data, row);
    if (value === null || typeof value === 'number') continue;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const ordered = [...counts].sort(
    ([va, ca], [vb, cb]) =>
      cb - ca ||
      (typeof va === 'boolean' ? Number(va) - Number(vb) : compareCodePoints(va, String(vb))),
  );
  return {
    ...base,
    topValues: ordered
      .slice(0, clamp(options?.topValues, 10))
      .map(([value, count]) => ({ value, count })),
    distinctCount: counts.size,
  };
}

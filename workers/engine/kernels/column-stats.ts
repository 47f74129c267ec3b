/**
 * Column summaries over a view (count, nulls, min/max/mean and a histogram for numbers, most
 * frequent values and distinct count for text and booleans), and the histogram the chart kernel
 * shares. `count` is the number of rows holding a value; NaN is counted but left out of
 * min/max/mean/histogram.
 *
 * Numbers take two passes over the typed array (extremes and sum, then bins). Text and booleans
 * are counted per slot (`key-slots.ts`): dictionary codes and booleans directly, text hashed by
 * its bytes; only the values shown are decoded.
 */
import {
  nullCount,
  valueAt,
  type Column,
  type ColumnData,
  type NumericArray,
  type Selection,
  type Validity,
} from '../columns/column-data.ts';
import type { ColumnStats, StatsOptions } from '../protocol.ts';
import { firstPositions, keySlots } from './key-slots.ts';

/**
 * Count, extremes and mean of the numbers of `data` over a view (nulls and NaN skipped) with an
 * equal-width histogram, or null when there is no number. The histogram spans the finite
 * values; -Infinity counts in the first bin and +Infinity in the last. When the finite values
 * are all equal the span is widened by 0.5 either side and they all count in the middle bin;
 * with no finite value at all it is [-0.5, 0.5]. Bins are computed on halved values, so that
 * spans wider than the largest double (-1e308 to 1e308) lose no value.
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
  let finiteMin = Infinity;
  let finiteMax = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) continue;
    const value = values[row]!;
    if (value !== value) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    if (value < finiteMin && value !== -Infinity) finiteMin = value;
    if (value > finiteMax && value !== Infinity) finiteMax = value;
    sum += value;
    n++;
  }
  if (n === 0) return null;
  const noFinite = finiteMin > finiteMax;
  const equal = finiteMin === finiteMax;
  const low = noFinite ? -0.5 : equal ? finiteMin - 0.5 : finiteMin;
  const high = noFinite ? 0.5 : equal ? finiteMax + 0.5 : finiteMax;
  const halfWidth = (high / 2 - low / 2) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) =>
    i === bins ? high : 2 * (low / 2 + i * halfWidth),
  );
  const counts = binCounts(values, validity, selection, count, { low, halfWidth, bins, equal });
  return { min, max, mean: sum / n, histogram: { edges, counts } };
}

interface Binning {
  readonly low: number;
  readonly halfWidth: number;
  readonly bins: number;
  /** Whether the finite values are all equal (and so all fall in the middle bin). */
  readonly equal: boolean;
}

/**
 * Values per bin: `floor((value - low) / width)` on halves, clamped into `0 .. bins - 1`, NaN
 * into the first.
 */
function binCounts(
  values: NumericArray,
  validity: Validity,
  selection: Selection,
  count: number,
  { low, halfWidth, bins, equal }: Binning,
): number[] {
  const counts = new Float64Array(bins);
  const last = bins - 1;
  const middle = bins >> 1;
  const halfLow = low / 2;
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) continue;
    const value = values[row]!;
    if (value !== value) continue;
    let bin: number;
    if (value === -Infinity) bin = 0;
    else if (value === Infinity) bin = last;
    else if (equal) bin = middle;
    else bin = Math.floor((value / 2 - halfLow) / halfWidth);
    // NaN only comes of widths that underflow to 0 (spans of a few subnormals): first bin.
    counts[bin >= last ? last : bin >= 0 ? bin : 0]!++;
  }
  return Array.from(counts);
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
  const nulls = selection === null ? nullCount(data) : nullsAmong(data.validity, selection);
  const base = { column: column.name, type: data.type, count: total - nulls, nullCount: nulls };
  if (data.kind === 'number') {
    const numeric = numericSummary(data, selection, clamp(options?.bins, 20));
    return numeric ? { ...base, numeric } : base;
  }
  return { ...base, ...frequentValues(data, selection, clamp(options?.topValues, 10)) };
}

function nullsAmong(validity: Validity, selection: Uint32Array): number {
  if (validity === null) return 0;
  let nulls = 0;
  for (let i = 0; i < selection.length; i++) {
    const row = selection[i]!;
    nulls += ((validity[row >> 3]! >> (row & 7)) & 1) ^ 1;
  }
  return nulls;
}

/**
 * The most frequent values (ties by value) and the number of distinct values, counted per slot
 * (`key-slots.ts`) so that only the values shown are ever decoded.
 */
function frequentValues(
  data: ColumnData,
  selection: Selection,
  keep: number,
): Pick<ColumnStats, 'topValues' | 'distinctCount'> {
  const { slots, slotCount, rankOf, rankCount, nullSlot } = keySlots(data, selection, true);
  const perSlot = new Float64Array(slotCount);
  for (let i = 0; i < slots.length; i++) perSlot[slots[i]!]!++;
  perSlot[nullSlot] = 0;
  const perRank = new Float64Array(rankCount);
  for (let slot = 0; slot < slotCount; slot++) {
    perRank[rankOf === null ? slot : rankOf[slot]!]! += perSlot[slot]!;
  }
  const ranks: number[] = [];
  for (let rank = 0; rank < rankCount; rank++) if (perRank[rank]! > 0) ranks.push(rank);
  const top = ranks
    .slice()
    .sort((a, b) => perRank[b]! - perRank[a]! || a - b)
    .slice(0, keep);
  const wanted = new Uint8Array(slotCount);
  const shown = new Uint8Array(rankCount);
  for (const rank of top) shown[rank] = 1;
  for (let slot = 0; slot < slotCount; slot++) {
    if (perSlot[slot]! > 0 && shown[rankOf === null ? slot : rankOf[slot]!]) wanted[slot] = 1;
  }
  const first = firstPositions(slots, slotCount, wanted);
  const rowOfRank = new Map<number, number>();
  for (let slot = 0; slot < slotCount; slot++) {
    if (!wanted[slot]) continue;
    const position = first[slot]!;
    const row = selection === null ? position : selection[position]!;
    rowOfRank.set(rankOf === null ? slot : rankOf[slot]!, row);
  }
  return {
    topValues: top.map((rank) => ({
      value: valueAt(data, rowOfRank.get(rank)!) as string | boolean,
      count: perRank[rank]!,
    })),
    distinctCount: ranks.length,
  };
}

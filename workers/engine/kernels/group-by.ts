/**
 * The group-by kernel: rows of a view grouped by key columns (nulls form a group of their own,
 * last), ordered by the keys ascending, with count/sum/mean/min/max/distinct_count per group.
 *
 * Rows are never sorted. Each key turns into slots (`key-slots.ts`: dictionary codes, booleans,
 * small-range integers as they are, other values hashed), several keys into one composite slot
 * (`slot * ranks + rank`, re-densified through a pair hash when the product grows past the
 * view's size). Aggregates then accumulate per slot into typed arrays in one pass per column,
 * with loops specialised for whole tables and for columns without nulls, and the row count
 * rides along with the first such pass. Only at the end are the slots folded into groups in key
 * order (slots of equal rank, such as duplicate dictionary entries, merge), so the per-row work
 * for a dictionary key is one code read and a few adds.
 *
 * Semantics: `sum`/`mean`/`min`/`max` need number columns (else `type_mismatch`) and skip nulls;
 * an all-null group gives a null. Sums follow IEEE 754 (a NaN makes the sum NaN). `min` and
 * `max` follow the sort order, where NaN ranks above +Infinity: `max` is NaN when the group holds
 * a NaN, `min` only when every value is NaN. `distinct_count` counts distinct non-null values
 * (NaN is one value, -0 equals 0). Counts are `int` columns in Float64Arrays. A key column shows,
 * per group, the value of the group's first row in the view.
 */
import type {
  CodeArray,
  Column,
  ColumnData,
  ColumnTable,
  NumberColumnData,
  NumericArray,
  Selection,
} from '../columns/column-data.ts';
import { EngineError, columnNamed } from '../engine-error.ts';
import type { Aggregate, GroupBySpec } from '../protocol.ts';
import { gatherColumn } from './gather-table.ts';
import { denseSlotLimit, firstPositions, keySlots, rankPairs } from './key-slots.ts';

type Slots = Uint32Array | CodeArray;

/** The keys of a view as one slot per position, slots numbered so that their order is key order. */
interface GroupSlots {
  readonly slots: Slots;
  readonly slotCount: number;
  readonly rankOf: Uint32Array | null;
  readonly rankCount: number;
}

/** Slots folded into groups: each occupied slot's group, in key order. */
interface Groups {
  readonly groupOfSlot: Uint32Array;
  readonly groups: number;
  /** Per group, the first row of the view holding it. */
  readonly firstRows: Uint32Array;
}

/** Per-slot sums of one number column. */
interface ColumnSums {
  /** Rows holding a value. */
  readonly n: Float64Array;
  readonly sum: Float64Array | null;
  /** Values other than NaN, and their extremes. */
  readonly plain: Float64Array | null;
  readonly min: Float64Array | null;
  readonly max: Float64Array | null;
}

/**
 * Groups a view by `spec.keys` and computes `spec.aggregates` per group.
 *
 * @example
 * groupBy(table, { keys: ['drug'], aggregates: [{ op: 'count' }, { op: 'mean', column: 'dose' }] }, null);
 */
export function groupBy(table: ColumnTable, spec: GroupBySpec, selection: Selection): ColumnTable {
  const count = selection === null ? table.length : selection.length;
  const keyColumns = spec.keys.map((key) => columnNamed(table, key));
  const numberColumns = new Map<string, NumberColumnData>();
  for (const aggregate of spec.aggregates) {
    if (aggregate.op === 'count') continue;
    const column = columnNamed(table, aggregate.column);
    if (aggregate.op !== 'distinct_count') numberColumns.set(column.name, numbersOf(column));
  }
  const grouped = groupSlots(keyColumns, selection, count);
  const { slots, slotCount } = grouped;

  const sums = new Map<string, ColumnSums>();
  let rowsPerSlot: Float64Array | null = null;
  for (const [name, data] of numberColumns) {
    const wants = (op: Aggregate['op']) =>
      spec.aggregates.some(
        (aggregate) => aggregate.op !== 'count' && aggregate.op === op && aggregate.column === name,
      );
    const withSum = wants('sum') || wants('mean');
    const withExtremes = wants('min') || wants('max');
    const n = new Float64Array(slotCount);
    const sum = withSum ? new Float64Array(slotCount) : null;
    if (sum !== null) sumBySlot(slots, data, selection, count, n, sum);
    const extremes = withExtremes
      ? extremesBySlot(slots, data, selection, count, n, sum === null)
      : null;
    sums.set(name, { n, sum, ...(extremes ?? { plain: null, min: null, max: null }) });
    // Without nulls, the rows holding a value are all the rows.
    if (data.validity === null) rowsPerSlot ??= n;
  }
  rowsPerSlot ??= countBySlot(slots, count, slotCount);
  const groups = foldSlots(grouped, rowsPerSlot, selection);

  const columns: Column[] = keyColumns.map((column) => ({
    name: column.name,
    data: gatherColumn(column.data, groups.firstRows),
  }));
  for (const aggregate of spec.aggregates) {
    let data: ColumnData;
    if (aggregate.op === 'count') {
      data = intColumn(foldSum(rowsPerSlot, groups));
    } else if (aggregate.op === 'distinct_count') {
      const column = columnNamed(table, aggregate.column);
      data = intColumn(distinctCounts(column.data, grouped, groups, selection, count));
    } else {
      const column = numberColumns.get(aggregate.column)!;
      data = aggregateColumn(aggregate.op, column, sums.get(aggregate.column)!, groups);
    }
    columns.push({ name: nameOf(aggregate), data });
  }
  return { length: groups.groups, columns };
}

/**
 * Per position of a view, its group by one key column (groups numbered in key order, nulls
 * last), and the key's value per group: what box charts group by.
 *
 * @example
 * const { groupOf, groups, keys } = groupPositions(table, 'arm', selection);
 */
export function groupPositions(
  table: ColumnTable,
  key: string,
  selection: Selection,
): { readonly groupOf: Uint32Array; readonly groups: number; readonly keys: ColumnData } {
  const count = selection === null ? table.length : selection.length;
  const column = columnNamed(table, key);
  const grouped = groupSlots([column], selection, count);
  const groups = foldSlots(
    grouped,
    countBySlot(grouped.slots, count, grouped.slotCount),
    selection,
  );
  const groupOf = new Uint32Array(count);
  const { slots } = grouped;
  for (let i = 0; i < count; i++) groupOf[i] = groups.groupOfSlot[slots[i]!]!;
  return { groupOf, groups: groups.groups, keys: gatherColumn(column.data, groups.firstRows) };
}

function numbersOf(column: Column): NumberColumnData {
  if (column.data.kind !== 'number') {
    throw new EngineError({
      code: 'type_mismatch',
      message: `This aggregate needs numbers; column "${column.name}" holds ${column.data.type} values.`,
    });
  }
  return column.data;
}

function groupSlots(keys: readonly Column[], selection: Selection, count: number): GroupSlots {
  const [first, ...rest] = keys;
  if (first === undefined) {
    return { slots: new Uint32Array(count), slotCount: 1, rankOf: null, rankCount: 1 };
  }
  const single = keySlots(first.data, selection, true);
  if (rest.length === 0) return single;
  let composite = ranksOf(single);
  let ranks = single.rankCount;
  const limit = denseSlotLimit(count);
  for (const key of rest) {
    const next = keySlots(key.data, selection, true);
    const nextRanks = ranksOf(next);
    if (ranks * next.rankCount <= limit) {
      for (let i = 0; i < count; i++) composite[i] = composite[i]! * next.rankCount + nextRanks[i]!;
      ranks *= next.rankCount;
    } else {
      const paired = rankPairs(composite, nextRanks);
      composite = paired.ids;
      ranks = paired.count;
    }
  }
  return { slots: composite, slotCount: ranks, rankOf: null, rankCount: ranks };
}

/** Per position, the rank of its slot, in a new array. */
function ranksOf({ slots, rankOf }: GroupSlots): Uint32Array {
  const ranks = new Uint32Array(slots.length);
  if (rankOf === null) ranks.set(slots);
  else for (let i = 0; i < slots.length; i++) ranks[i] = rankOf[slots[i]!]!;
  return ranks;
}

function countBySlot(slots: Slots, count: number, slotCount: number): Float64Array {
  const rows = new Float64Array(slotCount);
  for (let i = 0; i < count; i++) rows[slots[i]!]!++;
  return rows;
}

/**
 * The hot loop of a group-by: one read of the slot and the value per row. Each slot's row count
 * and sum sit side by side in one array, so a row touches one cache line of accumulators.
 */
function sumBySlot(
  slots: Slots,
  data: NumberColumnData,
  selection: Selection,
  count: number,
  n: Float64Array,
  sum: Float64Array,
): void {
  const { values, validity } = data;
  const pairs = new Float64Array(2 * n.length);
  if (selection === null && validity === null) {
    for (let i = 0; i < count; i++) {
      const at = slots[i]! << 1;
      pairs[at]! += 1;
      pairs[at + 1]! += values[i]!;
    }
  } else if (validity === null) {
    for (let i = 0; i < count; i++) {
      const at = slots[i]! << 1;
      pairs[at]! += 1;
      pairs[at + 1]! += values[selection![i]!]!;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const row = selection === null ? i : selection[i]!;
      if (((validity[row >> 3]! >> (row & 7)) & 1) === 0) continue;
      const at = slots[i]! << 1;
      pairs[at]! += 1;
      pairs[at + 1]! += values[row]!;
    }
  }
  for (let slot = 0; slot < n.length; slot++) {
    n[slot] = pairs[slot << 1]!;
    sum[slot] = pairs[(slot << 1) + 1]!;
  }
}

/**
 * Minimum and maximum of the values other than NaN, and how many there are, per slot; also
 * counts the rows holding a value into `n` when `countRows` (no sum pass did).
 */
function extremesBySlot(
  slots: Slots,
  data: NumberColumnData,
  selection: Selection,
  count: number,
  n: Float64Array,
  countRows: boolean,
): { plain: Float64Array; min: Float64Array; max: Float64Array } {
  const { values, validity } = data;
  const slotCount = n.length;
  const plain = new Float64Array(slotCount);
  const min = new Float64Array(slotCount).fill(Infinity);
  const max = new Float64Array(slotCount).fill(-Infinity);
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) continue;
    const slot = slots[i]!;
    if (countRows) n[slot]!++;
    const value = values[row]!;
    if (value !== value) continue;
    plain[slot]!++;
    if (value < min[slot]!) min[slot] = value;
    if (value > max[slot]!) max[slot] = value;
  }
  return { plain, min, max };
}

/**
 * Folds slots into groups: the occupied ranks, in order, become groups `0 .. groups - 1`.
 */
function foldSlots(grouped: GroupSlots, rowsPerSlot: Float64Array, selection: Selection): Groups {
  const { slots, slotCount, rankOf, rankCount } = grouped;
  const occupied = new Uint8Array(slotCount);
  const rankOccupied = new Uint8Array(rankCount);
  for (let slot = 0; slot < slotCount; slot++) {
    if (rowsPerSlot[slot]! > 0) {
      occupied[slot] = 1;
      rankOccupied[rankOf === null ? slot : rankOf[slot]!] = 1;
    }
  }
  const groupOfRank = new Uint32Array(rankCount);
  let groups = 0;
  for (let rank = 0; rank < rankCount; rank++) {
    groupOfRank[rank] = groups;
    groups += rankOccupied[rank]!;
  }
  const groupOfSlot = new Uint32Array(slotCount);
  for (let slot = 0; slot < slotCount; slot++) {
    groupOfSlot[slot] = groupOfRank[rankOf === null ? slot : rankOf[slot]!]!;
  }
  const firstOfSlot = firstPositions(slots, slotCount, occupied);
  const firstRows = new Uint32Array(groups).fill(0xffffffff);
  for (let slot = 0; slot < slotCount; slot++) {
    if (!occupied[slot]) continue;
    const group = groupOfSlot[slot]!;
    if (firstOfSlot[slot]! < firstRows[group]!) firstRows[group] = firstOfSlot[slot]!;
  }
  if (selection !== null) for (let g = 0; g < groups; g++) firstRows[g] = selection[firstRows[g]!]!;
  return { groupOfSlot, groups, firstRows };
}

function foldSum(perSlot: Float64Array, { groupOfSlot, groups }: Groups): Float64Array {
  const perGroup = new Float64Array(groups);
  for (let slot = 0; slot < perSlot.length; slot++) {
    if (perSlot[slot]! !== 0) perGroup[groupOfSlot[slot]!]! += perSlot[slot]!;
  }
  return perGroup;
}

function aggregateColumn(
  op: 'sum' | 'mean' | 'min' | 'max',
  data: NumberColumnData,
  sums: ColumnSums,
  groups: Groups,
): NumberColumnData {
  const n = foldSum(sums.n, groups);
  const result = new Float64Array(groups.groups);
  if (op === 'sum' || op === 'mean') {
    const sum = foldSums(sums.sum!, sums.n, groups);
    for (let g = 0; g < groups.groups; g++) {
      result[g] = n[g]! === 0 ? 0 : op === 'sum' ? sum[g]! : sum[g]! / n[g]!;
    }
  } else {
    const plain = foldSum(sums.plain!, groups);
    const extremes = foldExtremes(op === 'min' ? sums.min! : sums.max!, sums.n, groups, op);
    for (let g = 0; g < groups.groups; g++) {
      if (n[g]! === 0) continue;
      const hasNaN = plain[g]! < n[g]!;
      result[g] = (op === 'max' && hasNaN) || plain[g]! === 0 ? NaN : extremes[g]!;
    }
  }
  const type =
    op === 'mean' ? 'float' : op === 'sum' ? (data.type === 'int' ? 'int' : 'float') : data.type;
  return { kind: 'number', type, length: groups.groups, values: result, validity: validityOf(n) };
}

/** Per-group sums of per-slot sums, adding only slots that hold values (a NaN stays put). */
function foldSums(sum: Float64Array, n: Float64Array, { groupOfSlot, groups }: Groups) {
  const perGroup = new Float64Array(groups);
  for (let slot = 0; slot < sum.length; slot++) {
    if (n[slot]! > 0) perGroup[groupOfSlot[slot]!]! += sum[slot]!;
  }
  return perGroup;
}

function foldExtremes(
  perSlot: Float64Array,
  n: Float64Array,
  { groupOfSlot, groups }: Groups,
  op: 'min' | 'max',
): Float64Array {
  const perGroup = new Float64Array(groups).fill(op === 'min' ? Infinity : -Infinity);
  for (let slot = 0; slot < perSlot.length; slot++) {
    if (n[slot]! === 0) continue;
    const group = groupOfSlot[slot]!;
    const value = perSlot[slot]!;
    if (op === 'min' ? value < perGroup[group]! : value > perGroup[group]!) {
      perGroup[group] = value;
    }
  }
  return perGroup;
}

/** Distinct non-null values per group, counting `(group, value)` pairs once each. */
function distinctCounts(
  data: ColumnData,
  grouped: GroupSlots,
  groups: Groups,
  selection: Selection,
  count: number,
): Float64Array {
  const values = keySlots(data, selection, false);
  const valueRanks = values.rankCount;
  const counts = new Float64Array(groups.groups);
  const groupOf = new Uint32Array(count);
  const valueOf = new Uint32Array(count);
  let pairs = 0;
  for (let i = 0; i < count; i++) {
    const slot = values.slots[i]!;
    if (slot === values.nullSlot) continue;
    groupOf[pairs] = groups.groupOfSlot[grouped.slots[i]!]!;
    valueOf[pairs] = values.rankOf === null ? slot : values.rankOf[slot]!;
    pairs++;
  }
  if (groups.groups * valueRanks <= denseSlotLimit(count)) {
    const seen = new Uint8Array(groups.groups * valueRanks);
    for (let i = 0; i < pairs; i++) {
      const at = groupOf[i]! * valueRanks + valueOf[i]!;
      if (seen[at] === 0) {
        seen[at] = 1;
        counts[groupOf[i]!]!++;
      }
    }
    return counts;
  }
  const { ids, count: distinct } = rankPairs(
    groupOf.subarray(0, pairs),
    valueOf.subarray(0, pairs),
  );
  const seen = new Uint8Array(distinct);
  for (let i = 0; i < pairs; i++) {
    if (seen[ids[i]!] === 0) {
      seen[ids[i]!] = 1;
      counts[groupOf[i]!]!++;
    }
  }
  return counts;
}

function nameOf(aggregate: Aggregate): string {
  if (aggregate.as !== undefined) return aggregate.as;
  return aggregate.op === 'count' ? 'count' : `${aggregate.op}_${aggregate.column}`;
}

function intColumn(values: NumericArray): NumberColumnData {
  return { kind: 'number', type: 'int', length: values.length, values, validity: null };
}

/** Valid where the group holds a value; null when every group does. */
function validityOf(n: Float64Array): Uint8Array | null {
  if (n.every((held) => held > 0)) return null;
  const bits = new Uint8Array((n.length + 7) >> 3);
  for (let g = 0; g < n.length; g++) if (n[g]! > 0) bits[g >> 3]! |= 1 << (g & 7);
  return bits;
}

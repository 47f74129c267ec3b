/**
 * The top-k kernel: the first `k` rows of a view in sort order, without sorting the view. It is
 * what `query` runs for a sort with a limit, so it must give exactly `sortRows(...).slice(0, k)`:
 * nulls last in both directions, NaN above +Infinity, ties in view order.
 *
 * One pass keeps a buffer of candidates. Once the buffer has been cut down to the best `k` its
 * worst member is the bar: a row that does not beat it can never make the top `k`, and is
 * dropped after one comparison (a row equal to the bar loses the tie, coming later in the view).
 * When the buffer fills it is cut again by quickselect, so even adversarial orders cost linear
 * work per row on average; the `k` survivors are sorted at the end. With a number as first key
 * the bar's value is held in a local and most rows are rejected by one float comparison, with no
 * function call. When `k` is a large share of the view, the radix sort is cheaper and is used.
 */
import type { ColumnData, ColumnTable, Selection } from '../columns/column-data.ts';
import { columnNamed } from '../engine-error.ts';
import type { SortKey } from '../protocol.ts';
import { compareRowBytes, dictionaryRanks } from './key-slots.ts';
import { sortRows } from './sort-rows.ts';

/** From this share of the view on (`k * SORT_SHARE >= count`) a full sort is cheaper. */
const SORT_SHARE = 8;
/** The candidate buffer holds this many times `k` rows before it is cut back to `k`. */
const BUFFER_FACTOR = 2;

type RowCompare = (a: number, b: number) => number;

/**
 * The first `k` rows of `sortRows(table, keys, rows)`, found without sorting the whole view.
 *
 * @example
 * topRows(table, [{ column: 'signal', direction: 'desc' }], 10, null);
 */
export function topRows(
  table: ColumnTable,
  keys: readonly SortKey[],
  k: number,
  rows: Selection,
): Uint32Array {
  const count = rows === null ? table.length : rows.length;
  // `|| 0` turns a NaN k into no rows, as `slice(0, NaN)` would.
  const wanted = Math.max(0, Math.min(count, Math.floor(k))) || 0;
  const columns = keys.map((key) => columnNamed(table, key.column).data);
  if (wanted === 0) return new Uint32Array(0);
  if (keys.length === 0) {
    const first = new Uint32Array(wanted);
    for (let i = 0; i < wanted; i++) first[i] = rows === null ? i : rows[i]!;
    return first;
  }
  if (wanted * SORT_SHARE >= count) return sortRows(table, keys, rows).slice(0, wanted);
  const compareRows = rowComparator(columns, keys);
  const rowOf = (position: number) => (rows === null ? position : rows[position]!);
  const comparePositions = (a: number, b: number) => compareRows(rowOf(a), rowOf(b)) || a - b;
  const candidates = scan(columns[0]!, keys, compareRows, comparePositions, wanted, rows, count);
  candidates.sort(comparePositions);
  const top = new Uint32Array(Math.min(wanted, candidates.length));
  for (let i = 0; i < top.length; i++) top[i] = rowOf(candidates[i]!);
  return top;
}

/** The candidate positions left after one pass: the top `wanted` among them, unordered. */
function scan(
  first: ColumnData,
  keys: readonly SortKey[],
  compareRows: RowCompare,
  comparePositions: RowCompare,
  wanted: number,
  rows: Selection,
  count: number,
): Uint32Array {
  const buffer = new Uint32Array(BUFFER_FACTOR * wanted);
  let fill = 0;
  let bar = -1;
  let barRow = -1;
  // The bar's first key when it is a number holding a value other than NaN, else NaN.
  let barValue = NaN;
  const numeric = first.kind === 'number' ? first : null;
  const values = numeric?.values;
  const validity = first.validity;
  const descending = keys[0]!.direction === 'desc';
  const onlyKey = keys.length === 1;
  for (let position = 0; position < count; position++) {
    const row = rows === null ? position : rows[position]!;
    if (bar >= 0) {
      if (values !== undefined && barValue === barValue) {
        const value = values[row]!;
        const plain =
          value === value && (validity === null || ((validity[row >> 3]! >> (row & 7)) & 1) === 1);
        if (plain) {
          if (descending ? value < barValue : value > barValue) continue;
          if (value === barValue && (onlyKey || compareRows(row, barRow) >= 0)) continue;
        } else if (value === value || !descending) {
          // A null sorts after the bar's value; so does NaN, unless descending.
          continue;
        }
      } else if (compareRows(row, barRow) >= 0) continue;
    }
    buffer[fill++] = position;
    if (fill === buffer.length) {
      selectSmallest(buffer, fill, wanted, comparePositions);
      fill = wanted;
      bar = buffer[wanted - 1]!;
      barRow = rows === null ? bar : rows[bar]!;
      barValue = NaN;
      if (values !== undefined) {
        const value = values[barRow]!;
        if (validity === null || ((validity[barRow >> 3]! >> (barRow & 7)) & 1) === 1) {
          barValue = value;
        }
      }
    }
  }
  return buffer.subarray(0, fill);
}

/**
 * Reorders `items[0 .. length)` so that its first `k` are the `k` smallest under `compare` (a
 * total order), the largest of them at `k - 1`: quickselect with a median-of-three pivot.
 */
function selectSmallest(items: Uint32Array, length: number, k: number, compare: RowCompare) {
  const target = k - 1;
  let left = 0;
  let right = length - 1;
  while (right > left) {
    const middle = (left + right) >>> 1;
    const a = items[left]!;
    const b = items[middle]!;
    const c = items[right]!;
    const pivot =
      compare(a, b) < 0
        ? compare(b, c) < 0
          ? b
          : compare(a, c) < 0
            ? c
            : a
        : compare(a, c) < 0
          ? a
          : compare(b, c) < 0
            ? c
            : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while (compare(items[i]!, pivot) < 0) i++;
      while (compare(items[j]!, pivot) > 0) j--;
      if (i <= j) {
        const swap = items[i]!;
        items[i] = items[j]!;
        items[j] = swap;
        i++;
        j--;
      }
    }
    if (target <= j) right = j;
    else if (target >= i) left = i;
    else return;
  }
}

/**
 * Orders two rows by `keys` (negative when the first sorts first), nulls last in either
 * direction; 0 when every key ties.
 */
function rowComparator(columns: readonly ColumnData[], keys: readonly SortKey[]): RowCompare {
  const compares = columns.map((data, k) => keyComparator(data, keys[k]!.direction === 'desc'));
  if (compares.length === 1) return compares[0]!;
  return (a, b) => {
    for (const compare of compares) {
      const order = compare(a, b);
      if (order !== 0) return order;
    }
    return 0;
  };
}

function keyComparator(data: ColumnData, descending: boolean): RowCompare {
  const sign = descending ? -1 : 1;
  const { validity } = data;
  const valueOrder = valueComparator(data);
  if (validity === null) return (a, b) => sign * valueOrder(a, b);
  return (a, b) => {
    const validA = (validity[a >> 3]! >> (a & 7)) & 1;
    const validB = (validity[b >> 3]! >> (b & 7)) & 1;
    if ((validA & validB) === 0) return validB - validA;
    return sign * valueOrder(a, b);
  };
}

/** Ascending order of two rows holding values. */
function valueComparator(data: ColumnData): RowCompare {
  switch (data.kind) {
    case 'number': {
      const { values } = data;
      return (a, b) => {
        const x = values[a]!;
        const y = values[b]!;
        if (x < y) return -1;
        if (x > y) return 1;
        if (x === y) return 0;
        return (x !== x ? 1 : 0) - (y !== y ? 1 : 0);
      };
    }
    case 'bool': {
      const { bits } = data;
      return (a, b) => ((bits[a >> 3]! >> (a & 7)) & 1) - ((bits[b >> 3]! >> (b & 7)) & 1);
    }
    case 'dict': {
      const { rankOf } = dictionaryRanks(data.dictionary);
      const { codes } = data;
      return (a, b) => rankOf[codes[a]!]! - rankOf[codes[b]!]!;
    }
    case 'utf8':
      return (a, b) => compareRowBytes(data, a, b);
  }
}

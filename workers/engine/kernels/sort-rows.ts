/**
 * The sort kernel: stable multi-key sort of a view's rows, nulls last in either direction.
 *
 * Least-significant key first, each key is one stable radix sort (`radix-sort.ts`) of the
 * current order by a 32- or 64-bit key per row whose unsigned order is the column's order:
 * integers and booleans as they are, floats by their bits (NaN above +Infinity, -0 equal to 0),
 * dictionary codes through the dictionary's ranks and text through the ranks of its distinct
 * values (`key-slots.ts`). A descending key inverts its bits, so equal values stay equal and
 * keep their order. Nulls never enter the radix sort: each pass moves them, in order, behind
 * the rows holding values. No comparator is called per pair, so a sort costs a few linear
 * passes per key whatever the data.
 */
import type { ColumnData, ColumnTable, Selection } from '../columns/column-data.ts';
import { columnNamed } from '../engine-error.ts';
import type { SortKey } from '../protocol.ts';
import { dictionaryRanks, keySlots } from './key-slots.ts';
import {
  floatSortKeys,
  integerSortKeys,
  isFloatArray,
  radixSortByU32,
  radixSortByU64,
} from './radix-sort.ts';

/**
 * The rows of a view stably sorted by `keys`, nulls last in either direction.
 *
 * @example
 * sortRows(table, [{ column: 'dose_mg', direction: 'desc' }], null);
 */
export function sortRows(
  table: ColumnTable,
  keys: readonly SortKey[],
  rows: Selection,
): Uint32Array {
  const count = rows === null ? table.length : rows.length;
  const columns = keys.map((key) => columnNamed(table, key.column).data);
  let order: Uint32Array | null = null;
  for (let k = keys.length - 1; k >= 0; k--) {
    order = sortByKey(columns[k]!, keys[k]!.direction === 'desc', rows, order, count);
  }
  if (order === null) return rows === null ? identity(count) : rows.slice();
  if (rows !== null) for (let i = 0; i < count; i++) order[i] = rows[order[i]!]!;
  return order;
}

function identity(count: number): Uint32Array {
  const positions = new Uint32Array(count);
  for (let i = 0; i < count; i++) positions[i] = i;
  return positions;
}

/**
 * Positions of the view (`order`, or all in view order when null) stably sorted by one key,
 * nulls last.
 */
function sortByKey(
  data: ColumnData,
  descending: boolean,
  selection: Selection,
  order: Uint32Array | null,
  count: number,
): Uint32Array {
  const { validity } = data;
  // Positions holding a value, in their current order, and the rows behind them.
  let items: Uint32Array;
  let rowsOfItems: Uint32Array | null;
  let nulls: Uint32Array | null = null;
  if (validity === null) {
    items = order === null ? identity(count) : order;
    rowsOfItems = order === null ? selection : rowsAt(selection, order);
  } else {
    const valid = new Uint32Array(count);
    const invalid = new Uint32Array(count);
    let validCount = 0;
    let nullCount = 0;
    for (let i = 0; i < count; i++) {
      const position = order === null ? i : order[i]!;
      const row = selection === null ? position : selection[position]!;
      if ((validity[row >> 3]! >> (row & 7)) & 1) valid[validCount++] = position;
      else invalid[nullCount++] = position;
    }
    items = valid.subarray(0, validCount);
    nulls = invalid.subarray(0, nullCount);
    rowsOfItems = rowsAt(selection, items);
  }
  const sorted = radixSortItems(data, descending, selection, items, rowsOfItems);
  if (nulls === null || nulls.length === 0) return sorted;
  const result = new Uint32Array(count);
  result.set(sorted);
  result.set(nulls, sorted.length);
  return result;
}

/**
 * The rows of `positions` (the positions themselves when the view is a whole table; sort keys
 * are read before the radix sort reuses the positions as scratch space).
 */
function rowsAt(selection: Selection, positions: Uint32Array): Uint32Array {
  if (selection === null) return positions;
  const rows = new Uint32Array(positions.length);
  for (let i = 0; i < positions.length; i++) rows[i] = selection[positions[i]!]!;
  return rows;
}

/**
 * `items` (positions holding a value) stably sorted by the column's value at `rowsOfItems`
 * (at `items` themselves when null). Consumes both arrays.
 */
function radixSortItems(
  data: ColumnData,
  descending: boolean,
  selection: Selection,
  items: Uint32Array,
  rowsOfItems: Uint32Array | null,
): Uint32Array {
  const count = items.length;
  const flip = descending ? 0xffffffff : 0;
  switch (data.kind) {
    case 'number': {
      if (isFloatArray(data.values)) {
        const high = new Uint32Array(count);
        const low = new Uint32Array(count);
        floatSortKeys(data.values, rowsOfItems, high, low, descending);
        return radixSortByU64(items, high, low);
      }
      const keys = new Uint32Array(count);
      integerSortKeys(data.values, rowsOfItems, keys, descending);
      return radixSortByU32(items, keys);
    }
    case 'bool': {
      const keys = new Uint32Array(count);
      const { bits } = data;
      for (let i = 0; i < count; i++) {
        const row = rowsOfItems === null ? i : rowsOfItems[i]!;
        keys[i] = ((bits[row >> 3]! >> (row & 7)) & 1) ^ flip;
      }
      return radixSortByU32(items, keys);
    }
    case 'dict': {
      const { rankOf } = dictionaryRanks(data.dictionary);
      const { codes } = data;
      const keys = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        const row = rowsOfItems === null ? i : rowsOfItems[i]!;
        keys[i] = rankOf[codes[row]!]! ^ flip;
      }
      return radixSortByU32(items, keys);
    }
    case 'utf8': {
      // Ranks of the distinct texts over the whole view, looked up by position.
      const { slots, rankOf } = keySlots(data, selection, true);
      const keys = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        const slot = slots[items[i]!]!;
        keys[i] = (rankOf === null ? slot : rankOf[slot]!) ^ flip;
      }
      return radixSortByU32(items, keys);
    }
  }
}

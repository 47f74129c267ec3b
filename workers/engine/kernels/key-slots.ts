/**
 * Dense small integers for the values of a column, the common currency of group-by, distinct
 * counts and text statistics: each position of a view gets a slot, equal values share one, and
 * every slot has a rank in the column's order. Aggregates then index typed arrays by slot
 * instead of hashing strings or boxing values per row.
 *
 * How slots are found depends on the column, cheapest first:
 * - dictionary codes are slots already (the dictionary is ranked once, duplicates merged);
 * - booleans are 0 and 1;
 * - whole numbers in a range no wider than the view take `value - min`, already in order;
 * - other numbers are hashed by value (open addressing on the float64, -0 folded into 0, NaN one
 *   slot of its own) and text by its UTF-8 bytes, never decoding a row; only the distinct values
 *   are then ranked.
 * Nulls always get a slot of their own that ranks last, which is what group-by and sort want.
 */
import type {
  CodeArray,
  ColumnData,
  DictColumnData,
  NumberColumnData,
  Selection,
  Utf8ColumnData,
} from '../columns/column-data.ts';
import { compareCodePoints } from './coerce-scalar.ts';
import { floatSortKeys, radixSortByU64 } from './radix-sort.ts';

/** A column's values over a view, as slots (see the module comment). */
export interface KeySlots {
  /** Per position of the view, the slot of its value; may be the column's own code array. */
  readonly slots: Uint32Array | CodeArray;
  /** Slots are `0 .. slotCount - 1`; some may hold no row. */
  readonly slotCount: number;
  /**
   * Per slot, its rank: equal values share a rank, and with `ordered` ranks follow the column's
   * order (nulls last). Null when every slot is its own rank (then `rankCount === slotCount`).
   */
  readonly rankOf: Uint32Array | null;
  /** Ranks are `0 .. rankCount - 1`; the null rank, when the column has nulls, is the last. */
  readonly rankCount: number;
  /** The slot of null rows (whether or not the view holds any). */
  readonly nullSlot: number;
}

/** The least room for slots of a small-range integer column, whatever the view's size. */
const MIN_DENSE_SLOTS = 1 << 12;
const EMPTY = -1;
/** Placeholders for rows whose slot is known only once the distinct values are counted. */
const NAN_MARK = 0xfffffffe;
const NULL_MARK = 0xfffffffd;

/**
 * How many dense slots a view of `count` rows may spread over before hashing is preferred: as
 * many as rows (no more memory than hashing would take), but never fewer than a few thousand.
 *
 * @example
 * denseSlotLimit(10); // 4096
 */
export function denseSlotLimit(count: number): number {
  return Math.max(MIN_DENSE_SLOTS, count);
}

/**
 * The slots of `data` over the positions of a view. With `ordered` false, ranks tell equal
 * values apart but follow no order, which spares ranking the distinct values of hashed columns.
 *
 * @example
 * const { slots, rankOf } = keySlots(column.data, selection, true);
 * const rank = rankOf === null ? slots[0] : rankOf[slots[0]];
 */
export function keySlots(data: ColumnData, selection: Selection, ordered: boolean): KeySlots {
  switch (data.kind) {
    case 'dict':
      return dictSlots(data, selection);
    case 'bool':
      return boolSlots(data.bits, data.validity, viewLength(data, selection), selection);
    case 'number':
      return integerRangeSlots(data, selection) ?? hashedNumberSlots(data, selection, ordered);
    case 'utf8':
      return hashedTextSlots(data, selection, ordered);
  }
}

function viewLength(data: ColumnData, selection: Selection): number {
  return selection === null ? data.length : selection.length;
}

/**
 * The rank of each dictionary entry in code point order, equal entries sharing one, and how many
 * ranks there are.
 *
 * @example
 * dictionaryRanks(['b', 'a', 'b']); // { rankOf: Uint32Array [1, 0, 1], ranks: 2 }
 */
export function dictionaryRanks(dictionary: readonly string[]): {
  readonly rankOf: Uint32Array;
  readonly ranks: number;
} {
  const size = dictionary.length;
  const order = Array.from({ length: size }, (_, code) => code);
  order.sort((a, b) => compareCodePoints(dictionary[a]!, dictionary[b]!));
  const rankOf = new Uint32Array(size);
  let rank = 0;
  for (let i = 0; i < size; i++) {
    if (i > 0 && dictionary[order[i]!] !== dictionary[order[i - 1]!]) rank++;
    rankOf[order[i]!] = rank;
  }
  return { rankOf, ranks: size === 0 ? 0 : rank + 1 };
}

function dictSlots(data: DictColumnData, selection: Selection): KeySlots {
  const { codes, dictionary, validity } = data;
  const size = dictionary.length;
  const ranked = dictionaryRanks(dictionary);
  // One more slot, after the codes, for nulls; it ranks after every entry.
  const rankOf = new Uint32Array(size + 1);
  rankOf.set(ranked.rankOf);
  rankOf[size] = ranked.ranks;
  const rankCount = ranked.ranks + 1;
  if (validity === null && selection === null) {
    const slots = codes.length === data.length ? codes : codes.subarray(0, data.length);
    return { slots, slotCount: size + 1, rankOf, rankCount, nullSlot: size };
  }
  const count = viewLength(data, selection);
  const slots = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    slots[i] = validity === null || (validity[row >> 3]! >> (row & 7)) & 1 ? codes[row]! : size;
  }
  return { slots, slotCount: size + 1, rankOf, rankCount, nullSlot: size };
}

function boolSlots(
  bits: Uint8Array,
  validity: Uint8Array | null,
  count: number,
  selection: Selection,
): KeySlots {
  const slots = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    slots[i] =
      validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0
        ? 2
        : (bits[row >> 3]! >> (row & 7)) & 1;
  }
  return { slots, slotCount: 3, rankOf: null, rankCount: 3, nullSlot: 2 };
}

/**
 * Slots `value - min` (nulls `max - min + 1`) when every value is a whole number and the range
 * fits `denseSlotLimit`; these slots are already ranks. Null when the column does not qualify.
 */
function integerRangeSlots(data: NumberColumnData, selection: Selection): KeySlots | null {
  const { values, validity } = data;
  const count = viewLength(data, selection);
  let min = Infinity;
  let max = -Infinity;
  let whole = true;
  for (let i = 0; i < count && whole; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) continue;
    const value = values[row]!;
    if (value < min) min = value;
    if (value > max) max = value;
    whole = Math.trunc(value) === value;
  }
  if (!whole) return null;
  if (min > max) {
    // No row holds a value: one slot, the null one.
    return { slots: new Uint32Array(count), slotCount: 1, rankOf: null, rankCount: 1, nullSlot: 0 };
  }
  const span = max - min + 2;
  // Infinities make the span infinite or NaN, and so take the hashed path.
  if (!(span <= denseSlotLimit(count))) return null;
  const nullSlot = span - 1;
  const slots = new Uint32Array(count);
  if (validity === null && selection === null) {
    for (let i = 0; i < count; i++) slots[i] = values[i]! - min;
  } else {
    for (let i = 0; i < count; i++) {
      const row = selection === null ? i : selection[i]!;
      slots[i] =
        validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0
          ? nullSlot
          : values[row]! - min;
    }
  }
  return { slots, slotCount: span, rankOf: null, rankCount: span, nullSlot };
}

const scratchNumber = new Float64Array(1);
const scratchWords = new Uint32Array(scratchNumber.buffer);

/** murmur3's finaliser: spreads every input bit over the whole word. */
function mix(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashNumber(value: number): number {
  scratchNumber[0] = value;
  return mix(scratchWords[0]! ^ Math.imul(scratchWords[1]!, 0x9e3779b1));
}

/**
 * A power of two at least twice `expected`. Tables grow once they are half full; the arrays
 * beside a table (values, first rows, hashes per slot) get the table's length, so the slot that
 * tips a table over half full still fits before the growth.
 */
function tableCapacity(expected: number): number {
  let capacity = 16;
  while (capacity < expected * 2) capacity *= 2;
  return capacity;
}

/**
 * Slots by value through an open-addressing table: distinct values in order of first
 * appearance, then NaN, then null.
 */
function hashedNumberSlots(
  data: NumberColumnData,
  selection: Selection,
  ordered: boolean,
): KeySlots {
  const { values, validity } = data;
  const count = viewLength(data, selection);
  const slots = new Uint32Array(count);
  let capacity = tableCapacity(Math.min(count, 1 << 10));
  let table: Int32Array = new Int32Array(capacity).fill(EMPTY);
  let distinct: Float64Array = new Float64Array(capacity);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) {
      slots[i] = NULL_MARK;
      continue;
    }
    // Adding 0 turns -0 into 0, so both land in one slot.
    const value = values[row]! + 0;
    if (value !== value) {
      slots[i] = NAN_MARK;
      continue;
    }
    const mask = capacity - 1;
    let at = hashNumber(value) & mask;
    let slot = table[at]!;
    while (slot !== EMPTY && distinct[slot] !== value) {
      at = (at + 1) & mask;
      slot = table[at]!;
    }
    if (slot === EMPTY) {
      slot = size++;
      table[at] = slot;
      distinct[slot] = value;
      if (size * 2 > capacity) {
        capacity *= 2;
        table = rehashNumbers(distinct, size, capacity);
        const grown = new Float64Array(capacity);
        grown.set(distinct.subarray(0, size));
        distinct = grown;
      }
    }
    slots[i] = slot;
  }
  const nanSlot = size;
  const nullSlot = size + 1;
  for (let i = 0; i < count; i++) {
    const slot = slots[i]!;
    if (slot === NAN_MARK) slots[i] = nanSlot;
    else if (slot === NULL_MARK) slots[i] = nullSlot;
  }
  const slotCount = size + 2;
  if (!ordered) return { slots, slotCount, rankOf: null, rankCount: slotCount, nullSlot };
  // The distinct values are neither NaN nor -0, so their radix order is their numeric order.
  const high = new Uint32Array(size);
  const low = new Uint32Array(size);
  floatSortKeys(distinct.subarray(0, size), null, high, low, false);
  const order = radixSortByU64(identity(size), high, low);
  const rankOf = new Uint32Array(slotCount);
  for (let rank = 0; rank < size; rank++) rankOf[order[rank]!] = rank;
  rankOf[nanSlot] = nanSlot;
  rankOf[nullSlot] = nullSlot;
  return { slots, slotCount, rankOf, rankCount: slotCount, nullSlot };
}

function rehashNumbers(distinct: Float64Array, size: number, capacity: number): Int32Array {
  const table = new Int32Array(capacity).fill(EMPTY);
  const mask = capacity - 1;
  for (let slot = 0; slot < size; slot++) {
    let at = hashNumber(distinct[slot]!) & mask;
    while (table[at] !== EMPTY) at = (at + 1) & mask;
    table[at] = slot;
  }
  return table;
}

/** FNV-1a over a row's bytes, finished by `mix` so that the low bits are well spread. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let j = start; j < end; j++) hash = Math.imul(hash ^ bytes[j]!, 0x01000193);
  return mix(hash);
}

/**
 * Slots by the UTF-8 bytes of each row (distinct texts in order of first appearance, then
 * null); equal texts are equal bytes, so no row is decoded.
 */
function hashedTextSlots(data: Utf8ColumnData, selection: Selection, ordered: boolean): KeySlots {
  const { offsets, bytes, validity } = data;
  const count = viewLength(data, selection);
  const slots = new Uint32Array(count);
  let capacity = tableCapacity(Math.min(count, 1 << 10));
  let table: Int32Array = new Int32Array(capacity).fill(EMPTY);
  let firstRow: Uint32Array = new Uint32Array(capacity);
  let hashes: Int32Array = new Int32Array(capacity);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    if (validity !== null && ((validity[row >> 3]! >> (row & 7)) & 1) === 0) {
      slots[i] = NULL_MARK;
      continue;
    }
    const start = offsets[row]!;
    const end = offsets[row + 1]!;
    const hash = hashBytes(bytes, start, end);
    const mask = capacity - 1;
    let at = hash & mask;
    let slot = table[at]!;
    while (slot !== EMPTY && !(hashes[slot] === hash && sameBytes(data, firstRow[slot]!, row))) {
      at = (at + 1) & mask;
      slot = table[at]!;
    }
    if (slot === EMPTY) {
      slot = size++;
      table[at] = slot;
      firstRow[slot] = row;
      hashes[slot] = hash;
      if (size * 2 > capacity) {
        capacity *= 2;
        table = rehashSlots(hashes, size, capacity);
        firstRow = grownU32(firstRow, capacity);
        const grown = new Int32Array(capacity);
        grown.set(hashes.subarray(0, size));
        hashes = grown;
      }
    }
    slots[i] = slot;
  }
  const nullSlot = size;
  for (let i = 0; i < count; i++) if (slots[i] === NULL_MARK) slots[i] = nullSlot;
  const slotCount = size + 1;
  if (!ordered) return { slots, slotCount, rankOf: null, rankCount: slotCount, nullSlot };
  const order = Array.from({ length: size }, (_, slot) => slot);
  order.sort((a, b) => compareRowBytes(data, firstRow[a]!, firstRow[b]!));
  const rankOf = new Uint32Array(slotCount);
  for (let rank = 0; rank < size; rank++) rankOf[order[rank]!] = rank;
  rankOf[nullSlot] = nullSlot;
  return { slots, slotCount, rankOf, rankCount: slotCount, nullSlot };
}

function rehashSlots(hashes: Int32Array, size: number, capacity: number): Int32Array {
  const table = new Int32Array(capacity).fill(EMPTY);
  const mask = capacity - 1;
  for (let slot = 0; slot < size; slot++) {
    let at = hashes[slot]! & mask;
    while (table[at] !== EMPTY) at = (at + 1) & mask;
    table[at] = slot;
  }
  return table;
}

function identity(count: number): Uint32Array {
  const items = new Uint32Array(count);
  for (let i = 0; i < count; i++) items[i] = i;
  return items;
}

function grownU32(array: Uint32Array, length: number): Uint32Array {
  const grown = new Uint32Array(length);
  grown.set(array.subarray(0, Math.min(array.length, length)));
  return grown;
}

function sameBytes(data: Utf8ColumnData, a: number, b: number): boolean {
  const { offsets, bytes } = data;
  const startA = offsets[a]!;
  const startB = offsets[b]!;
  const length = offsets[a + 1]! - startA;
  if (offsets[b + 1]! - startB !== length) return false;
  for (let j = 0; j < length; j++) if (bytes[startA + j] !== bytes[startB + j]) return false;
  return true;
}

/**
 * Orders two rows of a UTF-8 column by their bytes, which is code point order.
 *
 * @example
 * compareRowBytes(column.data, 3, 7); // negative: row 3 sorts first
 */
export function compareRowBytes(data: Utf8ColumnData, a: number, b: number): number {
  const { offsets, bytes } = data;
  const startA = offsets[a]!;
  const startB = offsets[b]!;
  const lengthA = offsets[a + 1]! - startA;
  const lengthB = offsets[b + 1]! - startB;
  const shorter = lengthA < lengthB ? lengthA : lengthB;
  for (let j = 0; j < shorter; j++) {
    const difference = bytes[startA + j]! - bytes[startB + j]!;
    if (difference !== 0) return difference;
  }
  return lengthA - lengthB;
}

/**
 * Dense ids for the pairs `(high[i], low[i])`, numbered in the pairs' order (by `high`, then
 * `low`): the composite key of two ranked keys, kept dense when the product of their ranges
 * would be too large to index directly. The input arrays are left as they were.
 *
 * @example
 * rankPairs(Uint32Array.of(1, 0, 1), Uint32Array.of(5, 9, 5)); // { ids: [1, 0, 1], count: 2 }
 */
export function rankPairs(
  high: Uint32Array,
  low: Uint32Array,
): { readonly ids: Uint32Array; readonly count: number } {
  const length = high.length;
  const ids = new Uint32Array(length);
  let capacity = tableCapacity(Math.min(length, 1 << 10));
  let table: Int32Array = new Int32Array(capacity).fill(EMPTY);
  let pairHigh: Uint32Array = new Uint32Array(capacity);
  let pairLow: Uint32Array = new Uint32Array(capacity);
  let size = 0;
  for (let i = 0; i < length; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const mask = capacity - 1;
    let at = mix(l ^ Math.imul(h, 0x9e3779b1)) & mask;
    let id = table[at]!;
    while (id !== EMPTY && !(pairHigh[id] === h && pairLow[id] === l)) {
      at = (at + 1) & mask;
      id = table[at]!;
    }
    if (id === EMPTY) {
      id = size++;
      table[at] = id;
      pairHigh[id] = h;
      pairLow[id] = l;
      if (size * 2 > capacity) {
        capacity *= 2;
        pairHigh = grownU32(pairHigh, capacity);
        pairLow = grownU32(pairLow, capacity);
        table = new Int32Array(capacity).fill(EMPTY);
        const nextMask = capacity - 1;
        for (let pair = 0; pair < size; pair++) {
          let slot = mix(pairLow[pair]! ^ Math.imul(pairHigh[pair]!, 0x9e3779b1)) & nextMask;
          while (table[slot] !== EMPTY) slot = (slot + 1) & nextMask;
          table[slot] = pair;
        }
      }
    }
    ids[i] = id;
  }
  const sorted = radixSortByU64(identity(size), pairHigh.slice(0, size), pairLow.slice(0, size));
  const rankOfId = new Uint32Array(size);
  for (let rank = 0; rank < size; rank++) rankOfId[sorted[rank]!] = rank;
  for (let i = 0; i < length; i++) ids[i] = rankOfId[ids[i]!]!;
  return { ids, count: size };
}

/**
 * The first position holding each wanted slot (`0xffffffff` where none does), scanning the view
 * only until every wanted slot has been seen.
 *
 * @example
 * firstPositions(slots, slotCount, occupied); // Uint32Array [0, 4, 0xffffffff]
 */
export function firstPositions(
  slots: Uint32Array | CodeArray,
  slotCount: number,
  wanted: Uint8Array,
): Uint32Array {
  const first = new Uint32Array(slotCount).fill(0xffffffff);
  let missing = 0;
  for (let slot = 0; slot < slotCount; slot++) missing += wanted[slot]!;
  for (let i = 0; i < slots.length && missing > 0; i++) {
    const slot = slots[i]!;
    if (wanted[slot] === 1 && first[slot] === 0xffffffff) {
      first[slot] = i;
      missing--;
    }
  }
  return first;
}

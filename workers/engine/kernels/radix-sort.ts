/**
 * Stable least-significant-digit radix sorts of row (or position) indices by unsigned 32- and
 * 64-bit keys, and the key transforms that make unsigned order equal the order of numbers. The
 * sort, group-by and chart kernels order everything through these: a pass is one histogram and
 * one scatter over typed arrays, with no comparator call per pair, and digits on which every key
 * agrees (the high bits of small integers, the sign of positive floats) are skipped.
 *
 * Digits are 11 bits wide (2048 buckets, whose counters fit in L1), so a 32-bit key takes at most
 * three passes and a 64-bit key at most six. The sorts consume their inputs: the arrays passed in
 * are reused as scratch space and must not be read afterwards.
 */
import type { NumericArray } from '../columns/column-data.ts';

const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT_MASK = BUCKETS - 1;
const SHIFTS = [0, 11, 22] as const;

/**
 * `items` stably sorted by `keys` (aligned with `items`), ascending as unsigned integers.
 * Both arrays are used as scratch space; the result may be either of the buffers.
 *
 * @example
 * radixSortByU32(Uint32Array.of(0, 1, 2), Uint32Array.of(5, 3, 5)); // Uint32Array [1, 0, 2]
 */
export function radixSortByU32(items: Uint32Array, keys: Uint32Array): Uint32Array {
  const count = items.length;
  if (count < 2) return items;
  const histogram = new Uint32Array(3 * BUCKETS);
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    histogram[key & DIGIT_MASK]!++;
    histogram[BUCKETS + ((key >>> 11) & DIGIT_MASK)]!++;
    histogram[2 * BUCKETS + (key >>> 22)]!++;
  }
  let sourceItems = items;
  let sourceKeys = keys;
  let targetItems: Uint32Array | null = null;
  let targetKeys: Uint32Array | null = null;
  for (let digit = 0; digit < 3; digit++) {
    const shift = SHIFTS[digit]!;
    const base = digit * BUCKETS;
    if (histogram[base + ((sourceKeys[0]! >>> shift) & DIGIT_MASK)] === count) continue;
    toOffsets(histogram, base);
    targetItems ??= new Uint32Array(count);
    targetKeys ??= new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const key = sourceKeys[i]!;
      const at = histogram[base + ((key >>> shift) & DIGIT_MASK)]!++;
      targetItems[at] = sourceItems[i]!;
      targetKeys[at] = key;
    }
    [sourceItems, targetItems] = [targetItems, sourceItems];
    [sourceKeys, targetKeys] = [targetKeys, sourceKeys];
  }
  return sourceItems;
}

/**
 * `items` stably sorted by the 64-bit keys `high * 2^32 + low` (aligned with `items`), ascending.
 * All three arrays are used as scratch space; the result may be any of the item buffers.
 *
 * @example
 * radixSortByU64(Uint32Array.of(0, 1), Uint32Array.of(1, 0), Uint32Array.of(0, 9)); // [1, 0]
 */
export function radixSortByU64(
  items: Uint32Array,
  high: Uint32Array,
  low: Uint32Array,
): Uint32Array {
  const count = items.length;
  if (count < 2) return items;
  const histogram = new Uint32Array(6 * BUCKETS);
  for (let i = 0; i < count; i++) {
    const lowKey = low[i]!;
    const highKey = high[i]!;
    histogram[lowKey & DIGIT_MASK]!++;
    histogram[BUCKETS + ((lowKey >>> 11) & DIGIT_MASK)]!++;
    histogram[2 * BUCKETS + (lowKey >>> 22)]!++;
    histogram[3 * BUCKETS + (highKey & DIGIT_MASK)]!++;
    histogram[4 * BUCKETS + ((highKey >>> 11) & DIGIT_MASK)]!++;
    histogram[5 * BUCKETS + (highKey >>> 22)]!++;
  }
  let sourceItems = items;
  let sourceLow = low;
  let sourceHigh = high;
  let targetItems: Uint32Array | null = null;
  let targetLow: Uint32Array | null = null;
  let targetHigh: Uint32Array | null = null;
  // The low digits move the whole key along; once they are done only the high word matters.
  for (let digit = 0; digit < 3; digit++) {
    const shift = SHIFTS[digit]!;
    const base = digit * BUCKETS;
    if (histogram[base + ((sourceLow[0]! >>> shift) & DIGIT_MASK)] === count) continue;
    toOffsets(histogram, base);
    targetItems ??= new Uint32Array(count);
    targetLow ??= new Uint32Array(count);
    targetHigh ??= new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const lowKey = sourceLow[i]!;
      const at = histogram[base + ((lowKey >>> shift) & DIGIT_MASK)]!++;
      targetItems[at] = sourceItems[i]!;
      targetLow[at] = lowKey;
      targetHigh[at] = sourceHigh[i]!;
    }
    [sourceItems, targetItems] = [targetItems, sourceItems];
    [sourceLow, targetLow] = [targetLow, sourceLow];
    [sourceHigh, targetHigh] = [targetHigh, sourceHigh];
  }
  for (let digit = 0; digit < 3; digit++) {
    const shift = SHIFTS[digit]!;
    const base = (digit + 3) * BUCKETS;
    if (histogram[base + ((sourceHigh[0]! >>> shift) & DIGIT_MASK)] === count) continue;
    toOffsets(histogram, base);
    targetItems ??= new Uint32Array(count);
    targetHigh ??= new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const highKey = sourceHigh[i]!;
      const at = histogram[base + ((highKey >>> shift) & DIGIT_MASK)]!++;
      targetItems[at] = sourceItems[i]!;
      targetHigh[at] = highKey;
    }
    [sourceItems, targetItems] = [targetItems, sourceItems];
    [sourceHigh, targetHigh] = [targetHigh, sourceHigh];
  }
  return sourceItems;
}

/** Turns one digit's bucket counts into the bucket start offsets, in place. */
function toOffsets(histogram: Uint32Array, base: number): void {
  let sum = 0;
  for (let bucket = base; bucket < base + BUCKETS; bucket++) {
    const size = histogram[bucket]!;
    histogram[bucket] = sum;
    sum += size;
  }
}

/**
 * Whether a numeric array holds floating-point numbers (else integers of 32 bits or fewer).
 *
 * @example
 * isFloatArray(new Float32Array(1)); // true
 */
export function isFloatArray(values: NumericArray): values is Float32Array | Float64Array {
  return values instanceof Float64Array || values instanceof Float32Array;
}

/**
 * Fills `high`/`low` with 64-bit keys of `values[rows[i]]` (of `values[i]` when `rows` is null)
 * whose unsigned order is the numbers' order: -0 equals +0, and NaN (any payload) ranks above
 * +Infinity. With `descending` the keys are inverted, which reverses the order and keeps equal
 * keys equal.
 *
 * @example
 * floatSortKeys(column.values, rows, high, low, false);
 */
export function floatSortKeys(
  values: NumericArray,
  rows: Uint32Array | null,
  high: Uint32Array,
  low: Uint32Array,
  descending: boolean,
): void {
  const count = high.length;
  // A Float64Array is read through a 32-bit view of its own buffer (little-endian, as every
  // engine the app runs in); other arrays are widened to float64 first.
  let words: Uint32Array;
  let gathered = rows;
  if (values instanceof Float64Array) {
    words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  } else {
    const numbers = new Float64Array(count);
    for (let i = 0; i < count; i++) numbers[i] = values[rows === null ? i : rows[i]!]!;
    words = new Uint32Array(numbers.buffer);
    gathered = null;
  }
  const flip = descending ? 0xffffffff : 0;
  for (let i = 0; i < count; i++) {
    const at = gathered === null ? i : gathered[i]!;
    let lowWord = words[2 * at]!;
    let highWord = words[2 * at + 1]!;
    if ((highWord & 0x7ff00000) === 0x7ff00000 && ((highWord & 0xfffff) | lowWord) !== 0) {
      highWord = 0x7ff80000;
      lowWord = 0;
    } else if (highWord === 0x80000000 && lowWord === 0) {
      highWord = 0;
    }
    if (highWord >>> 31) {
      highWord = ~highWord;
      lowWord = ~lowWord;
    } else {
      highWord |= 0x80000000;
    }
    high[i] = highWord ^ flip;
    low[i] = lowWord ^ flip;
  }
}

/**
 * Fills `keys` with 32-bit keys of the integers `values[rows[i]]` (of `values[i]` when `rows` is
 * null) whose unsigned order is their order (inverted with `descending`). For integer arrays
 * only (see `isFloatArray`).
 *
 * @example
 * integerSortKeys(column.values, rows, keys, false);
 */
export function integerSortKeys(
  values: NumericArray,
  rows: Uint32Array | null,
  keys: Uint32Array,
  descending: boolean,
): void {
  const count = keys.length;
  const signed =
    values instanceof Int32Array || values instanceof Int16Array || values instanceof Int8Array;
  const flip = (signed ? 0x80000000 : 0) ^ (descending ? 0xffffffff : 0);
  if (rows === null) for (let i = 0; i < count; i++) keys[i] = values[i]! ^ flip;
  else for (let i = 0; i < count; i++) keys[i] = values[rows[i]!]! ^ flip;
}

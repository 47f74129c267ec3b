/**
 * Bit-level copies for Arrow's LSB bitmaps (validity and booleans). Record batches that are
 * joined into one chunk rarely end on a byte boundary, and Arrow data may start at a bit offset,
 * so a plain `Uint8Array.set` is not enough; these copy a byte at a time where the offsets
 * allow it and shift bits where they do not.
 */

/**
 * Copies `count` bits from `source` (starting at bit `sourceBit`) into `target` (starting at
 * bit `targetBit`), leaving the other bits of `target` as they were.
 *
 * @example
 * copyBits(batchValidity, 0, joined, rowsSoFar, batchLength);
 */
export function copyBits(
  source: Uint8Array,
  sourceBit: number,
  target: Uint8Array,
  targetBit: number,
  count: number,
): void {
  if (count <= 0) return;
  if ((sourceBit & 7) === 0 && (targetBit & 7) === 0) {
    const whole = count >> 3;
    const from = sourceBit >> 3;
    const to = targetBit >> 3;
    target.set(source.subarray(from, from + whole), to);
    const rest = count & 7;
    if (rest) {
      const mask = (1 << rest) - 1;
      target[to + whole] = (target[to + whole]! & ~mask) | (source[from + whole]! & mask);
    }
    return;
  }
  for (let k = 0; k < count; k++) {
    const from = sourceBit + k;
    const to = targetBit + k;
    if (source[from >> 3]! & (1 << (from & 7))) target[to >> 3]! |= 1 << (to & 7);
    else target[to >> 3]! &= ~(1 << (to & 7));
  }
}

/**
 * The `length` bits from bit `offset` of `bitmap` as a bitmap of their own, starting at bit 0:
 * a view of the same memory when `offset` is a whole byte, else a shifted copy.
 *
 * @example
 * const validity = bitmapSlice(data.nullBitmap, data.offset, data.length);
 */
export function bitmapSlice(bitmap: Uint8Array, offset: number, length: number): Uint8Array {
  const bytes = (length + 7) >> 3;
  if ((offset & 7) === 0) return bitmap.subarray(offset >> 3, (offset >> 3) + bytes);
  const out = new Uint8Array(bytes);
  copyBits(bitmap, offset, out, 0, length);
  return out;
}

/**
 * A bitmap of `length` bits, all set (every row valid) or all clear.
 *
 * @example
 * const validity = filledBitmap(rows, true);
 */
export function filledBitmap(length: number, set: boolean): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  if (set) {
    out.fill(0xff);
    if (length & 7) out[out.length - 1] = (1 << (length & 7)) - 1;
  }
  return out;
}

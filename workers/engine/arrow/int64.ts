/**
 * 64-bit integers to and from plain numbers, through the two 32-bit halves of each value rather
 * than through BigInt: `BigInt(x)` and `Number(big)` allocate per value and cost ~50 ns each,
 * while the halves are two typed-array reads and a multiply-add. Used for Arrow's Int64, Uint64,
 * Date64, Timestamp and Duration buffers, and for Parquet's INT64 columns.
 *
 * A number holds an integer exactly up to 2^53 in magnitude; bigger values come back rounded and
 * the caller is told the first row where that happened.
 */

const TWO_32 = 4_294_967_296;
/** The high half of any value of magnitude at most 2^53. */
const MAX_SAFE_HIGH = 0x1f_ffff;
const MIN_SAFE_HIGH = -0x20_0000;

export interface Int64Numbers {
  readonly values: Float64Array;
  /** The first row whose value is beyond ±2^53 and was rounded, or -1. */
  readonly firstRounded: number;
}

/**
 * The first `count` little-endian 64-bit integers of `halves` (low half first) as numbers.
 *
 * @example
 * const { values, firstRounded } = int64ToNumbers(new Int32Array(big.buffer, big.byteOffset, 2 * big.length), big.length, true);
 */
export function int64ToNumbers(halves: Int32Array, count: number, signed: boolean): Int64Numbers {
  const values = new Float64Array(count);
  let firstRounded = -1;
  if (signed) {
    for (let row = 0; row < count; row++) {
      const high = halves[2 * row + 1]!;
      values[row] = high * TWO_32 + (halves[2 * row]! >>> 0);
      if ((high > MAX_SAFE_HIGH || high < MIN_SAFE_HIGH) && firstRounded < 0) firstRounded = row;
    }
  } else {
    for (let row = 0; row < count; row++) {
      const high = halves[2 * row + 1]! >>> 0;
      values[row] = high * TWO_32 + (halves[2 * row]! >>> 0);
      if (high > MAX_SAFE_HIGH && firstRounded < 0) firstRounded = row;
    }
  }
  return { values, firstRounded };
}

/** The 32-bit halves of a 64-bit typed array's memory. */
export function halvesOf(big: BigInt64Array | BigUint64Array): Int32Array {
  return new Int32Array(big.buffer, big.byteOffset, big.length * 2);
}

/**
 * The numbers as little-endian signed 64-bit integers (two 32-bit halves each), or null when a
 * row that holds a value (`isValidRow`) is not a whole number in Int64's range. Rows without a
 * value are written as 0 whatever they hold.
 *
 * @example
 * const halves = numbersToInt64(values, (row) => isValid(validity, row));
 * if (halves) makeData({ type: new Int64(), data: new BigInt64Array(halves.buffer) });
 */
export function numbersToInt64(
  values: ArrayLike<number>,
  isValidRow: (row: number) => boolean,
): Int32Array | null {
  const count = values.length;
  const halves = new Int32Array(2 * count);
  for (let row = 0; row < count; row++) {
    const value = values[row]!;
    // 2^63 itself is out of range; -2^63 is in.
    if (
      !Number.isInteger(value) ||
      value >= 9_223_372_036_854_775_808 ||
      value < -9_223_372_036_854_775_808
    ) {
      if (isValidRow(row)) return null;
      continue;
    }
    const high = Math.floor(value / TWO_32);
    halves[2 * row] = value - high * TWO_32;
    halves[2 * row + 1] = high;
  }
  return halves;
}

/**
 * The fast paths of the column readers: one loop per column type over one column of a batch of
 * field positions, parsing straight from the file's bytes into a typed array. Each loop takes
 * only plain typed arrays and numbers, so it stays monomorphic, and it allocates nothing.
 *
 * A loop stops at the first field it cannot take as it is (a value of another type, a field
 * with `""` escapes, a null while the column has no validity bitmap yet, a full byte buffer) and
 * returns that record's index; the reader's slow path handles that one field and calls the loop
 * again after it. The common case (every field parses) never leaves the loop.
 *
 * Arguments shared by every loop: `buf`, `starts`, `ends`, `stride` (fields per record) and
 * `column` locate the fields (see `CsvScanner`); records `from .. count` are read, record `r`
 * into row `rowBase + r`; `validity` is the column's bitmap, or null while every row holds a
 * value.
 */
import type { ByteDictionary } from './byte-dictionary.ts';
import { fnv1a } from './byte-dictionary.ts';
import { isQuotedField } from './csv-scanner.ts';
import {
  isNullToken,
  isValidUtf8,
  parseBool,
  parseDate,
  parseDatetime,
  parseDecimal,
} from './parse-values.ts';

const ZERO = 48;
const MINUS = 45;
const DOT = 46;

/** Exact powers of ten for the fast decimal path (fractions of at most nine digits). */
const POWERS_OF_TEN = new Float64Array(10);
for (let power = 0, value = 1; power <= 9; power++, value *= 10) POWERS_OF_TEN[power] = value;

/** Whether `buf[start .. end)` is a null token outside quotes (empty fields are checked apart). */
function isUnquotedNull(buf: Uint8Array, start: number, end: number): boolean {
  return end - start <= 4 && !isQuotedField(buf, start) && isNullToken(buf, start, end);
}

/**
 * Whole numbers of up to nine digits (no leading zeros, optional minus) into an Int32Array.
 *
 * @example
 * record = readInt32Run(buf, starts, ends, stride, column, record, count, rowBase, ints, validity);
 */
export function readInt32Run(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  values: Int32Array,
  validity: Uint8Array | null,
): number {
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      let at = start;
      const negative = buf[at] === MINUS;
      if (negative) at++;
      const digits = end - at;
      if (digits > 0 && digits <= 9) {
        let value = buf[at]! - ZERO;
        if ((value > 0 && value <= 9) || (value === 0 && digits === 1)) {
          let k = at + 1;
          for (; k < end; k++) {
            const digit = buf[k]! - ZERO;
            if (digit >>> 0 > 9) break;
            value = (value * 10 + digit) | 0;
          }
          if (k === end) {
            values[row] = negative ? -value : value;
            continue;
          }
        }
      }
      if (validity === null || !isUnquotedNull(buf, start, end)) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    values[row] = 0;
  }
  return count;
}

/**
 * Whole numbers of up to fifteen digits (below 2^53, so exact) into a Float64Array: an int
 * column that outgrew 32 bits.
 *
 * @example
 * record = readInt53Run(buf, starts, ends, stride, column, record, count, rowBase, floats, validity);
 */
export function readInt53Run(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  values: Float64Array,
  validity: Uint8Array | null,
): number {
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      let at = start;
      const negative = buf[at] === MINUS;
      if (negative) at++;
      const digits = end - at;
      if (digits > 0 && digits <= 15) {
        let value = buf[at]! - ZERO;
        if ((value > 0 && value <= 9) || (value === 0 && digits === 1)) {
          let k = at + 1;
          for (; k < end; k++) {
            const digit = buf[k]! - ZERO;
            if (digit < 0 || digit > 9) break;
            value = value * 10 + digit;
          }
          if (k === end) {
            values[row] = negative ? -value : value;
            continue;
          }
        }
      }
      if (validity === null || !isUnquotedNull(buf, start, end)) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    values[row] = 0;
  }
  return count;
}

/**
 * Decimal numbers into a Float64Array. `[-]digits[.digits]` of at most nine digits is read
 * inline, its digits gathered in 32-bit integer arithmetic (faster than doubles, and exact), then
 * one division by an exact power of ten, so the result is correctly rounded; longer mantissas,
 * exponents and infinities go through `parseDecimal`. A number with a leading zero (`007.5`)
 * stops the loop: inference keeps those as text. `decimalMark` is a second byte taken for the
 * point (see `parseDecimal`).
 *
 * @example
 * record = readFloatRun(buf, starts, ends, stride, column, record, count, rowBase, floats, validity, 46);
 */
export function readFloatRun(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  values: Float64Array,
  validity: Uint8Array | null,
  decimalMark: number,
): number {
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      // 1 for a minus sign, else 0, without a branch: signs of a column are often random.
      const minus = ((buf[start]! ^ MINUS) - 1) >>> 31;
      let at = start + minus;
      const integerStart = at;
      let mantissa = 0;
      let byte = 0;
      // Past nine digits the sum wraps around; such fields are read again below.
      for (; at < end; at++) {
        byte = buf[at]!;
        const digit = byte - ZERO;
        if (digit >>> 0 > 9) break;
        mantissa = (mantissa * 10 + digit) | 0;
      }
      const integerDigits = at - integerStart;
      let scale = 0;
      if (at < end && (byte === DOT || byte === decimalMark)) {
        const fractionStart = ++at;
        for (; at < end; at++) {
          const digit = buf[at]! - ZERO;
          if (digit >>> 0 > 9) break;
          mantissa = (mantissa * 10 + digit) | 0;
        }
        scale = at - fractionStart;
      }
      // `0` may only lead the integer part when it is the whole of it.
      if (integerDigits <= 1 || buf[integerStart] !== ZERO) {
        const digits = integerDigits + scale;
        if (at === end && digits > 0 && digits <= 9) {
          // Exact until the division, so rounded once, correctly; -0 keeps its sign.
          values[row] = (mantissa * (1 - 2 * minus)) / POWERS_OF_TEN[scale]!;
          continue;
        }
        const value = parseDecimal(buf, start, end, decimalMark);
        if (value === value) {
          values[row] = value;
          continue;
        }
      }
      if (validity === null || !isUnquotedNull(buf, start, end)) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    values[row] = 0;
  }
  return count;
}

/**
 * `true`/`false` (any case) into bit-packed booleans.
 *
 * @example
 * record = readBoolRun(buf, starts, ends, stride, column, record, count, rowBase, bits, validity);
 */
export function readBoolRun(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  bits: Uint8Array,
  validity: Uint8Array | null,
): number {
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      const value = parseBool(buf, start, end, false);
      if (value === 1) {
        bits[row >> 3]! |= 1 << (row & 7);
        continue;
      }
      if (value === 0) {
        bits[row >> 3]! &= ~(1 << (row & 7));
        continue;
      }
      if (validity === null || !isUnquotedNull(buf, start, end)) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    bits[row >> 3]! &= ~(1 << (row & 7));
  }
  return count;
}

/**
 * `YYYY-MM-DD` dates into an Int32Array of days since 1970-01-01.
 *
 * @example
 * record = readDateRun(buf, starts, ends, stride, column, record, count, rowBase, ints, validity);
 */
export function readDateRun(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  values: Int32Array,
  validity: Uint8Array | null,
): number {
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      const days = parseDate(buf, start, end);
      if (days === days) {
        values[row] = days;
        continue;
      }
      if (validity === null || !isUnquotedNull(buf, start, end)) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    values[row] = 0;
  }
  return count;
}

/**
 * ISO 8601 date-times into a Float64Array of milliseconds since the epoch (UTC).
 *
 * @example
 * record = readDatetimeRun(buf, starts, ends, stride, column, record, count, rowBase, floats, validity);
 */
export function readDatetimeRun(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  values: Float64Array,
  validity: Uint8Array | null,
): number {
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      const instant = parseDatetime(buf, start, end);
      if (instant === instant) {
        values[row] = instant;
        continue;
      }
      if (validity === null || !isUnquotedNull(buf, start, end)) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    values[row] = 0;
  }
  return count;
}

/**
 * Nulls only: the loop of a column that has seen no value yet. Stops at the first value.
 *
 * @example
 * record = readNullRun(buf, starts, ends, stride, column, record, count, rowBase, validity);
 */
export function readNullRun(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  validity: Uint8Array | null,
): number {
  if (validity === null) return from;
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    if (end !== start && (end < start || !isUnquotedNull(buf, start, end))) return r;
    const row = rowBase + r;
    validity[row >> 3]! &= ~(1 << (row & 7));
  }
  return count;
}

/**
 * Text as dictionary codes: each field's bytes are looked up in (or added to) the dictionary.
 * New values are checked to be UTF-8 (a value seen before was checked when it was added). A new
 * value stops the loop when the dictionary already holds `minDistinct` values and would then
 * hold more than one per two rows: the column is no category (the reader turns it into UTF-8).
 *
 * @example
 * record = readDictRun(buf, starts, ends, stride, column, record, count, rowBase, codes, validity, dictionary, 1024);
 */
export function readDictRun(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  codes: Int32Array,
  validity: Uint8Array | null,
  dictionary: ByteDictionary,
  minDistinct: number,
): number {
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      if (!isUnquotedNull(buf, start, end)) {
        let code = dictionary.recentCode(buf, start, end);
        if (code < 0) {
          const hash = fnv1a(buf, start, end);
          code = dictionary.find(buf, start, end, hash);
          if (code < 0) {
            const size = dictionary.size;
            if (size >= minDistinct && (size + 1) * 2 > row + 1) return r;
            if (!isValidUtf8(buf, start, end)) return r;
            code = dictionary.add(buf, start, end, hash);
          }
          dictionary.remember(buf, start, end, code);
        }
        codes[row] = code;
        continue;
      }
      if (validity === null) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    codes[row] = 0;
  }
  return count;
}

/**
 * Text as UTF-8 bytes with offsets: each field's bytes are copied after the previous row's.
 * Stops when `bytes` is full (the reader grows it) and at bytes that are not UTF-8.
 *
 * @example
 * record = readUtf8Run(buf, starts, ends, stride, column, record, count, rowBase, offsets, bytes, validity);
 */
export function readUtf8Run(
  buf: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  column: number,
  from: number,
  count: number,
  rowBase: number,
  offsets: Int32Array,
  bytes: Uint8Array,
  validity: Uint8Array | null,
): number {
  let at = offsets[rowBase + from]!;
  const capacity = bytes.length;
  for (let r = from, i = from * stride + column; r < count; r++, i += stride) {
    const start = starts[i]!;
    const end = ends[i]!;
    const row = rowBase + r;
    if (end > start) {
      if (!isUnquotedNull(buf, start, end)) {
        const length = end - start;
        if (at + length > capacity) return r;
        let high = 0;
        if (length <= 32) {
          for (let k = 0; k < length; k++) {
            const byte = buf[start + k]!;
            high |= byte;
            bytes[at + k] = byte;
          }
        } else {
          bytes.set(buf.subarray(start, end), at);
          high = 0x80;
        }
        if (high >= 0x80 && !isValidUtf8(bytes, at, at + length)) return r;
        at += length;
        offsets[row + 1] = at;
        continue;
      }
      if (validity === null) return r;
    } else if (end !== start || validity === null) {
      return r;
    }
    validity[row >> 3]! &= ~(1 << (row & 7));
    offsets[row + 1] = at;
  }
  return count;
}

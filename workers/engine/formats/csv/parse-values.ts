/**
 * Parsers that read one field's value straight from the file's bytes: whole numbers, decimals,
 * booleans, dates, date-times and the null tokens. They never build a JavaScript string for a
 * field (a 1 GB file must not become 1 GB of strings); the rare decimal the exact fast path cannot
 * round correctly is the one exception, handed to `Number` as a short ASCII string.
 *
 * Each parser takes the field as `bytes[start .. end)` and returns a number, with `NaN` for "not
 * this type", so the column loops stay monomorphic and allocate nothing.
 */

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const COLON = 58;
const SPACE = 32;

/** 2^53: the largest whole number a Float64 holds with every smaller one. */
export const MAX_EXACT_INTEGER = 9_007_199_254_740_992;

const MS_PER_DAY = 86_400_000;

/** Exact powers of ten: every one up to 10^22 is representable in a Float64. */
const POWERS_OF_TEN = new Float64Array(23);
for (let power = 0, value = 1; power <= 22; power++, value *= 10) POWERS_OF_TEN[power] = value;

/**
 * The whole number in `bytes[start .. end)` (optional sign, then digits), `NaN` when the field is
 * not a whole number, and `Infinity` when it is one beyond ±2^53, which no Float64 keeps exactly.
 *
 * @example
 * parseInteger(new TextEncoder().encode('-007'), 0, 4); // -7
 */
export function parseInteger(bytes: Uint8Array, start: number, end: number): number {
  let at = start;
  let negative = false;
  if (at < end) {
    const sign = bytes[at]!;
    if (sign === MINUS) {
      negative = true;
      at++;
    } else if (sign === PLUS) {
      at++;
    }
  }
  if (at === end) return NaN;
  let value = 0;
  let significant = 0;
  for (; at < end; at++) {
    const digit = bytes[at]! - ZERO;
    if (digit < 0 || digit > 9) return NaN;
    if (significant === 15) {
      // A sixteenth significant digit may pass 2^53: value * 10 is even and below 2^54, so exact.
      const shifted = value * 10;
      if (shifted > MAX_EXACT_INTEGER - digit)
        return tooLargeUnlessDigitsFollow(bytes, at + 1, end);
      value = shifted + digit;
      significant++;
    } else if (significant > 15) {
      return tooLargeUnlessDigitsFollow(bytes, at, end);
    } else {
      value = value * 10 + digit;
      if (value !== 0) significant++;
    }
  }
  return negative ? 0 - value : value;
}

/** `Infinity` when the rest of the field is digits (a too-large whole number), else `NaN`. */
function tooLargeUnlessDigitsFollow(bytes: Uint8Array, from: number, end: number): number {
  for (let at = from; at < end; at++) {
    const digit = bytes[at]! - ZERO;
    if (digit < 0 || digit > 9) return NaN;
  }
  return Infinity;
}

/**
 * The decimal number in `bytes[start .. end)`: optional sign, digits with an optional fraction
 * (`1.`, `.5`), an optional exponent (`1e-3`), or `inf` / `infinity` in any case. `NaN` when the
 * field is none of these. Results are correctly rounded: up to 15 significant digits and a power
 * of ten up to 22 take the exact fast path (one correctly rounded division or product of exact
 * operands); anything else goes through `Number` on the already-validated ASCII text.
 * `decimalMark` is a second byte accepted for the point (a comma in `;`-separated files).
 *
 * @example
 * parseDecimal(new TextEncoder().encode('2.5e3'), 0, 5); // 2500
 */
export function parseDecimal(
  bytes: Uint8Array,
  start: number,
  end: number,
  decimalMark: number = DOT,
): number {
  let at = start;
  let negative = false;
  if (at < end) {
    const sign = bytes[at]!;
    if (sign === MINUS) {
      negative = true;
      at++;
    } else if (sign === PLUS) {
      at++;
    }
  }
  if (at === end) return NaN;
  const first = bytes[at]! | 0x20;
  if (first === 0x69 /* i */) {
    return isInfinityWord(bytes, at, end) ? (negative ? -Infinity : Infinity) : NaN;
  }
  let mantissa = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  for (; at < end; at++) {
    const digit = bytes[at]! - ZERO;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
    if (mantissa !== 0) significant++;
  }
  if (at < end && (bytes[at] === DOT || bytes[at] === decimalMark)) {
    at++;
    for (; at < end; at++) {
      const digit = bytes[at]! - ZERO;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      digits++;
      scale++;
      if (mantissa !== 0) significant++;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  if (at < end && (bytes[at]! | 0x20) === 0x65 /* e */) {
    at++;
    let exponentNegative = false;
    if (at < end && (bytes[at] === MINUS || bytes[at] === PLUS)) {
      exponentNegative = bytes[at] === MINUS;
      at++;
    }
    const exponentStart = at;
    for (; at < end; at++) {
      const digit = bytes[at]! - ZERO;
      if (digit < 0 || digit > 9) break;
      // Past 10^6 the result is 0 or Infinity anyway; capping keeps the sum exact.
      if (exponent < 1_000_000) exponent = exponent * 10 + digit;
    }
    if (at === exponentStart) return NaN;
    if (exponentNegative) exponent = -exponent;
  }
  if (at !== end) return NaN;
  const power = exponent - scale;
  if (significant <= 15 && power >= -22 && power <= 22) {
    const magnitude =
      power < 0 ? mantissa / POWERS_OF_TEN[-power]! : mantissa * POWERS_OF_TEN[power]!;
    return negative ? -magnitude : magnitude;
  }
  const text = asciiText(bytes, start, end);
  return Number(decimalMark === DOT ? text : text.replace(String.fromCharCode(decimalMark), '.'));
}

function isInfinityWord(bytes: Uint8Array, at: number, end: number): boolean {
  const length = end - at;
  if (length !== 3 && length !== 8) return false;
  const word = length === 3 ? 'inf' : 'infinity';
  for (let k = 0; k < length; k++) {
    if ((bytes[at + k]! | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * The field as a string, for ASCII fields only (numbers, values quoted in messages). Never used
 * per row on the fast paths.
 *
 * @example
 * asciiText(new TextEncoder().encode('12.5'), 0, 4); // '12.5'
 */
export function asciiText(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let at = start; at < end; at++) text += String.fromCharCode(bytes[at]!);
  return text;
}

/**
 * `true`/`false` in any case as 1/0, and -1 for anything else. With `lenient` (a column the user
 * set to bool) also `t`/`f`, `yes`/`no`, `y`/`n` and `1`/`0`.
 *
 * @example
 * parseBool(new TextEncoder().encode('TRUE'), 0, 4, false); // 1
 */
export function parseBool(bytes: Uint8Array, start: number, end: number, lenient: boolean): number {
  const length = end - start;
  if (length === 4 && matchesLower(bytes, start, 'true')) return 1;
  if (length === 5 && matchesLower(bytes, start, 'false')) return 0;
  if (!lenient) return -1;
  if (length === 1) {
    const letter = bytes[start]! | 0x20;
    if (letter === 0x74 /* t */ || letter === 0x79 /* y */ || bytes[start] === ZERO + 1) return 1;
    if (letter === 0x66 /* f */ || letter === 0x6e /* n */ || bytes[start] === ZERO) return 0;
    return -1;
  }
  if (length === 3 && matchesLower(bytes, start, 'yes')) return 1;
  if (length === 2 && matchesLower(bytes, start, 'no')) return 0;
  return -1;
}

function matchesLower(bytes: Uint8Array, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    if ((bytes[start + k]! | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}

function twoDigits(bytes: Uint8Array, at: number): number {
  const tens = bytes[at]! - ZERO;
  const ones = bytes[at + 1]! - ZERO;
  if (tens < 0 || tens > 9 || ones < 0 || ones > 9) return -1;
  return tens * 10 + ones;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
 *
 * @example
 * daysFromCivil(1970, 1, 2); // 1
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` field that names a real calendar day, else `NaN`.
 *
 * @example
 * parseDate(new TextEncoder().encode('1970-01-31'), 0, 10); // 30
 */
export function parseDate(bytes: Uint8Array, start: number, end: number): number {
  if (end - start !== 10) return NaN;
  return parseDatePrefix(bytes, start);
}

/** Years whose months are in the table below; dates outside them are computed. */
const TABLE_FIRST_YEAR = 1800;
const TABLE_YEARS = 400;

/**
 * For each month of the table's years, days since 1970-01-01 of its first day and its length:
 * a date column is then read with one lookup per value instead of calendar arithmetic.
 */
const MONTH_STARTS = new Int32Array(TABLE_YEARS * 12);
const MONTH_LENGTHS = new Uint8Array(TABLE_YEARS * 12);
for (let index = 0; index < TABLE_YEARS * 12; index++) {
  const year = TABLE_FIRST_YEAR + Math.floor(index / 12);
  const month = (index % 12) + 1;
  MONTH_STARTS[index] = daysFromCivil(year, month, 1);
  MONTH_LENGTHS[index] = daysInMonth(year, month);
}

/** The date in the ten bytes at `start` (the caller checked they exist), else `NaN`. */
function parseDatePrefix(bytes: Uint8Array, start: number): number {
  if (bytes[start + 4] !== MINUS || bytes[start + 7] !== MINUS) return NaN;
  const y0 = bytes[start]! - ZERO;
  const y1 = bytes[start + 1]! - ZERO;
  const y2 = bytes[start + 2]! - ZERO;
  const y3 = bytes[start + 3]! - ZERO;
  const m0 = bytes[start + 5]! - ZERO;
  const m1 = bytes[start + 6]! - ZERO;
  const d0 = bytes[start + 8]! - ZERO;
  const d1 = bytes[start + 9]! - ZERO;
  // Each is a digit when it is 0..9 as an unsigned number (a byte below '0' wraps around).
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    m0 >>> 0 > 9 ||
    m1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9
  ) {
    return NaN;
  }
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  if (month < 1 || month > 12 || day < 1) return NaN;
  const index = (year - TABLE_FIRST_YEAR) * 12 + month - 1;
  if (index >= 0 && index < TABLE_YEARS * 12) {
    return day > MONTH_LENGTHS[index]! ? NaN : MONTH_STARTS[index]! + day - 1;
  }
  if (day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day);
}

/**
 * The `YYYY-MM-DD` text of a count of days since 1970-01-01 (Hinnant's `civil_from_days`), for
 * dates that a widening to text must write out again.
 *
 * @example
 * formatDate(30); // '1970-01-31'
 */
export function formatDate(days: number): string {
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Milliseconds since 1970-01-01T00:00:00Z of `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]` with an
 * optional `Z`, `±HH`, `±HH:MM` or `±HHMM`; no zone means UTC. Digits past milliseconds are dropped.
 * `NaN` for anything else (a date alone included: see `parseDate`).
 *
 * @example
 * parseDatetime(new TextEncoder().encode('1970-01-01T00:00:01Z'), 0, 20); // 1000
 */
export function parseDatetime(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 16) return NaN;
  const days = parseDatePrefix(bytes, start);
  if (days !== days) return NaN;
  const separator = bytes[start + 10]!;
  if (separator !== 0x54 /* T */ && separator !== SPACE && separator !== 0x74 /* t */) return NaN;
  const hours = twoDigits(bytes, start + 11);
  const minutes = twoDigits(bytes, start + 14);
  if (bytes[start + 13] !== COLON || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    return NaN;
  }
  let at = start + 16;
  let seconds = 0;
  let millis = 0;
  if (at < end && bytes[at] === COLON) {
    if (at + 3 > end) return NaN;
    seconds = twoDigits(bytes, at + 1);
    if (seconds < 0 || seconds > 59) return NaN;
    at += 3;
    if (at < end && bytes[at] === DOT) {
      at++;
      const fractionStart = at;
      let scale = 100;
      for (; at < end; at++) {
        const digit = bytes[at]! - ZERO;
        if (digit < 0 || digit > 9) break;
        millis += digit * scale;
        scale = scale / 10;
      }
      if (at === fractionStart) return NaN;
      millis = Math.floor(millis);
    }
  }
  let offsetMinutes = 0;
  if (at < end) {
    const zone = bytes[at]!;
    if (zone === 0x5a /* Z */ || zone === 0x7a /* z */) {
      if (at + 1 !== end) return NaN;
    } else if (zone === PLUS || zone === MINUS) {
      const rest = end - at - 1;
      const zoneHours = rest >= 2 ? twoDigits(bytes, at + 1) : -1;
      let zoneMinutes = -1;
      if (rest === 2) zoneMinutes = 0;
      else if (rest === 5 && bytes[at + 3] === COLON) zoneMinutes = twoDigits(bytes, at + 4);
      else if (rest === 4) zoneMinutes = twoDigits(bytes, at + 3);
      if (zoneHours < 0 || zoneHours > 23 || zoneMinutes < 0 || zoneMinutes > 59) return NaN;
      offsetMinutes = (zone === MINUS ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
    } else {
      return NaN;
    }
  }
  return (
    days * MS_PER_DAY + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000 + millis
  );
}

/**
 * Whether the field is one of the null tokens: empty, `NA`, `N/A`, `n/a`, `#N/A`, `null`,
 * `NULL`, `None`, `NaN`, `nan`, `-NaN`, `-nan` (exactly; no other spellings, no surrounding
 * spaces). C's printf writes a NaN with its sign bit set as `-nan`.
 *
 * @example
 * isNullToken(new TextEncoder().encode('N/A'), 0, 3); // true
 */
export function isNullToken(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (length === 0) return true;
  if (length > 4) return false;
  const a = bytes[start]!;
  if (length === 2) return a === 0x4e && bytes[start + 1] === 0x41; // NA
  const b = bytes[start + 1]!;
  const c = bytes[start + 2]!;
  if (length === 3) {
    if (b === 0x2f) return (a === 0x4e && c === 0x41) || (a === 0x6e && c === 0x61); // N/A n/a
    return (a === 0x4e && b === 0x61 && c === 0x4e) || (a === 0x6e && b === 0x61 && c === 0x6e); // NaN nan
  }
  if (length !== 4) return false;
  const d = bytes[start + 3]!;
  if (a === 0x23) return b === 0x4e && c === 0x2f && d === 0x41; // #N/A
  if (a === 0x2d)
    return (b === 0x6e && c === 0x61 && d === 0x6e) || (b === 0x4e && c === 0x61 && d === 0x4e); // -nan -NaN
  if (a === 0x6e) return b === 0x75 && c === 0x6c && d === 0x6c; // null
  if (a !== 0x4e) return false;
  return (b === 0x55 && c === 0x4c && d === 0x4c) || (b === 0x6f && c === 0x6e && d === 0x65); // NULL None
}

/**
 * Whether `bytes[start .. end)` is well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF), as the WHATWG decoder judges it.
 *
 * @example
 * isValidUtf8(new Uint8Array([0xc3, 0xa9]), 0, 2); // true
 */
export function isValidUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let at = start;
  while (at < end) {
    const lead = bytes[at]!;
    if (lead < 0x80) {
      at++;
      continue;
    }
    let needed: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead === 0xe0) low = 0xa0;
      else if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead === 0xf0) low = 0x90;
      else if (lead === 0xf4) high = 0x8f;
    } else return false;
    if (at + needed >= end) return false;
    const second = bytes[at + 1]!;
    if (second < low || second > high) return false;
    for (let k = 2; k <= needed; k++) {
      const next = bytes[at + k]!;
      if (next < 0x80 || next > 0xbf) return false;
    }
    at += needed + 1;
  }
  return true;
}

const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The bytes with each ill-formed UTF-8 sequence replaced by U+FFFD (as `TextDecoder` does). For
 * fields `isValidUtf8` rejected, which are rare, so it may allocate.
 *
 * @example
 * repairUtf8(new Uint8Array([0x61, 0xff]), 0, 2); // Uint8Array [0x61, 0xef, 0xbf, 0xbd]
 */
export function repairUtf8(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return encoder.encode(lenientDecoder.decode(bytes.subarray(start, end)));
}

/**
 * The field's text for messages and names, with ill-formed UTF-8 replaced.
 *
 * @example
 * decodeText(new TextEncoder().encode('dose'), 0, 4); // 'dose'
 */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  return lenientDecoder.decode(bytes.subarray(start, end));
}

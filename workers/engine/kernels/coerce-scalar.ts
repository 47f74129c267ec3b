/**
 * Turns a filter value (a number, string or boolean, as the page sends it) into the value a
 * column's buffers compare against: a number for number columns (days for `date`, epoch
 * milliseconds for `datetime`), a boolean for bool columns, a string for text. The filter kernel
 * coerces once per predicate, never per row, and a value that does not fit the column is refused
 * with `type_mismatch` instead of silently matching nothing.
 *
 * Also home to the one string order the kernels share: by Unicode code point, which is the order
 * of UTF-8 bytes (JavaScript's `<` on strings compares UTF-16 code units, which differs above
 * U+FFFF).
 */
import type { Column } from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import type { Scalar } from '../protocol.ts';

const MS_PER_DAY = 86_400_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * The value `value` stands for in column `column`, or a `type_mismatch` error naming both.
 * Number columns (`int`, `float`) take numbers and numeric strings; `date` takes days since
 * 1970-01-01 or `YYYY-MM-DD`; `datetime` takes epoch milliseconds or ISO 8601 (no zone means
 * UTC); bool takes booleans or `'true'`/`'false'`; text columns take anything, as a string.
 *
 * @example
 * coerceScalar({ name: 'visit', data: dateColumn }, '1970-01-31'); // 30
 */
export function coerceScalar(column: Column, value: Scalar): number | boolean | string {
  const { data } = column;
  switch (data.type) {
    case 'int':
    case 'float': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '') {
        const parsed = Number(value);
        if (!Number.isNaN(parsed)) return parsed;
      }
      throw mismatch(column, value, 'numbers', 'is not a number');
    }
    case 'date': {
      if (typeof value === 'number') return value;
      const days = typeof value === 'string' ? parseIsoDate(value) : null;
      if (days !== null) return days;
      throw mismatch(
        column,
        value,
        'dates',
        'is not a date (write it as YYYY-MM-DD, or as days since 1970-01-01)',
      );
    }
    case 'datetime': {
      if (typeof value === 'number') return value;
      const ms = typeof value === 'string' ? parseIsoDateTime(value) : null;
      if (ms !== null) return ms;
      throw mismatch(
        column,
        value,
        'dates and times',
        'is not a date and time (write it as ISO 8601, e.g. 2024-05-31T12:00:00Z, or as milliseconds since 1970-01-01)',
      );
    }
    case 'bool': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') {
        const lowered = value.trim().toLowerCase();
        if (lowered === 'true') return true;
        if (lowered === 'false') return false;
      }
      throw mismatch(column, value, 'true/false values', 'is neither true nor false');
    }
    case 'string':
    case 'category':
      return String(value);
  }
}

/**
 * Days since 1970-01-01 of an ISO date `YYYY-MM-DD`, or null when it is not one (including
 * impossible dates such as 2023-02-29).
 *
 * @example
 * parseIsoDate('1970-01-02'); // 1
 */
export function parseIsoDate(text: string): number | null {
  const match = ISO_DATE.exec(text.trim());
  if (!match) return null;
  return civilDays(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * Milliseconds since the epoch of an ISO 8601 date or date-time (`2024-05-31`,
 * `2024-05-31T12:00`, `2024-05-31 12:00:00.250+02:00`), read as UTC when it names no zone; null
 * when it is not one.
 *
 * @example
 * parseIsoDateTime('1970-01-01T00:00:01Z'); // 1000
 */
export function parseIsoDateTime(text: string): number | null {
  const match = ISO_DATETIME.exec(text.trim());
  if (!match) return null;
  const days = civilDays(Number(match[1]), Number(match[2]), Number(match[3]));
  if (days === null) return null;
  const hours = Number(match[4] ?? 0);
  const minutes = Number(match[5] ?? 0);
  const seconds = Number(match[6] ?? 0);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const fraction = match[7] === undefined ? 0 : Number(`0.${match[7]}`) * 1000;
  const zone = match[8];
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (zoneHours > 23 || zoneMinutes > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  return (
    days * MS_PER_DAY + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000 + fraction
  );
}

/**
 * Orders two strings by Unicode code point (negative, zero or positive), the order of their
 * UTF-8 bytes.
 *
 * @example
 * ['\u{1F600}', '\uFFFD'].sort(compareCodePoints); // ['\uFFFD', '\u{1F600}']
 */
export function compareCodePoints(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    let unitA = a.charCodeAt(i);
    let unitB = b.charCodeAt(i);
    if (unitA === unitB) continue;
    // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF, so they must rank above the
    // code units U+E000..U+FFFF that follow them in UTF-16.
    if (unitA >= 0xd800 && unitB >= 0xd800) {
      unitA = unitA >= 0xe000 ? unitA - 0x800 : unitA + 0x2000;
      unitB = unitB >= 0xe000 ? unitB - 0x800 : unitB + 0x2000;
    }
    return unitA - unitB;
  }
  return a.length - b.length;
}

/** Days since 1970-01-01 of a calendar date, or null when the date does not exist. */
function civilDays(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > monthDays) return null;
  // Howard Hinnant's days_from_civil: exact for every year, unlike Date.UTC's 0..99 quirk.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function mismatch(column: Column, value: Scalar, holds: string, problem: string): EngineError {
  return new EngineError({
    code: 'type_mismatch',
    message: `Column "${column.name}" holds ${holds}; the value ${describeScalar(value)} ${problem}.`,
  });
}

/**
 * A filter value as a person would write it in a message.
 *
 * @example
 * describeScalar('abc'); // '"abc"'
 */
export function describeScalar(value: Scalar): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

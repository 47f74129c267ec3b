/**
 * PostgreSQL result columns as Arrow column kinds, and PostgreSQL's text output as the values
 * those kinds take.
 *
 * Every value arrives in PostgreSQL's text form (the query's client parses nothing) and is
 * converted here, so the result does not depend on pg's global type parsers, which the app's own
 * store also uses. The text forms read here are those of `DateStyle = ISO`, which the query
 * session sets.
 */
import type { ArrowColumnKind } from '../arrow/index.ts';

/** Type OIDs from PostgreSQL's catalog (`pg_type`); they are fixed for built-in types. */
const kindByOid = new Map<number, ArrowColumnKind>([
  [21, 'int32'], // int2
  [23, 'int32'], // int4
  [20, 'int64'], // int8
  [700, 'float64'], // float4
  [701, 'float64'], // float8
  [16, 'bool'],
  [1082, 'date'],
  [1114, 'timestamp'],
  [1184, 'timestamp'], // timestamptz
]);

/**
 * The Arrow kind for a result column of the given type OID. `numeric` stays text so no digit is
 * lost; types without an exact Arrow match (json, uuid, arrays, intervals, …) arrive as text too.
 *
 * @example
 * kindForOid(23); // 'int32'
 * kindForOid(1700); // 'utf8' (numeric)
 */
export function kindForOid(oid: number): ArrowColumnKind {
  return kindByOid.get(oid) ?? 'utf8';
}

/** PostgreSQL sent a value in a form this module does not read. */
export class UnreadableValueError extends Error {
  override readonly name = 'UnreadableValueError';
}

const MS_PER_DAY = 86_400_000;
const MICROS_PER_DAY = 86_400_000_000n;
const DATE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;
const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

/**
 * Converts one value from PostgreSQL's text form to what `arrowStreamFromRows` takes for `kind`.
 * `infinity` and `-infinity` dates and timestamps have no Arrow value and become null.
 *
 * @example
 * valueFromText('int64', '9007199254740993'); // 9007199254740993n
 * valueFromText('timestamp', '2024-01-02 03:04:05.123456+00'); // 1704164645123456n (µs)
 */
export function valueFromText(kind: ArrowColumnKind, text: string): unknown {
  switch (kind) {
    case 'int32':
    case 'float64':
      // Number() reads PostgreSQL's NaN, Infinity and -Infinity as well.
      return Number(text);
    case 'int64':
      return BigInt(text);
    case 'bool':
      return text === 't';
    case 'utf8':
      return text;
    case 'date':
      return dateFromText(text);
    case 'timestamp':
      return timestampFromText(text);
  }
}

function dateFromText(text: string): Date | null {
  if (text === 'infinity' || text === '-infinity') return null;
  const match = DATE.exec(text);
  if (!match)
    throw new UnreadableValueError(`PostgreSQL sent the date "${text}"; ISO form expected.`);
  const days = daysFromCivil(yearOf(match[1]!, match[4]), Number(match[2]), Number(match[3]));
  const date = new Date(days * MS_PER_DAY);
  // Beyond ±275,000 years a JavaScript Date cannot hold the day; PostgreSQL can.
  return Number.isNaN(date.getTime()) ? null : date;
}

function timestampFromText(text: string): bigint | null {
  if (text === 'infinity' || text === '-infinity') return null;
  const match = TIMESTAMP.exec(text);
  if (!match) {
    throw new UnreadableValueError(`PostgreSQL sent the timestamp "${text}"; ISO form expected.`);
  }
  const [, year, month, day, hour, minute, second, fraction, sign, offH, offM, offS, bc] = match;
  const days = daysFromCivil(yearOf(year!, bc), Number(month), Number(day));
  const seconds = Number(hour) * 3600 + Number(minute) * 60 + Number(second);
  const offset = sign
    ? (sign === '-' ? -1 : 1) * (Number(offH) * 3600 + Number(offM ?? 0) * 60 + Number(offS ?? 0))
    : 0;
  const micros = BigInt((fraction ?? '').padEnd(6, '0'));
  return BigInt(days) * MICROS_PER_DAY + BigInt(seconds - offset) * 1_000_000n + micros;
}

/** ISO years count a year 0; PostgreSQL's `BC` years do not (1 BC is year 0). */
function yearOf(digits: string, bc: string | undefined): number {
  return bc ? 1 - Number(digits) : Number(digits);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * ISO 8601 dates and date-times in JSON strings, read the way the CSV reader reads them in text
 * fields, so that the same values become the same column types whichever format they came in:
 * `YYYY-MM-DD` is a date (days since 1970-01-01); `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]` with an
 * optional `Z`, `±HH:MM` or `±HHMM` is a date-time (UTC milliseconds; no zone means UTC; digits
 * past milliseconds are dropped). Anything else, or a day that does not exist, is `NaN`.
 */

const ZERO = 0x30;
const MS_PER_DAY = 86_400_000;

function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - ZERO;
  const ones = text.charCodeAt(at + 1) - ZERO;
  if (!(tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9)) return -1;
  return tens * 10 + ones;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The date in the first ten characters (which the caller checked exist), else `NaN`. */
function datePrefix(text: string): number {
  if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return NaN;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1) return NaN;
  const year = century * 100 + yearOfCentury;
  if (day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day);
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` string naming a real calendar day, else `NaN`.
 *
 * @example
 * parseIsoDate('1970-01-31'); // 30
 */
export function parseIsoDate(text: string): number {
  return text.length === 10 ? datePrefix(text) : NaN;
}

/**
 * Milliseconds since 1970-01-01T00:00:00Z of an ISO date-time string (see the module comment),
 * else `NaN`; a date alone is not a date-time.
 *
 * @example
 * parseIsoDatetime('1970-01-01T00:00:01Z'); // 1000
 */
export function parseIsoDatetime(text: string): number {
  const end = text.length;
  if (end < 16) return NaN;
  const days = datePrefix(text);
  if (days !== days) return NaN;
  const separator = text.charCodeAt(10);
  if (separator !== 0x54 && separator !== 0x20 && separator !== 0x74) return NaN;
  const hours = twoDigits(text, 11);
  const minutes = twoDigits(text, 14);
  if (text.charCodeAt(13) !== 0x3a || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    return NaN;
  }
  let at = 16;
  let seconds = 0;
  let millis = 0;
  if (at < end && text.charCodeAt(at) === 0x3a) {
    if (at + 3 > end) return NaN;
    seconds = twoDigits(text, at + 1);
    if (seconds < 0 || seconds > 59) return NaN;
    at += 3;
    if (at < end && text.charCodeAt(at) === 0x2e) {
      at++;
      const fractionStart = at;
      let scale = 100;
      for (; at < end; at++) {
        const digit = text.charCodeAt(at) - ZERO;
        if (digit < 0 || digit > 9) break;
        millis += digit * scale;
        scale /= 10;
      }
      if (at === fractionStart) return NaN;
      millis = Math.floor(millis);
    }
  }
  let offsetMinutes = 0;
  if (at < end) {
    const zone = text.charCodeAt(at);
    if (zone === 0x5a || zone === 0x7a) {
      if (at + 1 !== end) return NaN;
    } else if (zone === 0x2b || zone === 0x2d) {
      const rest = end - at - 1;
      const zoneHours = rest >= 2 ? twoDigits(text, at + 1) : -1;
      let zoneMinutes = -1;
      if (rest === 5 && text.charCodeAt(at + 3) === 0x3a) zoneMinutes = twoDigits(text, at + 4);
      else if (rest === 4) zoneMinutes = twoDigits(text, at + 3);
      if (zoneHours < 0 || zoneHours > 23 || zoneMinutes < 0 || zoneMinutes > 59) return NaN;
      offsetMinutes = (zone === 0x2d ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
    } else {
      return NaN;
    }
  }
  return (
    days * MS_PER_DAY + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000 + millis
  );
}

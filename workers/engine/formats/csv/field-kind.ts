/**
 * Type inference for one field and for a column: what a single field looks like (`classifyField`)
 * and the narrowest column type that holds both what a column was and a new field (`joinKinds`).
 * The column readers call this only off their fast paths: when a field does not parse as the
 * column's current type, when the column has seen nothing but nulls yet, or for null tokens.
 *
 * The kinds form a small lattice: EMPTY (nothing but nulls) is below everything; INT32 < INT53 <
 * FLOAT; DATE < DATETIME; BOOL alone; TEXT above everything. Joining two kinds of different
 * families gives TEXT.
 */
import { isQuotedField } from './csv-scanner.ts';
import {
  isNullToken,
  parseBool,
  parseDate,
  parseDatetime,
  parseDecimal,
  parseInteger,
} from './parse-values.ts';

/** The column holds only nulls so far. */
export const EMPTY = 0;
/** Whole numbers in an Int32Array. */
export const INT32 = 1;
/** Whole numbers beyond 32 bits (up to 2^53) in a Float64Array; still type `int`. */
export const INT53 = 2;
export const FLOAT = 3;
export const BOOL = 4;
export const DATE = 5;
export const DATETIME = 6;
export const TEXT = 7;
/** A field that is null: empty, missing, or an unquoted null token. */
export const NULL_FIELD = -1;
/** A whole number beyond 2^53: an int held with some of its digits lost. */
export const HUGE_INT = 8;

export type FieldKind =
  | typeof NULL_FIELD
  | typeof EMPTY
  | typeof INT32
  | typeof INT53
  | typeof FLOAT
  | typeof BOOL
  | typeof DATE
  | typeof DATETIME
  | typeof TEXT
  | typeof HUGE_INT;

/** The kinds a column can be in (a field's HUGE_INT and NULL_FIELD are not among them). */
export type ColumnKind =
  | typeof EMPTY
  | typeof INT32
  | typeof INT53
  | typeof FLOAT
  | typeof BOOL
  | typeof DATE
  | typeof DATETIME
  | typeof TEXT;

const SPACE = 32;
const TAB = 9;
const ZERO = 48;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const LETTER_I = 0x69;

/**
 * Whether `bytes[start .. end)` is a number written with a leading zero (`007`, `-01.5`). Such
 * fields are identifiers (well names, ZIP codes, sample numbers), not quantities, so inference
 * keeps them as text and does not drop the zeros; a type set by the user reads them as numbers.
 *
 * @example
 * hasLeadingZero(new TextEncoder().encode('007'), 0, 3); // true
 */
export function hasLeadingZero(bytes: Uint8Array, start: number, end: number): boolean {
  let at = start;
  const sign = bytes[at];
  if (sign === MINUS || sign === PLUS) at++;
  if (at + 1 >= end || bytes[at] !== ZERO) return false;
  const next = bytes[at + 1]! - ZERO;
  return next >= 0 && next <= 9;
}

/**
 * The field without the spaces and tabs around it, as `[start, end]` in `out`; typed values may
 * carry them (`1, 2, 3` after the comma), text keeps them.
 *
 * @example
 * trimField(bytes, 0, 4, range); // range[0], range[1]
 */
export function trimField(bytes: Uint8Array, start: number, end: number, out: Int32Array): void {
  let from = start;
  let to = end;
  while (from < to && (bytes[from] === SPACE || bytes[from] === TAB)) from++;
  while (to > from && (bytes[to - 1] === SPACE || bytes[to - 1] === TAB)) to--;
  out[0] = from;
  out[1] = to;
}

const range = new Int32Array(2);

/**
 * What the field `bytes[start .. end)` looks like (`end` is negative, `~end`, for a quoted field
 * holding `""` escapes; `start` is -1 for a field the record lacks). Numbers, booleans and dates
 * may have spaces around them; a quoted null token is text (`"NA"` is the letters NA).
 *
 * @example
 * classifyField(bytes, start, end, 46); // INT32
 */
export function classifyField(
  bytes: Uint8Array,
  start: number,
  end: number,
  decimalMark: number,
): FieldKind {
  if (start < 0 || end === start) return NULL_FIELD;
  if (end < 0) return TEXT;
  if (!isQuotedField(bytes, start) && isNullToken(bytes, start, end)) return NULL_FIELD;
  trimField(bytes, start, end, range);
  const from = range[0]!;
  const to = range[1]!;
  if (from === to) return NULL_FIELD;
  if (from !== start || to !== end) {
    if (!isQuotedField(bytes, start) && isNullToken(bytes, from, to)) return NULL_FIELD;
  }
  const first = bytes[from]!;
  const mayBeNumber =
    (first >= ZERO && first <= ZERO + 9) ||
    first === MINUS ||
    first === PLUS ||
    first === DOT ||
    first === decimalMark ||
    (first | 0x20) === LETTER_I;
  if (mayBeNumber && !hasLeadingZero(bytes, from, to)) {
    const whole = parseInteger(bytes, from, to);
    if (whole === Infinity) return HUGE_INT;
    if (whole === whole) return whole >= -2_147_483_648 && whole <= 2_147_483_647 ? INT32 : INT53;
    if (!Number.isNaN(parseDecimal(bytes, from, to, decimalMark))) return FLOAT;
  }
  if (parseBool(bytes, from, to, false) >= 0) return BOOL;
  if (!Number.isNaN(parseDate(bytes, from, to))) return DATE;
  return Number.isNaN(parseDatetime(bytes, from, to)) ? TEXT : DATETIME;
}

/**
 * The narrowest column kind that holds both a column of kind `column` and a field of kind
 * `field` (not NULL_FIELD).
 *
 * @example
 * joinKinds(INT32, FLOAT); // FLOAT
 */
export function joinKinds(column: ColumnKind, field: FieldKind): ColumnKind {
  const value: ColumnKind = field === HUGE_INT ? INT53 : field === NULL_FIELD ? EMPTY : field;
  if (column === EMPTY) return value;
  if (value === EMPTY || value === column) return column;
  if (column <= FLOAT && value <= FLOAT) return column > value ? column : value;
  if ((column === DATE || column === DATETIME) && (value === DATE || value === DATETIME)) {
    return DATETIME;
  }
  return TEXT;
}

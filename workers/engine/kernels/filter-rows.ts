/**
 * The filter kernel: which rows of a table (or of a view's selection) a typed predicate holds
 * for. Each leaf of the predicate fills a byte mask over the positions of the selection in one
 * tight loop per column kind and operator; `and`, `or` and `not` then combine masks four bytes
 * at a time, and one last pass collects the matching rows in selection order.
 *
 * Semantics, decided once here:
 * - A null never matches a comparison (`eq`, `ne`, `lt`, `le`, `gt`, `ge`), `in`, `contains` or
 *   `starts_with`; only `is_null` matches it. So `ne` does not match nulls, while `not` inverts
 *   the match of its operand, nulls included: `not (x = 1)` matches the null rows of `x` and
 *   `x ne 1` does not.
 * - NaN compares as IEEE 754 says: it equals nothing (so it matches `ne`) and is neither less
 *   nor greater than anything.
 * - Text compares by Unicode code point; `contains` and `starts_with` work on string and
 *   category columns only, ignoring case unless `caseSensitive` (both sides lowercased with
 *   `toLowerCase`).
 * - `and` of no predicates matches every row, `or` of none matches no row.
 *
 * Fast paths: a dictionary column evaluates the predicate once per dictionary entry and then
 * scans its codes through that lookup table; UTF-8 equality and order compare bytes against the
 * needle encoded once; ASCII rows are searched case-insensitively byte by byte, and only rows
 * holding other characters are decoded.
 */
import type {
  Column,
  ColumnTable,
  DictColumnData,
  NumericArray,
  Selection,
  Utf8ColumnData,
  Validity,
} from '../columns/column-data.ts';
import { EngineError, columnNamed } from '../engine-error.ts';
import type { Predicate } from '../protocol.ts';
import { coerceScalar, compareCodePoints } from './coerce-scalar.ts';

type LeafPredicate = Extract<Predicate, { readonly column: string }>;
type ComparisonOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** Below this many `in` values, one equality pass per value beats a hash lookup per row. */
const IN_LIST_SCAN_LIMIT = 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The rows where `predicate` holds: in selection order, or ascending when `selection` is null.
 * Throws `unknown_column` for a column the table lacks and `type_mismatch` for a value the
 * column's type cannot take.
 *
 * @example
 * filterRows(table, {
 *   op: 'and',
 *   predicates: [
 *     { op: 'ge', column: 'dose_mg', value: 10 },
 *     { op: 'contains', column: 'drug', value: 'aspirin' },
 *   ],
 * }, null); // Uint32Array [3, 17, 42]
 */
export function filterRows(
  table: ColumnTable,
  predicate: Predicate,
  selection: Selection,
): Uint32Array {
  const count = selection === null ? table.length : selection.length;
  const mask = evaluate(table, predicate, selection, count);
  return collectMatches(mask, selection, count);
}

/** A byte mask over `count` positions whose buffer is padded to whole 32-bit words. */
function newMask(count: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(Math.max(4, (count + 3) & ~3)), 0, count);
}

function words(mask: Uint8Array): Uint32Array {
  return new Uint32Array(mask.buffer, 0, mask.buffer.byteLength >> 2);
}

function evaluate(
  table: ColumnTable,
  predicate: Predicate,
  selection: Selection,
  count: number,
): Uint8Array {
  switch (predicate.op) {
    case 'and':
    case 'or': {
      const [first, ...rest] = predicate.predicates;
      if (first === undefined) return newMask(count).fill(predicate.op === 'and' ? 1 : 0);
      const mask = evaluate(table, first, selection, count);
      const target = words(mask);
      for (const child of rest) {
        const other = words(evaluate(table, child, selection, count));
        if (predicate.op === 'and') for (let i = 0; i < target.length; i++) target[i]! &= other[i]!;
        else for (let i = 0; i < target.length; i++) target[i]! |= other[i]!;
      }
      return mask;
    }
    case 'not': {
      const mask = evaluate(table, predicate.predicate, selection, count);
      const target = words(mask);
      for (let i = 0; i < target.length; i++) target[i]! ^= 0x01010101;
      return mask;
    }
    default:
      return leafMask(columnNamed(table, predicate.column), predicate, selection, count);
  }
}

function leafMask(
  column: Column,
  predicate: LeafPredicate,
  selection: Selection,
  count: number,
): Uint8Array {
  const { data } = column;
  const mask = newMask(count);
  if (predicate.op === 'is_null' || predicate.op === 'not_null') {
    validityMask(data.validity, selection, count, mask, predicate.op === 'not_null');
    return mask;
  }
  if (
    (predicate.op === 'contains' || predicate.op === 'starts_with') &&
    data.kind !== 'utf8' &&
    data.kind !== 'dict'
  ) {
    throw new EngineError({
      code: 'type_mismatch',
      message: `"${predicate.op}" works on text columns; column "${column.name}" holds ${data.type} values.`,
    });
  }
  switch (data.kind) {
    case 'number':
      numberMask(column, data.values, predicate, selection, count, mask);
      break;
    case 'bool': {
      const matches = valueMatcher(column, predicate);
      const table = lookupTable(2, (entry) => matches(entry === 1));
      const { bits } = data;
      if (selection === null) {
        for (let i = 0; i < count; i++) mask[i] = table[(bits[i >> 3]! >> (i & 7)) & 1]!;
      } else {
        for (let i = 0; i < count; i++) {
          const row = selection[i]!;
          mask[i] = table[(bits[row >> 3]! >> (row & 7)) & 1]!;
        }
      }
      break;
    }
    case 'dict':
      dictMask(column, data, predicate, selection, count, mask);
      break;
    case 'utf8':
      utf8Mask(column, data, predicate, selection, count, mask);
      break;
  }
  clearNulls(mask, data.validity, selection, count);
  return mask;
}

/** 1 where the row holds a value (or, with `wantValid` false, where it holds none). */
function validityMask(
  validity: Validity,
  selection: Selection,
  count: number,
  mask: Uint8Array,
  wantValid: boolean,
): void {
  const flip = wantValid ? 0 : 1;
  if (validity === null) {
    mask.fill(1 - flip);
    return;
  }
  if (selection === null) {
    for (let i = 0; i < count; i++) mask[i] = ((validity[i >> 3]! >> (i & 7)) & 1) ^ flip;
  } else {
    for (let i = 0; i < count; i++) {
      const row = selection[i]!;
      mask[i] = ((validity[row >> 3]! >> (row & 7)) & 1) ^ flip;
    }
  }
}

function clearNulls(mask: Uint8Array, validity: Validity, selection: Selection, count: number) {
  if (validity === null) return;
  if (selection === null) {
    for (let i = 0; i < count; i++) mask[i]! &= (validity[i >> 3]! >> (i & 7)) & 1;
  } else {
    for (let i = 0; i < count; i++) {
      const row = selection[i]!;
      mask[i]! &= (validity[row >> 3]! >> (row & 7)) & 1;
    }
  }
}

function collectMatches(mask: Uint8Array, selection: Selection, count: number): Uint32Array {
  let matches = 0;
  const packed = words(mask);
  const fullWords = count >> 2;
  // Each byte is 0 or 1, so multiplying by 0x01010101 sums the four bytes into the top byte.
  for (let i = 0; i < fullWords; i++) matches += Math.imul(packed[i]!, 0x01010101) >>> 24;
  for (let i = fullWords << 2; i < count; i++) matches += mask[i]!;
  const rows = new Uint32Array(matches);
  let next = 0;
  if (selection === null) {
    for (let i = 0; i < count && next < matches; i++) {
      rows[next] = i;
      next += mask[i]!;
    }
  } else {
    for (let i = 0; i < count && next < matches; i++) {
      rows[next] = selection[i]!;
      next += mask[i]!;
    }
  }
  return rows;
}

function lookupTable(size: number, matches: (entry: number) => boolean): Uint8Array {
  const table = new Uint8Array(size);
  for (let entry = 0; entry < size; entry++) table[entry] = matches(entry) ? 1 : 0;
  return table;
}

/**
 * A test of one non-null value (boolean or string) against a leaf, with the filter values
 * coerced once; it fills lookup tables, one call per dictionary entry or boolean.
 */
function valueMatcher(
  column: Column,
  predicate: LeafPredicate,
): (value: boolean | string) => boolean {
  switch (predicate.op) {
    case 'in': {
      const targets = predicate.values.map((value) => coerceScalar(column, value));
      return (value) => targets.some((target) => compareValues(value, target) === 0);
    }
    case 'contains':
    case 'starts_with': {
      const sensitive = predicate.caseSensitive === true;
      const needle = sensitive ? predicate.value : predicate.value.toLowerCase();
      const anywhere = predicate.op === 'contains';
      return (value) => {
        const haystack = sensitive ? String(value) : String(value).toLowerCase();
        return anywhere ? haystack.includes(needle) : haystack.startsWith(needle);
      };
    }
    case 'is_null':
    case 'not_null': {
      const holds = predicate.op === 'not_null';
      return () => holds;
    }
    default: {
      const { op } = predicate;
      const target = coerceScalar(column, predicate.value);
      return (value) => comparisonHolds(op, compareValues(value, target));
    }
  }
}

function compareValues(value: boolean | string, target: number | boolean | string): number {
  if (typeof value === 'boolean') return Number(value) - Number(target);
  return compareCodePoints(value, String(target));
}

function comparisonHolds(op: ComparisonOp, order: number): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
  }
}

function numberMask(
  column: Column,
  values: NumericArray,
  predicate: LeafPredicate,
  selection: Selection,
  count: number,
  mask: Uint8Array,
): void {
  if (predicate.op === 'in') {
    const targets = predicate.values.map((value) => coerceScalar(column, value) as number);
    if (targets.length <= IN_LIST_SCAN_LIMIT) {
      const one = newMask(count);
      for (const target of targets) {
        compareNumbers(values, 'eq', target, selection, count, one);
        for (let i = 0; i < count; i++) mask[i]! |= one[i]!;
      }
      return;
    }
    // NaN equals nothing, though a Set would find it.
    const set = new Set(targets.filter((target) => !Number.isNaN(target)));
    if (selection === null) for (let i = 0; i < count; i++) mask[i] = set.has(values[i]!) ? 1 : 0;
    else for (let i = 0; i < count; i++) mask[i] = set.has(values[selection[i]!]!) ? 1 : 0;
    return;
  }
  switch (predicate.op) {
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      compareNumbers(
        values,
        predicate.op,
        coerceScalar(column, predicate.value) as number,
        selection,
        count,
        mask,
      );
  }
}

/** One loop per operator so that each stays a tight compare-and-store over the typed array. */
function compareNumbers(
  values: NumericArray,
  op: ComparisonOp,
  target: number,
  selection: Selection,
  count: number,
  mask: Uint8Array,
): void {
  if (selection === null) {
    switch (op) {
      case 'eq':
        for (let i = 0; i < count; i++) mask[i] = values[i]! === target ? 1 : 0;
        return;
      case 'ne':
        for (let i = 0; i < count; i++) mask[i] = values[i]! !== target ? 1 : 0;
        return;
      case 'lt':
        for (let i = 0; i < count; i++) mask[i] = values[i]! < target ? 1 : 0;
        return;
      case 'le':
        for (let i = 0; i < count; i++) mask[i] = values[i]! <= target ? 1 : 0;
        return;
      case 'gt':
        for (let i = 0; i < count; i++) mask[i] = values[i]! > target ? 1 : 0;
        return;
      case 'ge':
        for (let i = 0; i < count; i++) mask[i] = values[i]! >= target ? 1 : 0;
        return;
    }
  }
  switch (op) {
    case 'eq':
      for (let i = 0; i < count; i++) mask[i] = values[selection[i]!]! === target ? 1 : 0;
      return;
    case 'ne':
      for (let i = 0; i < count; i++) mask[i] = values[selection[i]!]! !== target ? 1 : 0;
      return;
    case 'lt':
      for (let i = 0; i < count; i++) mask[i] = values[selection[i]!]! < target ? 1 : 0;
      return;
    case 'le':
      for (let i = 0; i < count; i++) mask[i] = values[selection[i]!]! <= target ? 1 : 0;
      return;
    case 'gt':
      for (let i = 0; i < count; i++) mask[i] = values[selection[i]!]! > target ? 1 : 0;
      return;
    case 'ge':
      for (let i = 0; i < count; i++) mask[i] = values[selection[i]!]! >= target ? 1 : 0;
      return;
  }
}

function dictMask(
  column: Column,
  data: DictColumnData,
  predicate: LeafPredicate,
  selection: Selection,
  count: number,
  mask: Uint8Array,
): void {
  const { codes, dictionary } = data;
  const matches = valueMatcher(column, predicate);
  const table = lookupTable(dictionary.length, (code) => matches(dictionary[code]!));
  // Codes under null rows may be anything; an out-of-range one reads undefined, stored as 0.
  if (selection === null) for (let i = 0; i < count; i++) mask[i] = table[codes[i]!]!;
  else for (let i = 0; i < count; i++) mask[i] = table[codes[selection[i]!]!]!;
}

function utf8Mask(
  column: Column,
  data: Utf8ColumnData,
  predicate: LeafPredicate,
  selection: Selection,
  count: number,
  mask: Uint8Array,
): void {
  switch (predicate.op) {
    case 'is_null':
    case 'not_null':
      return;
    case 'contains':
    case 'starts_with':
      searchUtf8(
        data,
        predicate.value,
        predicate.op,
        predicate.caseSensitive === true,
        selection,
        count,
        mask,
      );
      return;
    case 'in': {
      const targets = predicate.values.map((value) => String(coerceScalar(column, value)));
      if (targets.length <= IN_LIST_SCAN_LIMIT) {
        const one = newMask(count);
        for (const target of targets) {
          compareUtf8(data, 'eq', encoder.encode(target), selection, count, one);
          for (let i = 0; i < count; i++) mask[i]! |= one[i]!;
        }
        return;
      }
      const set = new Set(targets);
      const { offsets, bytes } = data;
      for (let i = 0; i < count; i++) {
        const row = selection === null ? i : selection[i]!;
        mask[i] = set.has(decoder.decode(bytes.subarray(offsets[row]!, offsets[row + 1]!))) ? 1 : 0;
      }
      return;
    }
    default:
      compareUtf8(
        data,
        predicate.op,
        encoder.encode(String(coerceScalar(column, predicate.value))),
        selection,
        count,
        mask,
      );
  }
}

/** Byte order of UTF-8 is code point order, so no row is decoded. */
function compareUtf8(
  data: Utf8ColumnData,
  op: ComparisonOp,
  needle: Uint8Array,
  selection: Selection,
  count: number,
  mask: Uint8Array,
): void {
  const { offsets, bytes } = data;
  const needleLength = needle.length;
  if (op === 'eq' || op === 'ne') {
    const equal = op === 'eq' ? 1 : 0;
    for (let i = 0; i < count; i++) {
      const row = selection === null ? i : selection[i]!;
      const start = offsets[row]!;
      let same = offsets[row + 1]! - start === needleLength;
      for (let j = 0; same && j < needleLength; j++) same = bytes[start + j] === needle[j];
      mask[i] = same ? equal : 1 - equal;
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    const start = offsets[row]!;
    const length = offsets[row + 1]! - start;
    const shorter = length < needleLength ? length : needleLength;
    let order = length - needleLength;
    for (let j = 0; j < shorter; j++) {
      const difference = bytes[start + j]! - needle[j]!;
      if (difference !== 0) {
        order = difference;
        break;
      }
    }
    mask[i] = comparisonHolds(op, order) ? 1 : 0;
  }
}

function searchUtf8(
  data: Utf8ColumnData,
  value: string,
  op: 'contains' | 'starts_with',
  caseSensitive: boolean,
  selection: Selection,
  count: number,
  mask: Uint8Array,
): void {
  const { offsets, bytes } = data;
  const needleText = caseSensitive ? value : value.toLowerCase();
  const needle = encoder.encode(needleText);
  const needleIsAscii = needle.every((byte) => byte < 0x80);
  const anywhere = op === 'contains';
  for (let i = 0; i < count; i++) {
    const row = selection === null ? i : selection[i]!;
    const start = offsets[row]!;
    const end = offsets[row + 1]!;
    if (caseSensitive) {
      mask[i] = findBytes(bytes, start, end, needle, anywhere, false) ? 1 : 0;
      continue;
    }
    let ascii = true;
    for (let j = start; j < end; j++) {
      if (bytes[j]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      // An ASCII row lowercases to ASCII, so it cannot hold a needle with other characters.
      mask[i] = needleIsAscii && findBytes(bytes, start, end, needle, anywhere, true) ? 1 : 0;
    } else {
      // Lowercasing beyond ASCII is not byte-wise (U+212A KELVIN SIGN becomes "k").
      const text = decoder.decode(bytes.subarray(start, end)).toLowerCase();
      mask[i] = (anywhere ? text.includes(needleText) : text.startsWith(needleText)) ? 1 : 0;
    }
  }
}

/** Whether `needle` occurs in `bytes[start, end)` (at `start` only, unless `anywhere`). */
function findBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  needle: Uint8Array,
  anywhere: boolean,
  foldAsciiCase: boolean,
): boolean {
  const last = anywhere ? end - needle.length : Math.min(start, end - needle.length);
  for (let at = start; at <= last; at++) {
    let j = 0;
    for (; j < needle.length; j++) {
      let byte = bytes[at + j]!;
      if (foldAsciiCase && byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
      if (byte !== needle[j]) break;
    }
    if (j === needle.length) return true;
  }
  return false;
}

/**
 * The filter kernel: which rows of a table (or of a view's selection) a typed predicate holds
 * for.
 *
 * The predicate is first compiled: every column is looked up and every filter value coerced
 * once, so a bad predicate fails the same way whatever the data. Evaluation then works on
 * ascending lists of view positions in Uint32Arrays. A leaf writes the positions it matches
 * straight into such a list, with one tight loop per column kind and operator (a number
 * comparison is a compare and a conditional store per row, and a view that is a whole table is
 * read with no indirection). `and` narrows: each operand only tests the positions the previous
 * ones kept. `or` merges its operands' lists and `not` takes the complement of its operand's.
 * Nulls are dropped from a leaf's matches afterwards, which costs only per match.
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
 * Other fast paths: a dictionary column evaluates the predicate once per dictionary entry and
 * then scans its codes through that lookup table; UTF-8 equality and order compare bytes against
 * the needle encoded once; ASCII rows are searched case-insensitively byte by byte, and only
 * rows holding other characters are decoded.
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

/**
 * A leaf's test over `count` rows (`tested[j]`, or row `j` itself when `tested` is null): the
 * ascending indices `j` it holds for, nulls not yet dropped.
 */
type LeafTest = (tested: Selection, count: number) => Uint32Array;

/** A predicate with its columns found and its values coerced. */
type Plan =
  | { readonly op: 'and' | 'or'; readonly children: readonly Plan[] }
  | { readonly op: 'not'; readonly child: Plan }
  | {
      readonly op: 'leaf';
      readonly validity: Validity;
      /** Whether the test's matches must lose their null rows (all but `is_null`/`not_null`). */
      readonly dropsNulls: boolean;
      readonly test: LeafTest;
    };

/** Below this many `in` values, comparing with each beats a hash lookup per row. */
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
  const plan = compile(table, predicate);
  const count = selection === null ? table.length : selection.length;
  const positions = matching(plan, selection, null, count);
  if (selection === null) return positions;
  for (let i = 0; i < positions.length; i++) positions[i] = selection[positions[i]!]!;
  return positions;
}

function compile(table: ColumnTable, predicate: Predicate): Plan {
  switch (predicate.op) {
    case 'and':
    case 'or':
      return {
        op: predicate.op,
        children: predicate.predicates.map((child) => compile(table, child)),
      };
    case 'not':
      return { op: 'not', child: compile(table, predicate.predicate) };
    default: {
      const column = columnNamed(table, predicate.column);
      const nullTest = predicate.op === 'is_null' || predicate.op === 'not_null';
      return {
        op: 'leaf',
        validity: column.data.validity,
        dropsNulls: !nullTest,
        test: leafTest(column, predicate),
      };
    }
  }
}

/**
 * Ascending positions of the view (among `within`, or all `count` when null) where `plan`
 * holds.
 */
function matching(
  plan: Plan,
  selection: Selection,
  within: Uint32Array | null,
  count: number,
): Uint32Array {
  switch (plan.op) {
    case 'and': {
      let kept = within;
      for (const child of plan.children) {
        kept = matching(child, selection, kept, count);
        if (kept.length === 0) return kept;
      }
      return kept ?? allPositions(count);
    }
    case 'or': {
      let union: Uint32Array = new Uint32Array(0);
      for (const child of plan.children) {
        union = mergeAscending(union, matching(child, selection, within, count));
      }
      return union;
    }
    case 'not':
      return complement(matching(plan.child, selection, within, count), within, count);
    case 'leaf': {
      const tested = within === null ? selection : rowsOf(selection, within);
      const testedCount = within === null ? count : within.length;
      let hits = plan.test(tested, testedCount);
      if (plan.dropsNulls && plan.validity !== null) hits = dropNulls(hits, plan.validity, tested);
      if (within !== null) for (let i = 0; i < hits.length; i++) hits[i] = within[hits[i]!]!;
      return hits;
    }
  }
}

function allPositions(count: number): Uint32Array {
  const positions = new Uint32Array(count);
  for (let i = 0; i < count; i++) positions[i] = i;
  return positions;
}

function rowsOf(selection: Selection, positions: Uint32Array): Uint32Array {
  if (selection === null) return positions;
  const rows = new Uint32Array(positions.length);
  for (let i = 0; i < positions.length; i++) rows[i] = selection[positions[i]!]!;
  return rows;
}

/** `hits` without the indices whose row is null, compacted in place. */
function dropNulls(hits: Uint32Array, validity: Uint8Array, tested: Selection): Uint32Array {
  let kept = 0;
  for (let i = 0; i < hits.length; i++) {
    const hit = hits[i]!;
    const row = tested === null ? hit : tested[hit]!;
    hits[kept] = hit;
    kept += (validity[row >> 3]! >> (row & 7)) & 1;
  }
  return hits.subarray(0, kept);
}

function mergeAscending(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const merged = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x <= y) i++;
    if (y <= x) j++;
    merged[k++] = x < y ? x : y;
  }
  while (i < a.length) merged[k++] = a[i++]!;
  while (j < b.length) merged[k++] = b[j++]!;
  return merged.subarray(0, k);
}

/** The positions of `within` (of `0 .. count - 1` when null) that are not in `hits`. */
function complement(hits: Uint32Array, within: Uint32Array | null, count: number): Uint32Array {
  const size = within === null ? count : within.length;
  const rest = new Uint32Array(size - hits.length);
  let k = 0;
  let h = 0;
  for (let i = 0; i < size; i++) {
    const position = within === null ? i : within[i]!;
    if (h < hits.length && hits[h] === position) h++;
    else rest[k++] = position;
  }
  return rest;
}

/**
 * Room for every tested row to match. A large typed array is zeroed lazily by the system, so
 * only the pages matches are written to cost anything; the matches are then copied out.
 */
function allHits(count: number): Uint32Array {
  return new Uint32Array(count);
}

/** The first `k` matches, copied so that a view does not keep the whole buffer alive. */
function finished(hits: Uint32Array, k: number): Uint32Array {
  return k === hits.length ? hits : hits.slice(0, k);
}

/** The indices `j` where `mask[j]` is 1. */
function maskHits(mask: Uint8Array, count: number): Uint32Array {
  const hits = allHits(count);
  let k = 0;
  for (let j = 0; j < count; j++) {
    if (mask[j] === 1) {
      hits[k++] = j;
    }
  }
  return finished(hits, k);
}

function leafTest(column: Column, predicate: LeafPredicate): LeafTest {
  const { data } = column;
  if (predicate.op === 'is_null' || predicate.op === 'not_null') {
    const wantValid = predicate.op === 'not_null' ? 1 : 0;
    const { validity } = data;
    return (tested, count) => {
      if (validity === null) return wantValid ? allPositions(count) : new Uint32Array(0);
      const mask = new Uint8Array(count);
      for (let j = 0; j < count; j++) {
        const row = tested === null ? j : tested[j]!;
        mask[j] = ((validity[row >> 3]! >> (row & 7)) & 1) === wantValid ? 1 : 0;
      }
      return maskHits(mask, count);
    };
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
      return numberTest(column, data.values, predicate);
    case 'bool': {
      const matches = valueMatcher(column, predicate);
      const table = lookupTable(2, (entry) => matches(entry === 1));
      const { bits } = data;
      return (tested, count) => {
        const mask = new Uint8Array(count);
        for (let j = 0; j < count; j++) {
          const row = tested === null ? j : tested[j]!;
          mask[j] = table[(bits[row >> 3]! >> (row & 7)) & 1]!;
        }
        return maskHits(mask, count);
      };
    }
    case 'dict':
      return dictTest(column, data, predicate);
    case 'utf8':
      return utf8Test(column, data, predicate);
  }
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

function numberTest(column: Column, values: NumericArray, predicate: LeafPredicate): LeafTest {
  switch (predicate.op) {
    case 'in': {
      const targets = predicate.values.map((value) => coerceScalar(column, value) as number);
      if (targets.length <= IN_LIST_SCAN_LIMIT) {
        return (tested, count) => {
          const mask = new Uint8Array(count);
          for (const target of targets) {
            for (let j = 0; j < count; j++) {
              if (values[tested === null ? j : tested[j]!] === target) mask[j] = 1;
            }
          }
          return maskHits(mask, count);
        };
      }
      // NaN equals nothing, though a Set would find it.
      const set = new Set(targets.filter((target) => !Number.isNaN(target)));
      return (tested, count) => {
        const mask = new Uint8Array(count);
        for (let j = 0; j < count; j++) {
          mask[j] = set.has(values[tested === null ? j : tested[j]!]!) ? 1 : 0;
        }
        return maskHits(mask, count);
      };
    }
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const { op } = predicate;
      const target = coerceScalar(column, predicate.value) as number;
      return (tested, count) => compareNumbers(values, op, target, tested, count);
    }
    default:
      return () => new Uint32Array(0);
  }
}

/**
 * The indices `j < count` where `values[tested[j]] op target` (`values[j]` when `tested` is
 * null): one loop per operator and case, each a compare and a conditional store.
 */
function compareNumbers(
  values: NumericArray,
  op: ComparisonOp,
  target: number,
  tested: Selection,
  count: number,
): Uint32Array {
  const hits = allHits(count);
  let k = 0;
  if (tested === null) {
    switch (op) {
      case 'eq':
        for (let j = 0; j < count; j++) {
          if (values[j]! === target) {
            hits[k++] = j;
          }
        }
        break;
      case 'ne':
        for (let j = 0; j < count; j++) {
          if (values[j]! !== target) {
            hits[k++] = j;
          }
        }
        break;
      case 'lt':
        for (let j = 0; j < count; j++) {
          if (values[j]! < target) {
            hits[k++] = j;
          }
        }
        break;
      case 'le':
        for (let j = 0; j < count; j++) {
          if (values[j]! <= target) {
            hits[k++] = j;
          }
        }
        break;
      case 'gt':
        for (let j = 0; j < count; j++) {
          if (values[j]! > target) {
            hits[k++] = j;
          }
        }
        break;
      case 'ge':
        for (let j = 0; j < count; j++) {
          if (values[j]! >= target) {
            hits[k++] = j;
          }
        }
        break;
    }
    return finished(hits, k);
  }
  switch (op) {
    case 'eq':
      for (let j = 0; j < count; j++) {
        if (values[tested[j]!]! === target) {
          hits[k++] = j;
        }
      }
      break;
    case 'ne':
      for (let j = 0; j < count; j++) {
        if (values[tested[j]!]! !== target) {
          hits[k++] = j;
        }
      }
      break;
    case 'lt':
      for (let j = 0; j < count; j++) {
        if (values[tested[j]!]! < target) {
          hits[k++] = j;
        }
      }
      break;
    case 'le':
      for (let j = 0; j < count; j++) {
        if (values[tested[j]!]! <= target) {
          hits[k++] = j;
        }
      }
      break;
    case 'gt':
      for (let j = 0; j < count; j++) {
        if (values[tested[j]!]! > target) {
          hits[k++] = j;
        }
      }
      break;
    case 'ge':
      for (let j = 0; j < count; j++) {
        if (values[tested[j]!]! >= target) {
          hits[k++] = j;
        }
      }
      break;
  }
  return finished(hits, k);
}

function dictTest(column: Column, data: DictColumnData, predicate: LeafPredicate): LeafTest {
  const { codes, dictionary } = data;
  const matches = valueMatcher(column, predicate);
  const table = lookupTable(dictionary.length, (code) => matches(dictionary[code]!));
  return (tested, count) => {
    const hits = allHits(count);
    let k = 0;
    // Codes under null rows may be anything; an out-of-range one reads undefined, no match.
    for (let j = 0; j < count; j++) {
      if (table[codes[tested === null ? j : tested[j]!]!] === 1) {
        hits[k++] = j;
      }
    }
    return finished(hits, k);
  };
}

function utf8Test(column: Column, data: Utf8ColumnData, predicate: LeafPredicate): LeafTest {
  switch (predicate.op) {
    case 'contains':
    case 'starts_with': {
      const { value, op } = predicate;
      const sensitive = predicate.caseSensitive === true;
      return (tested, count) => searchUtf8(data, value, op, sensitive, tested, count);
    }
    case 'in': {
      const targets = predicate.values.map((value) => String(coerceScalar(column, value)));
      if (targets.length <= IN_LIST_SCAN_LIMIT) {
        const needles = targets.map((target) => encoder.encode(target));
        return (tested, count) => {
          const mask = new Uint8Array(count);
          for (const needle of needles) compareUtf8(data, 'eq', needle, tested, count, mask);
          return maskHits(mask, count);
        };
      }
      const set = new Set(targets);
      const { offsets, bytes } = data;
      return (tested, count) => {
        const mask = new Uint8Array(count);
        for (let j = 0; j < count; j++) {
          const row = tested === null ? j : tested[j]!;
          const text = decoder.decode(bytes.subarray(offsets[row]!, offsets[row + 1]!));
          mask[j] = set.has(text) ? 1 : 0;
        }
        return maskHits(mask, count);
      };
    }
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const { op } = predicate;
      const needle = encoder.encode(String(coerceScalar(column, predicate.value)));
      return (tested, count) => {
        const mask = new Uint8Array(count);
        compareUtf8(data, op, needle, tested, count, mask);
        return maskHits(mask, count);
      };
    }
    default:
      return () => new Uint32Array(0);
  }
}

/**
 * Sets `mask[j]` where row `j` compares to `needle` as `op` says (leaving it alone elsewhere,
 * so that `in` can add one needle after another). Byte order of UTF-8 is code point order, so
 * no row is decoded.
 */
function compareUtf8(
  data: Utf8ColumnData,
  op: ComparisonOp,
  needle: Uint8Array,
  tested: Selection,
  count: number,
  mask: Uint8Array,
): void {
  const { offsets, bytes } = data;
  const needleLength = needle.length;
  if (op === 'eq' || op === 'ne') {
    const equal = op === 'eq';
    for (let j = 0; j < count; j++) {
      const row = tested === null ? j : tested[j]!;
      const start = offsets[row]!;
      let same = offsets[row + 1]! - start === needleLength;
      for (let i = 0; same && i < needleLength; i++) same = bytes[start + i] === needle[i];
      if (same === equal) mask[j] = 1;
    }
    return;
  }
  for (let j = 0; j < count; j++) {
    const row = tested === null ? j : tested[j]!;
    const start = offsets[row]!;
    const length = offsets[row + 1]! - start;
    const shorter = length < needleLength ? length : needleLength;
    let order = length - needleLength;
    for (let i = 0; i < shorter; i++) {
      const difference = bytes[start + i]! - needle[i]!;
      if (difference !== 0) {
        order = difference;
        break;
      }
    }
    if (comparisonHolds(op, order)) mask[j] = 1;
  }
}

function searchUtf8(
  data: Utf8ColumnData,
  value: string,
  op: 'contains' | 'starts_with',
  caseSensitive: boolean,
  tested: Selection,
  count: number,
): Uint32Array {
  const { offsets, bytes } = data;
  const needleText = caseSensitive ? value : value.toLowerCase();
  const needle = encoder.encode(needleText);
  const needleIsAscii = needle.every((byte) => byte < 0x80);
  const anywhere = op === 'contains';
  const mask = new Uint8Array(count);
  for (let j = 0; j < count; j++) {
    const row = tested === null ? j : tested[j]!;
    const start = offsets[row]!;
    const end = offsets[row + 1]!;
    if (caseSensitive) {
      mask[j] = findBytes(bytes, start, end, needle, anywhere, false) ? 1 : 0;
      continue;
    }
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      // An ASCII row lowercases to ASCII, so it cannot hold a needle with other characters.
      mask[j] = needleIsAscii && findBytes(bytes, start, end, needle, anywhere, true) ? 1 : 0;
    } else {
      // Lowercasing beyond ASCII is not byte-wise (U+212A KELVIN SIGN becomes "k").
      const text = decoder.decode(bytes.subarray(start, end)).toLowerCase();
      mask[j] = (anywhere ? text.includes(needleText) : text.startsWith(needleText)) ? 1 : 0;
    }
  }
  return maskHits(mask, count);
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

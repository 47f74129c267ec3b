/**
 * Columns read from Arrow IPC whose O(rows) checks run when a kernel first reads the buffer they
 * guard, not at load. A 10-million-row file is a table in the time its metadata takes to parse
 * only if load touches no buffer; yet a code past its dictionary or string offsets that go
 * backwards must never reach a kernel. So the guarded buffer (`codes`, `offsets`) is a getter on
 * the column object: the first read checks the whole buffer once and keeps the result; every
 * later read returns that same array. A damaged buffer makes that read throw a `parse_error`
 * naming the column, so a kernel can read unchecked memory by no path at all.
 *
 * The getter is an own, enumerable property of a plain object (not a class's prototype), so a
 * spread copy (`{ ...data, validity }`) reads it, and is checked, too.
 */
import {
  isValid,
  type CodeArray,
  type DictColumnData,
  type Utf8ColumnData,
  type Validity,
} from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';

/**
 * The error for a column whose Arrow buffers contradict each other.
 *
 * @example
 * throw damagedColumn('site', 'row 3 refers to no dictionary entry');
 */
export function damagedColumn(column: string, detail: string): EngineError {
  return new EngineError({
    code: 'parse_error',
    message: `The Arrow data of column "${column}" is damaged: ${detail}.`,
  });
}

/**
 * Rows `[start, end)` of a codes buffer index a dictionary of `size` entries. A buffer joined
 * from several record batches has one segment per batch, each checked against the dictionary it
 * was written with (a batch must not reach entries that a later delta batch added).
 */
export interface CodeSegment {
  readonly start: number;
  readonly end: number;
  readonly size: number;
}

/**
 * Whether every code of `codes[start, end)` lies in `[0, size)`, in one branch-free pass:
 * `code | (last - code)` has its sign bit set exactly when the code is negative or past the last
 * entry (codes of 2^31 and more, from a Uint32Array, turn negative in `|` too).
 */
function allInRange(codes: CodeArray, start: number, end: number, size: number): boolean {
  const last = size - 1;
  const whole = start + ((end - start) & ~3);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let row = start;
  for (; row < whole; row += 4) {
    const w = codes[row]!;
    const x = codes[row + 1]!;
    const y = codes[row + 2]!;
    const z = codes[row + 3]!;
    a |= w | (last - w);
    b |= x | (last - x);
    c |= y | (last - y);
    d |= z | (last - z);
  }
  for (; row < end; row++) a |= codes[row]! | (last - codes[row]!);
  return (a | b | c | d) >= 0;
}

/**
 * The codes when every row that holds a value points into its dictionary. Rows without a value
 * may hold anything in Arrow; when one points elsewhere the codes are copied with that slot set
 * to 0 (never written into the input, which the caller may still hold).
 */
function checkedCodes(
  codes: CodeArray,
  validity: Validity,
  segments: readonly CodeSegment[],
  column: string,
): CodeArray {
  if (segments.every(({ start, end, size }) => allInRange(codes, start, end, size))) return codes;
  let fixed: CodeArray | null = null;
  for (const { start, end, size } of segments) {
    for (let row = start; row < end; row++) {
      const code = codes[row]!;
      if (code >= 0 && code < size) continue;
      if (isValid(validity, row)) {
        throw damagedColumn(column, `row ${row + 1} refers to no dictionary entry`);
      }
      fixed ??= codes.slice();
      fixed[row] = 0;
    }
  }
  return fixed ?? codes;
}

/**
 * A category column whose codes are checked against their dictionary when first read.
 *
 * @example
 * const data = dictCheckedOnRead({ length, codes, dictionary, validity, segments }, 'site');
 * data.codes; // checked now, or a parse_error
 */
export function dictCheckedOnRead(
  parts: {
    readonly length: number;
    readonly codes: CodeArray;
    readonly dictionary: readonly string[];
    readonly validity: Validity;
    readonly segments: readonly CodeSegment[];
  },
  column: string,
): DictColumnData {
  const { length, dictionary, validity, segments } = parts;
  const unchecked = parts.codes;
  let checked: CodeArray | null = null;
  return {
    kind: 'dict',
    type: 'category',
    length,
    get codes() {
      return (checked ??= checkedCodes(unchecked, validity, segments, column));
    },
    dictionary,
    validity,
  };
}

/**
 * The offsets, rebased to start at 0, once they are known never to go backwards. That the first
 * and last lie within the bytes is checked at load, so between them every offset does too.
 */
function checkedOffsets(offsets: Int32Array, column: string): Int32Array {
  const length = offsets.length - 1;
  let previous = offsets[0]!;
  for (let row = 1; row <= length; row++) {
    const offset = offsets[row]!;
    if (offset < previous) throw damagedColumn(column, 'string offsets go backwards');
    previous = offset;
  }
  const first = offsets[0]!;
  if (first === 0) return offsets;
  const own = new Int32Array(length + 1);
  for (let row = 0; row <= length; row++) own[row] = offsets[row]! - first;
  return own;
}

/**
 * A UTF-8 column whose offsets are checked for order when first read. `offsets` holds
 * `length + 1` entries as the file wrote them; `bytes` starts at the first offset and ends at
 * the last, which the caller has checked against the file's bytes.
 *
 * @example
 * const data = utf8CheckedOnRead({ length, offsets, bytes, validity }, 'well');
 */
export function utf8CheckedOnRead(
  parts: {
    readonly length: number;
    readonly offsets: Int32Array;
    readonly bytes: Uint8Array;
    readonly validity: Validity;
  },
  column: string,
): Utf8ColumnData {
  const { length, bytes, validity } = parts;
  const unchecked = parts.offsets;
  let checked: Int32Array | null = null;
  return {
    kind: 'utf8',
    type: 'string',
    length,
    get offsets() {
      return (checked ??= checkedOffsets(unchecked, column));
    },
    bytes,
    validity,
  };
}

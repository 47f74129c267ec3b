/**
 * Checks the structure of Arrow data whose values are read one by one through apache-arrow's
 * accessors (lists, maps, structs, unions, binary and what they hold, kept as JSON or hex text).
 * The accessors trust the buffers: an offset past a child reads the padding after it or another
 * column's bytes, and a damaged file would become plausible-looking text. So before the values
 * are read, every offset is checked to be in order and within its child, every child long
 * enough for its parent, every union type id known and every dictionary code within its
 * dictionary. These columns are converted row by row anyway, so an O(rows) pass costs little.
 *
 * View types (Utf8View, BinaryView, ListView) are left to the accessors, which refuse what they
 * cannot read; a refusal becomes a `parse_error` like any other.
 */
import { Type, type Data, type DataType } from 'apache-arrow';
import { halvesOf } from './int64.ts';

const TWO_32 = 4_294_967_296;

type Offsets = Int32Array | BigInt64Array;

/** Reads entry `index` of 32- or 64-bit offsets as a number. */
function offsetReader(offsets: Offsets): (index: number) => number {
  if (offsets instanceof Int32Array) return (index) => offsets[index]!;
  const halves = halvesOf(offsets);
  return (index) => halves[2 * index + 1]! * TWO_32 + (halves[2 * index]! >>> 0);
}

/** The error for the first inconsistency found; `detail` is written to follow "damaged: ". */
type Fail = (detail: string) => Error;

function needEntries(buffer: ArrayLike<unknown> | undefined, needed: number, fail: Fail): void {
  if ((buffer?.length ?? 0) < needed) {
    throw fail(`a buffer holds ${buffer?.length ?? 0} entries where ${needed} are needed`);
  }
}

/** Offsets of rows `[from, to)` in order and within `[0, size]`. */
function checkOffsets(
  offsets: Offsets | undefined,
  from: number,
  to: number,
  size: number,
  fail: Fail,
): void {
  needEntries(offsets, to + 1, fail);
  const offsetAt = offsetReader(offsets!);
  let previous = offsetAt(from);
  if (previous < 0) throw fail('an offset lies before the data');
  for (let row = from + 1; row <= to; row++) {
    const offset = offsetAt(row);
    if (offset < previous) throw fail('offsets go backwards');
    previous = offset;
  }
  if (previous > size) throw fail('an offset lies past the data');
}

function checkUnion(data: Data, end: number, fail: Fail): void {
  const type = data.type as unknown as { typeIds: Int32Array; mode: number };
  const typeIds = data.typeIds as Int8Array | undefined;
  needEntries(typeIds, end, fail);
  const childOf = new Map<number, number>();
  type.typeIds.forEach((typeId, index) => childOf.set(typeId, index));
  const dense = type.mode === 1;
  const offsets = data.valueOffsets as Int32Array | undefined;
  if (dense) needEntries(offsets, end, fail);
  for (let row = data.offset; row < end; row++) {
    const child = childOf.get(typeIds![row]!);
    if (child === undefined) throw fail(`row ${row + 1} has an unknown union type`);
    const at = dense ? offsets![row]! : row;
    if (at < 0 || at >= data.children[child]!.length) throw fail('a union row lies past its child');
  }
  for (const child of data.children) checkNestedStructure(child, fail);
}

function checkDictionaryCodes(data: Data, end: number, fail: Fail): void {
  const codes = data.values as ArrayLike<number | bigint> | undefined;
  needEntries(codes, end, fail);
  const size = data.dictionary?.length ?? 0;
  const bitmap = data.nullCount > 0 ? (data.nullBitmap as Uint8Array) : null;
  for (let row = data.offset; row < end; row++) {
    if (bitmap && (bitmap[row >> 3]! & (1 << (row & 7))) === 0) continue;
    const code = Number(codes![row]!);
    if (!(code >= 0 && code < size)) throw fail(`row ${row + 1} refers to no dictionary entry`);
  }
  for (const chunk of data.dictionary?.data ?? []) checkNestedStructure(chunk, fail);
}

/**
 * Throws `fail(detail)` when the buffers of `data` or of anything it holds contradict each
 * other; returns when every value can be read from where the metadata says it is.
 *
 * @example
 * checkNestedStructure(listData, (detail) => damagedColumn('tags', detail));
 */
export function checkNestedStructure(data: Data, fail: Fail): void {
  const end = data.offset + data.length;
  const type = data.type as DataType;
  if (data.typeId !== Type.Null && data.typeId !== Type.Union && data.nullCount > 0) {
    needEntries(data.nullBitmap as Uint8Array | undefined, (end + 7) >> 3, fail);
  }
  switch (data.typeId) {
    case Type.Null:
    case Type.Utf8View:
    case Type.BinaryView:
      return;
    case Type.Bool:
      return needEntries(data.values as Uint8Array | undefined, (end + 7) >> 3, fail);
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const bytes = data.values as Uint8Array | undefined;
      return checkOffsets(data.valueOffsets as Offsets, data.offset, end, bytes?.length ?? 0, fail);
    }
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const child = data.children[0];
      if (!child) throw fail('a list has no values');
      checkOffsets(data.valueOffsets as Offsets, data.offset, end, child.length, fail);
      return checkNestedStructure(child, fail);
    }
    case Type.FixedSizeList: {
      const child = data.children[0];
      const size = (type as unknown as { listSize: number }).listSize;
      if (!child || child.length < end * size) throw fail('a list holds fewer values than needed');
      return checkNestedStructure(child, fail);
    }
    case Type.Struct:
      for (const child of data.children) {
        if (child.length < end) throw fail('a field holds fewer rows than its struct');
        checkNestedStructure(child, fail);
      }
      return;
    case Type.Union:
      return checkUnion(data, end, fail);
    case Type.Dictionary:
      return checkDictionaryCodes(data, end, fail);
    default:
      // Fixed-width values: numbers, dates, times, decimals, intervals, fixed-size binary.
      return needEntries(data.values as ArrayLike<unknown> | undefined, end * data.stride, fail);
  }
}

/**
 * Reads Arrow IPC bytes (stream or file format) into the engine's model. Where Arrow's buffers
 * already have the model's layout they are used as they are: a column of one record batch with
 * Int8…Int32, Uint8…Uint32, Float32/64, DateDay, Bool, Utf8 or Dictionary<Utf8> is views of the
 * input bytes (apache-arrow makes its typed arrays over the input and copies a message body only
 * when it does not start on an 8-byte boundary), so a 10-million-row file is a table in the time
 * it takes to read the metadata. Several record batches are joined once per column. Other types
 * are converted:
 * - Int64/Uint64 → `int` numbers (a `precision-lost` warning when a value passes ±2^53).
 * - Float16 → `float`; Decimal → `float` (`precision-lost` when the declared precision passes
 *   the 15 digits a number keeps).
 * - Date64 → `datetime`; Timestamp of any unit and zone → `datetime` in UTC milliseconds
 *   (`precision-lost` when nanoseconds below a microsecond are dropped).
 * - LargeUtf8 and Utf8View → `string`; dictionaries of other index widths → `category`;
 *   dictionaries of numbers → the numbers.
 * - Time and Duration → `int` counts of their unit, with a `type-widened` warning.
 * - Null → an all-null `string` column.
 * - Anything else (List, Struct, Map, Union, Binary, Interval…) is not dropped: each value is
 *   kept as JSON text (binary as hex) in a `string` column, with a `type-widened` warning.
 * Duplicate field names get a suffix (`name_2`) and a `renamed` warning, as names must be unique.
 * A field's `enclave.plugin` metadata is not read: which plugin made a column is the engine's own
 * record, and a file could claim any plugin.
 *
 * A caller that takes only some shapes of data (a plugin's result) passes `checkLayout`, which
 * sees every field's name and whether its type is plain, and the row count, before any column is
 * read or converted.
 *
 * Input is untrusted. What costs O(1) is checked here: every buffer against the rows it must
 * cover, the first and last string offset against the bytes, lengths against the batch. What
 * costs O(rows) on a column kept as views, dictionary codes against their dictionary and string
 * offsets for order, is checked when the buffer is first read (see `checked-on-read.ts`). Either
 * way a damaged file is a `parse_error`, never a table that crashes or misleads a kernel.
 */
import {
  DataType,
  makeData,
  makeVector,
  RecordBatchReader,
  Type,
  type Data,
  type Dictionary,
  type Field,
  type Float,
  type Int,
  type Timestamp,
  type Vector,
} from 'apache-arrow';
import { Utf8Builder } from '../columns/column-builder.ts';
import {
  isValid,
  type CodeArray,
  type Column,
  type ColumnData,
  type ColumnTable,
  type DictColumnData,
  type NumberColumnData,
  type NumericArray,
  type Utf8ColumnData,
  type Validity,
} from '../columns/column-data.ts';
import { EngineError } from '../engine-error.ts';
import type { LoadWarning } from '../protocol.ts';
import { bitmapSlice, filledBitmap } from './bitmaps.ts';
import {
  damagedColumn,
  dictCheckedOnRead,
  utf8CheckedOnRead,
  type CodeSegment,
} from './checked-on-read.ts';
import { concatColumns, joinValidity } from './concat-columns.ts';
import { halvesOf, int64ToNumbers } from './int64.ts';
import { checkIpcMetadata } from './ipc-metadata.ts';
import { checkNestedStructure } from './nested-structure.ts';
import { LOGICAL_TYPE_KEY } from './table-to-ipc.ts';
import { hexOf, toJsonText } from './json-text.ts';

export interface IpcTable {
  readonly table: ColumnTable;
  readonly warnings: LoadWarning[];
}

/** A field of the bytes as written, before it is read. */
export interface IpcField {
  readonly name: string;
  /** Arrow's name of the type, e.g. `List<Int32>`. */
  readonly arrowType: string;
  /**
   * Whether the type holds numbers, booleans, text, dates or times that the model keeps as they
   * are: Int, Float, Bool, Utf8 (large, view), Date, Timestamp, Null, and dictionaries of these.
   * False for nested, binary, decimal, interval, time-of-day and duration types, which are
   * converted (to text, or to numbers of another meaning).
   */
  readonly plain: boolean;
}

/** The shape of IPC bytes: their fields, in order, and the rows of all their batches. */
export interface IpcLayout {
  readonly fields: readonly IpcField[];
  readonly rows: number;
}

export interface IpcToTableOptions {
  /** Sees the layout before any column is read; throws (an `EngineError`) to refuse it. */
  readonly checkLayout?: (layout: IpcLayout) => void;
}

const UNIT_NAMES = ['seconds', 'milliseconds', 'microseconds', 'nanoseconds'] as const;
const TWO_32 = 4_294_967_296;
const MAX_TEXT_BYTES = 2_147_483_647;

/** What reading one column found worth telling, once per column. */
class ColumnNotes {
  private readonly told = new Set<string>();
  constructor(
    readonly column: string,
    private readonly warnings: LoadWarning[],
  ) {}

  warn(kind: LoadWarning['kind'], message: string): void {
    if (this.told.has(kind)) return;
    this.told.add(kind);
    this.warnings.push({ kind, column: this.column, message });
  }

  damaged(detail: string): EngineError {
    return damagedColumn(this.column, detail);
  }
}

function checkLength(buffer: ArrayLike<unknown> | undefined, needed: number, notes: ColumnNotes) {
  if ((buffer?.length ?? 0) < needed) {
    throw notes.damaged(`a buffer holds ${buffer?.length ?? 0} entries where ${needed} are needed`);
  }
}

function validityOf(data: Data, notes: ColumnNotes): Validity {
  if (data.typeId === Type.Null) return filledBitmap(data.length, false);
  if (data.nullCount <= 0) return null;
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  checkLength(bitmap, (data.offset + data.length + 7) >> 3, notes);
  return bitmapSlice(bitmap!, data.offset, data.length);
}

function numberColumn(
  type: NumberColumnData['type'],
  data: Data,
  values: NumericArray,
  notes: ColumnNotes,
): NumberColumnData {
  return { kind: 'number', type, length: data.length, values, validity: validityOf(data, notes) };
}

/** The first row at or after `from` that holds a value, or -1. */
function firstValidFrom(validity: Validity, from: number, length: number): number {
  for (let row = from; row < length; row++) if (isValid(validity, row)) return row;
  return -1;
}

function readInt64(
  data: Data,
  signed: boolean,
  rowBase: number,
  notes: ColumnNotes,
  type: NumberColumnData['type'] = 'int',
): NumberColumnData {
  const big = data.values as BigInt64Array | BigUint64Array;
  checkLength(big, data.length, notes);
  const { values, firstRounded } = int64ToNumbers(halvesOf(big), data.length, signed);
  const column = numberColumn(type, data, values, notes);
  if (firstRounded >= 0) {
    // Rounding only matters where a row holds a value; null slots may hold anything.
    for (let row = firstRounded; row >= 0 && row < data.length; row++) {
      row = firstValidFrom(column.validity, row, data.length);
      if (row < 0) break;
      if (Math.abs(values[row]!) > Number.MAX_SAFE_INTEGER) {
        notes.warn(
          'precision-lost',
          `Some whole numbers (the first in row ${rowBase + row + 1}) are beyond ±2^53 and were rounded to the nearest number that can be held.`,
        );
        break;
      }
    }
  }
  return column;
}

function readInt(data: Data<Int>, rowBase: number, notes: ColumnNotes): NumberColumnData {
  const { bitWidth, isSigned } = data.type;
  if (bitWidth === 64) return readInt64(data, isSigned, rowBase, notes);
  const values = data.values as NumericArray;
  checkLength(values, data.length, notes);
  return numberColumn('int', data, values.subarray(0, data.length), notes);
}

/** An IEEE half-precision float from its 16 bits. */
function halfToNumber(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function readFloat(data: Data<Float>, notes: ColumnNotes): NumberColumnData {
  const source = data.values as Uint16Array | Float32Array | Float64Array;
  checkLength(source, data.length, notes);
  if (source instanceof Uint16Array) {
    const values = new Float64Array(data.length);
    for (let row = 0; row < data.length; row++) values[row] = halfToNumber(source[row]!);
    return numberColumn('float', data, values, notes);
  }
  return numberColumn('float', data, source.subarray(0, data.length), notes);
}

function readTimestamp(data: Data, unit: number, rowBase: number, notes: ColumnNotes) {
  if (unit === 1) return readInt64(data, true, rowBase, notes, 'datetime');
  const big = data.values as BigInt64Array;
  checkLength(big, data.length, notes);
  const halves = halvesOf(big);
  // Divide rather than multiply by 1e-3: microseconds written from milliseconds divide back
  // to exactly the same milliseconds (see `asMicroseconds` in table-to-ipc.ts).
  const factor = unit === 0 ? 1000 : 1;
  const divisor = unit === 2 ? 1000 : unit === 3 ? 1_000_000 : 1;
  const values = new Float64Array(data.length);
  let firstLost = -1;
  for (let row = 0; row < data.length; row++) {
    const high = halves[2 * row + 1]!;
    const low = halves[2 * row]! >>> 0;
    values[row] = ((high * TWO_32 + low) * factor) / divisor;
    // Nanoseconds below a microsecond: (high · 2^32 + low) mod 1000, where 2^32 mod 1000 = 296.
    if (unit === 3 && firstLost < 0 && ((((high % 1000) + 1000) % 1000) * 296 + low) % 1000 !== 0) {
      firstLost = row;
    }
  }
  const column = numberColumn('datetime', data, values, notes);
  if (firstLost >= 0 && firstValidFrom(column.validity, firstLost, data.length) >= 0) {
    notes.warn(
      'precision-lost',
      'Times are kept to the microsecond; the nanoseconds below that were dropped.',
    );
  }
  return column;
}

function readDecimal(data: Data, notes: ColumnNotes): NumberColumnData {
  const { scale, precision, bitWidth } = data.type as unknown as {
    scale: number;
    precision: number;
    bitWidth: number;
  };
  const words = bitWidth / 32;
  const source = data.values as Uint32Array;
  checkLength(source, data.length * words, notes);
  const values = new Float64Array(data.length);
  const divisor = 10 ** scale;
  for (let row = 0; row < data.length; row++) {
    const at = row * words;
    // The top word carries the sign; sum from the top so the largest terms come first.
    let value = source[at + words - 1]! | 0;
    for (let word = words - 2; word >= 0; word--) value = value * TWO_32 + source[at + word]!;
    values[row] = value / divisor;
  }
  if (precision > 15) {
    notes.warn(
      'precision-lost',
      `Decimals of ${precision} digits are read as numbers, which keep about 15 significant digits.`,
    );
  }
  return numberColumn('float', data, values, notes);
}

/**
 * A string array over its offsets and bytes: the first and last offset are checked against the
 * bytes here, the order of the others when the offsets are first read.
 */
function utf8Of(
  data: Data,
  offsets: Int32Array,
  bytes: Uint8Array | undefined,
  notes: ColumnNotes,
): Utf8ColumnData {
  const { length } = data;
  const first = offsets[0]!;
  const last = offsets[length]!;
  if (first < 0 || first > last || last > (bytes?.length ?? 0)) {
    throw notes.damaged('a string lies outside the data');
  }
  return utf8CheckedOnRead(
    { length, offsets, bytes: bytes!.subarray(first, last), validity: validityOf(data, notes) },
    notes.column,
  );
}

function emptyUtf8(data: Data, notes: ColumnNotes): Utf8ColumnData {
  return {
    kind: 'utf8',
    type: 'string',
    length: data.length,
    offsets: new Int32Array(data.length + 1),
    bytes: new Uint8Array(0),
    validity: data.length === 0 ? null : validityOf(data, notes),
  };
}

function readUtf8(data: Data, notes: ColumnNotes): Utf8ColumnData {
  if (data.length === 0) return emptyUtf8(data, notes);
  const offsets = data.valueOffsets as Int32Array;
  checkLength(offsets, data.length + 1, notes);
  return utf8Of(data, offsets.subarray(0, data.length + 1), data.values as Uint8Array, notes);
}

function readLargeUtf8(data: Data, notes: ColumnNotes): Utf8ColumnData {
  if (data.length === 0) return emptyUtf8(data, notes);
  const big = data.valueOffsets as unknown as BigInt64Array;
  checkLength(big, data.length + 1, notes);
  const halves = halvesOf(big);
  const offsets = new Int32Array(data.length + 1);
  const base = halves[1]! * TWO_32 + (halves[0]! >>> 0);
  if (base < 0) throw notes.damaged('a string lies outside the data');
  for (let row = 0; row <= data.length; row++) {
    const offset = halves[2 * row + 1]! * TWO_32 + (halves[2 * row]! >>> 0) - base;
    if (offset < 0) throw notes.damaged('string offsets go backwards');
    if (offset > MAX_TEXT_BYTES) {
      throw new EngineError({
        code: 'too_large',
        message: `Column "${notes.column}" holds more than 2 GiB of text, more than one column may hold here.`,
      });
    }
    offsets[row] = offset;
  }
  return utf8Of(data, offsets, (data.values as Uint8Array | undefined)?.subarray(base), notes);
}

/** Every value through Arrow's own accessor, as text: strings as they are, others as JSON. */
function readAsText(data: Data, notes: ColumnNotes, warn: boolean): Utf8ColumnData {
  const binary =
    data.typeId === Type.Binary ||
    data.typeId === Type.LargeBinary ||
    data.typeId === Type.FixedSizeBinary ||
    data.typeId === Type.BinaryView;
  if (warn) {
    notes.warn(
      'type-widened',
      binary
        ? `Arrow type ${String(data.type)} is read as text: each value as hexadecimal.`
        : `Arrow type ${String(data.type)} is read as text: each value as JSON.`,
    );
  }
  if (data.length === 0) return emptyUtf8(data, notes);
  checkNestedStructure(data, (detail) => notes.damaged(detail));
  const vector = makeVector(data);
  const builder = new Utf8Builder();
  for (let row = 0; row < data.length; row++) {
    const value: unknown = vector.get(row);
    if (value === null || value === undefined) builder.appendNull();
    else if (typeof value === 'string') builder.append(value);
    else if (binary && value instanceof Uint8Array) builder.append(hexOf(value));
    else builder.append(toJsonText(value));
  }
  return builder.finish();
}

/** The strings of a dictionary vector (null for null entries), decoded once each. */
function dictionaryStrings(dictionary: Vector, notes: ColumnNotes): (string | null)[] {
  const strings: (string | null)[] = [];
  for (const chunk of dictionary.data) {
    const text =
      chunk.typeId === Type.Utf8
        ? readUtf8(chunk, notes)
        : chunk.typeId === Type.LargeUtf8
          ? readLargeUtf8(chunk, notes)
          : readAsText(chunk, notes, false);
    for (let k = 0; k < text.length; k++) {
      strings.push(
        isValid(text.validity, k)
          ? decoder.decode(text.bytes.subarray(text.offsets[k]!, text.offsets[k + 1]!))
          : null,
      );
    }
  }
  return strings;
}

const decoder = new TextDecoder();

/** The codes of a dictionary chunk as they are in the buffer (64-bit codes narrowed). */
function codesOf(data: Data, notes: ColumnNotes): CodeArray {
  const raw = data.values as CodeArray | BigInt64Array | BigUint64Array;
  checkLength(raw, data.length, notes);
  if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) {
    const { values } = int64ToNumbers(halvesOf(raw), data.length, raw instanceof BigInt64Array);
    const codes = new Int32Array(data.length);
    for (let row = 0; row < data.length; row++) {
      const code = values[row]!;
      codes[row] = code >= 0 && code < 2_147_483_648 ? code : -1;
    }
    return codes;
  }
  return raw.subarray(0, data.length);
}

/** The codes of several chunks end to end, in their own array type when they share one. */
function joinCodes(parts: readonly { readonly codes: CodeArray }[], length: number): CodeArray {
  const first = parts[0]?.codes;
  const same =
    first !== undefined && parts.every((part) => part.codes.constructor === first.constructor);
  const ArrayType = (same ? first.constructor : Int32Array) as new (length: number) => CodeArray;
  const joined = new ArrayType(length);
  let at = 0;
  for (const { codes } of parts) {
    joined.set(codes, at);
    at += codes.length;
  }
  return joined;
}

/**
 * A Dictionary<Utf8> column over all its chunks. The dictionaries of the chunks (the same one,
 * a growing one, or replacements) are merged into one of distinct strings. When every chunk's
 * dictionary is a prefix of the merged one in order (one batch, the same dictionary in every
 * batch, or deltas that only append) the codes are kept as they are (one batch) or joined with a
 * copy, and checked against their own chunk's dictionary when first read. Otherwise each code is
 * mapped to the merged dictionary, and checked, here.
 */
function readStringDictionary(chunks: readonly Data[], notes: ColumnNotes): DictColumnData {
  const merged: string[] = [];
  const codeOf = new Map<string, number>();
  const remaps = new Map<Vector, { remap: Int32Array; identity: boolean }>();
  const parts = chunks.map((chunk) => {
    const dictionary = chunk.dictionary;
    if (!dictionary) throw notes.damaged('a dictionary batch is missing');
    let entry = remaps.get(dictionary);
    if (!entry) {
      const strings = dictionaryStrings(dictionary, notes);
      const remap = new Int32Array(strings.length);
      let identity = true;
      for (let k = 0; k < strings.length; k++) {
        const text = strings[k]!;
        if (text === null) {
          remap[k] = -1;
          identity = false;
          continue;
        }
        let code = codeOf.get(text);
        if (code === undefined) {
          code = merged.length;
          merged.push(text);
          codeOf.set(text, code);
        }
        remap[k] = code;
        if (code !== k) identity = false;
      }
      entry = { remap, identity };
      remaps.set(dictionary, entry);
    }
    return {
      chunk,
      length: chunk.length,
      codes: codesOf(chunk, notes),
      validity: validityOf(chunk, notes),
      ...entry,
    };
  });

  let length = 0;
  for (const part of parts) length += part.chunk.length;

  if (parts.every((part) => part.identity)) {
    const segments: CodeSegment[] = [];
    let start = 0;
    for (const part of parts) {
      segments.push({ start, end: start + part.chunk.length, size: part.remap.length });
      start += part.chunk.length;
    }
    const only = parts.length === 1 ? parts[0]! : null;
    return dictCheckedOnRead(
      {
        length,
        codes: only ? only.codes : joinCodes(parts, length),
        dictionary: merged,
        validity: only ? only.validity : joinValidity(parts, length),
        segments,
      },
      notes.column,
    );
  }

  const codes = new Int32Array(length);
  let validity: Uint8Array | null = null;
  let at = 0;
  for (const part of parts) {
    const { remap, codes: source } = part;
    const partLength = part.chunk.length;
    for (let row = 0; row < partLength; row++) {
      if (!isValid(part.validity, row)) {
        validity ??= filledBitmap(length, true);
        validity[(at + row) >> 3]! &= ~(1 << ((at + row) & 7));
        continue;
      }
      const code = source[row]!;
      const mapped = code >= 0 && code < remap.length ? remap[code]! : -2;
      if (mapped === -2) throw notes.damaged(`row ${at + row + 1} refers to no dictionary entry`);
      if (mapped < 0) {
        validity ??= filledBitmap(length, true);
        validity[(at + row) >> 3]! &= ~(1 << ((at + row) & 7));
      } else {
        codes[at + row] = mapped;
      }
    }
    at += partLength;
  }
  return { kind: 'dict', type: 'category', length, codes, dictionary: merged, validity };
}

/** A dictionary whose values are numbers: each row's number, looked up once. */
function readNumberDictionary(
  data: Data,
  values: NumberColumnData,
  notes: ColumnNotes,
): NumberColumnData {
  const codes = codesOf(data, notes);
  const rowValidity = validityOf(data, notes);
  const out = new (values.values.constructor as new (length: number) => NumericArray)(data.length);
  let validity: Uint8Array | null = null;
  for (let row = 0; row < data.length; row++) {
    if (!isValid(rowValidity, row)) {
      validity ??= filledBitmap(data.length, true);
      validity[row >> 3]! &= ~(1 << (row & 7));
      continue;
    }
    const code = codes[row]!;
    if (code < 0 || code >= values.length) {
      throw notes.damaged(`row ${row + 1} refers to no dictionary entry`);
    }
    if (isValid(values.validity, code)) {
      out[row] = values.values[code]!;
    } else {
      validity ??= filledBitmap(data.length, true);
      validity[row >> 3]! &= ~(1 << (row & 7));
    }
  }
  return { kind: 'number', type: values.type, length: data.length, values: out, validity };
}

function isStringType(type: DataType): boolean {
  return (
    type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8 || type.typeId === Type.Utf8View
  );
}

/** One chunk of a column that is not a Dictionary<string>. */
function readChunk(data: Data, rowBase: number, notes: ColumnNotes): ColumnData {
  const type = data.type as DataType;
  switch (data.typeId) {
    case Type.Int:
      return readInt(data as Data<Int>, rowBase, notes);
    case Type.Float:
      return readFloat(data as Data<Float>, notes);
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      checkLength(bits, (data.offset + data.length + 7) >> 3, notes);
      return {
        kind: 'bool',
        type: 'bool',
        length: data.length,
        bits: bitmapSlice(bits, data.offset, data.length),
        validity: validityOf(data, notes),
      };
    }
    case Type.Utf8:
      return readUtf8(data, notes);
    case Type.LargeUtf8:
      return readLargeUtf8(data, notes);
    case Type.Utf8View:
      return readAsText(data, notes, false);
    case Type.Date: {
      if ((type as unknown as { unit: number }).unit === 1) {
        return readInt64(data, true, rowBase, notes, 'datetime');
      }
      const days = data.values as Int32Array;
      checkLength(days, data.length, notes);
      return numberColumn('date', data, days.subarray(0, data.length), notes);
    }
    case Type.Timestamp:
      return readTimestamp(data, (type as Timestamp).unit, rowBase, notes);
    case Type.Time:
    case Type.Duration: {
      const unit = (type as unknown as { unit: number }).unit as 0 | 1 | 2 | 3;
      const what = data.typeId === Type.Time ? 'Times of day' : 'Durations';
      const since = data.typeId === Type.Time ? ' since midnight' : '';
      notes.warn('type-widened', `${what} are read as whole ${UNIT_NAMES[unit]}${since}.`);
      const values = data.values as Int32Array | BigInt64Array;
      if (values instanceof BigInt64Array) return readInt64(data, true, rowBase, notes);
      checkLength(values, data.length, notes);
      return numberColumn('int', data, values.subarray(0, data.length), notes);
    }
    case Type.Decimal:
      return readDecimal(data, notes);
    case Type.Null:
      return emptyUtf8(data, notes);
    case Type.Dictionary: {
      const dictionary = data.dictionary;
      if (dictionary && dictionary.length > 0) {
        const values = concatColumns(dictionary.data.map((chunk) => readChunk(chunk, 0, notes)));
        if (values.kind === 'number') return readNumberDictionary(data, values, notes);
      }
      return readAsText(data, notes, true);
    }
    default:
      return readAsText(data, notes, true);
  }
}

/** The logical type the field's metadata names for a number column, if it names a valid one. */
function declaredNumberType(field: Field): NumberColumnData['type'] | null {
  const declared = field.metadata.get(LOGICAL_TYPE_KEY);
  return declared === 'int' ||
    declared === 'float' ||
    declared === 'date' ||
    declared === 'datetime'
    ? declared
    : null;
}

function readColumn(field: Field, chunks: readonly Data[], notes: ColumnNotes): ColumnData {
  const type = field.type as DataType;
  if (DataType.isDictionary(type) && isStringType((type as Dictionary).dictionary)) {
    return readStringDictionary(chunks, notes);
  }
  const parts: ColumnData[] = [];
  let rowBase = 0;
  for (const chunk of chunks) {
    parts.push(readChunk(chunk, rowBase, notes));
    rowBase += chunk.length;
  }
  // A stream without batches still has a schema: its columns are empty, of their types.
  if (parts.length === 0) parts.push(readChunk(makeData({ type }), 0, notes));
  const column = concatColumns(parts);
  const declared = column.kind === 'number' ? declaredNumberType(field) : null;
  return declared && column.kind === 'number' ? { ...column, type: declared } : column;
}

/** A field's name; apache-arrow reads a field written without one (or with '') as null. */
function nameOf(field: Field): string {
  return (field.name as string | null) ?? '';
}

function uniqueNames(fields: readonly Field[], warnings: LoadWarning[]): string[] {
  const taken = new Set<string>();
  return fields.map((field) => {
    const written = nameOf(field);
    let name = written;
    if (taken.has(name)) {
      let suffix = 2;
      while (taken.has(`${written}_${suffix}`)) suffix++;
      name = `${written}_${suffix}`;
      warnings.push({
        kind: 'renamed',
        column: name,
        message: `A second column named "${written}" is called "${name}".`,
      });
    }
    taken.add(name);
    return name;
  });
}

function unreadable(error: unknown): EngineError {
  const reason = error instanceof Error ? error.message : String(error);
  if (/compress/i.test(reason)) {
    return new EngineError(
      {
        code: 'unsupported_format',
        message:
          'This Arrow file is compressed (LZ4 or ZSTD), which is not read here; save it without compression and open that.',
      },
      { cause: error },
    );
  }
  return new EngineError(
    {
      code: 'parse_error',
      message: `This Arrow data could not be read; it is damaged or not Arrow IPC (${reason}).`,
    },
    { cause: error },
  );
}

const PLAIN_TYPES: ReadonlySet<Type> = new Set([
  Type.Null,
  Type.Int,
  Type.Float,
  Type.Bool,
  Type.Utf8,
  Type.LargeUtf8,
  Type.Utf8View,
  Type.Date,
  Type.Timestamp,
]);

function isPlainType(type: DataType): boolean {
  if (DataType.isDictionary(type)) {
    const values = (type as Dictionary).dictionary as DataType;
    return values.typeId !== Type.Null && PLAIN_TYPES.has(values.typeId);
  }
  return PLAIN_TYPES.has(type.typeId);
}

/**
 * The table held in Arrow IPC bytes of the stream or the file format, and what reading it found
 * worth telling.
 *
 * @example
 * const { table, warnings } = ipcToTable(new Uint8Array(await file.arrayBuffer()));
 * ipcToTable(bytes, { checkLayout: ({ rows }) => { if (rows !== 5) throw refusal; } });
 */
export function ipcToTable(bytes: Uint8Array, options: IpcToTableOptions = {}): IpcTable {
  const warnings: LoadWarning[] = [];
  try {
    // No copy of the input, aligned or not: apache-arrow copies a message body that does not
    // start on an 8-byte boundary, so its typed arrays are views of the input whenever they can be.
    checkIpcMetadata(bytes);
    const reader = RecordBatchReader.from(bytes);
    reader.open();
    // Read the schema before the batches: the reader forgets it once it has read them all.
    const schema = reader.schema;
    if (!schema) throw new Error('it holds no schema');
    const batches = [...reader];
    let length = 0;
    for (const batch of batches) length += batch.numRows;
    options.checkLayout?.({
      fields: schema.fields.map((field) => ({
        name: nameOf(field),
        arrowType: String(field.type),
        plain: isPlainType(field.type as DataType),
      })),
      rows: length,
    });
    const names = uniqueNames(schema.fields, warnings);
    const columns: Column[] = schema.fields.map((field, index) => {
      const notes = new ColumnNotes(names[index]!, warnings);
      const chunks = batches.map((batch) => {
        const chunk = batch.data.children[index];
        if (!chunk || chunk.length !== batch.numRows) throw notes.damaged('a batch lacks rows');
        return chunk;
      });
      return { name: names[index]!, data: readColumn(field, chunks, notes) };
    });
    return { table: { columns, length }, warnings };
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw unreadable(error);
  }
}

/**
 * Writes an engine table as Arrow IPC stream bytes. Arrow `Data` is made directly over the
 * model's typed arrays, validity bitmaps, offsets and UTF-8 bytes (no builders, no per-row work),
 * so the only copy is the writer's into the output, which must be a buffer of its own: it is
 * transferred to the page, and transferring a column's memory would detach it from the table.
 * Values that Arrow stores differently are converted once per column: `datetime` milliseconds
 * (float) become 64-bit timestamps, `int` columns held in a `Float64Array` become Int64.
 *
 * Two things apache-arrow does not do for us:
 * - Its writer joins body buffers that lie end to end in one ArrayBuffer into one range before it
 *   copies them, which drops bytes when two buffers overlap (one array in two columns, a column
 *   over a subarray of another, one bitmap shared by several columns). A buffer that overlaps one
 *   already handed to the writer is therefore copied first (`DisjointBuffers`).
 * - A page of rows from a category of many distinct values would carry, and the page decode,
 *   every dictionary entry on each page; a dictionary much longer than the column is cut to the
 *   entries the rows use, in their order.
 *
 * Types written:
 * - `int`: Int8/16/32, Uint8/16/32 as held; a `Float64Array` of whole numbers as Int64.
 * - `float`: Float64 or Float32 as held.
 * - `date`: DateDay (Int32 days).
 * - `datetime`: Timestamp in milliseconds without a time zone (the values are UTC, as in the
 *   model); microseconds when some value has a fraction of a millisecond. Timestamp rather than
 *   Date64 because it is what pandas, Polars, DuckDB and R read as a date-time.
 * - `bool`: Bool; `string`: Utf8; `category`: Dictionary<Utf8, Int8…Uint32 as held>.
 * When a column's values do not fit its usual Arrow type (an `int` column holding fractions, a
 * `float` column held in an Int32Array), they are written in the Arrow type of their typed array
 * and the field's metadata `enclave:type` names the logical type, so reading it back is exact.
 * A column a plugin made carries its plugin's id in the field metadata `enclave.plugin`, so the
 * label travels with pages and exports (reading never trusts it back: see `ipc-to-table.ts`).
 */
import {
  Bool,
  DateDay,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  makeVector,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  Uint16,
  Uint32,
  Uint8,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';
import {
  isValid,
  nullCount,
  type CodeArray,
  type ColumnData,
  type ColumnTable,
  type DictColumnData,
  type NumberColumnData,
  type NumericArray,
} from '../columns/column-data.ts';
import { numbersToInt64 } from './int64.ts';

/** The field metadata key naming a column's logical type where its Arrow type does not. */
export const LOGICAL_TYPE_KEY = 'enclave:type';

/** The field metadata key naming the plugin that made a column. */
export const PLUGIN_SOURCE_KEY = 'enclave.plugin';

interface Written {
  readonly data: Data;
  readonly logicalType?: NumberColumnData['type'];
}

/** The Arrow type of a typed array, as it is. */
function arrowTypeOf(
  values: NumericArray | CodeArray,
): Int8 | Int16 | Int32 | Uint8 | Uint16 | Uint32 | Float32 | Float64 {
  if (values instanceof Int32Array) return new Int32();
  if (values instanceof Float64Array) return new Float64();
  if (values instanceof Float32Array) return new Float32();
  if (values instanceof Int8Array) return new Int8();
  if (values instanceof Int16Array) return new Int16();
  if (values instanceof Uint8Array) return new Uint8();
  if (values instanceof Uint16Array) return new Uint16();
  return new Uint32();
}

function isFloatArray(values: NumericArray): values is Float32Array | Float64Array {
  return values instanceof Float64Array || values instanceof Float32Array;
}

/**
 * Hands buffers to the writer so that no two overlap in memory, copying one that would (see the
 * module comment). Only the bytes the writer reads are counted: the first `length` entries.
 */
class DisjointBuffers {
  private readonly taken = new Map<ArrayBufferLike, { start: number; end: number }[]>();

  own<T extends NumericArray | CodeArray>(view: T, length: number): T {
    const used = view.length === length ? view : (view.subarray(0, length) as T);
    const start = used.byteOffset;
    const end = start + used.byteLength;
    if (start === end) return used;
    const ranges = this.taken.get(used.buffer) ?? [];
    if (ranges.some((range) => start < range.end && range.start < end)) return used.slice() as T;
    ranges.push({ start, end });
    this.taken.set(used.buffer, ranges);
    return used;
  }

  bitmap(bits: Uint8Array, rows: number): Uint8Array {
    return this.own(bits, Math.min(bits.length, (rows + 7) >> 3));
  }
}

function validityProps(data: ColumnData, buffers: DisjointBuffers) {
  const nulls = nullCount(data);
  return nulls === 0 || data.validity === null
    ? { nullCount: 0 }
    : { nullCount: nulls, nullBitmap: buffers.bitmap(data.validity, data.length) };
}

/**
 * `makeData` for a fixed-width Arrow type chosen per column at run time; its overloads want the
 * type known at compile time.
 */
const makeFixedWidthData = makeData as (props: {
  type: DataType;
  length: number;
  data: ArrayBufferView;
  nullCount: number;
  nullBitmap?: Uint8Array;
}) => Data;

function plainNumbers(
  column: NumberColumnData,
  buffers: DisjointBuffers,
  logicalType?: NumberColumnData['type'],
): Written {
  const data = makeFixedWidthData({
    type: arrowTypeOf(column.values),
    length: column.length,
    data: buffers.own(column.values, column.length),
    ...validityProps(column, buffers),
  });
  return logicalType ? { data, logicalType } : { data };
}

function int64Data(
  column: NumberColumnData,
  halves: Int32Array,
  type: DataType,
  buffers: DisjointBuffers,
): Data {
  return makeFixedWidthData({
    type,
    length: column.length,
    data: new BigInt64Array(halves.buffer, halves.byteOffset, column.length),
    ...validityProps(column, buffers),
  });
}

/** Whole days in Int32 range, as an Int32Array, or null. */
function asDays(column: NumberColumnData): Int32Array | null {
  const { values, validity, length } = column;
  if (values instanceof Int32Array) return values;
  const days = new Int32Array(length);
  for (let row = 0; row < length; row++) {
    const value = values[row]!;
    if ((value | 0) === value) days[row] = value;
    else if (isValid(validity, row)) return null;
  }
  return days;
}

/** Whole microseconds that divide back to exactly the milliseconds held, or null. */
function asMicroseconds(column: NumberColumnData): Float64Array | null {
  const { values, validity, length } = column;
  const micros = new Float64Array(length);
  for (let row = 0; row < length; row++) {
    const value = values[row]!;
    const micro = Math.round(value * 1000);
    if (micro / 1000 === value) micros[row] = micro;
    else if (isValid(validity, row)) return null;
  }
  return micros;
}

function writeNumbers(column: NumberColumnData, buffers: DisjointBuffers): Written {
  const { values, validity, type } = column;
  const valid = (row: number) => isValid(validity, row);
  switch (type) {
    case 'int': {
      if (!isFloatArray(values)) return plainNumbers(column, buffers);
      if (values instanceof Float64Array) {
        const halves = numbersToInt64(values, valid);
        if (halves) return { data: int64Data(column, halves, new Int64(), buffers) };
      }
      return plainNumbers(column, buffers, 'int');
    }
    case 'float':
      return isFloatArray(values)
        ? plainNumbers(column, buffers)
        : plainNumbers(column, buffers, 'float');
    case 'date': {
      const days = asDays(column);
      if (!days) return plainNumbers(column, buffers, 'date');
      const data = makeData({
        type: new DateDay(),
        length: column.length,
        data: buffers.own(days, column.length),
        ...validityProps(column, buffers),
      });
      return { data };
    }
    case 'datetime': {
      const millis = numbersToInt64(values, valid);
      if (millis) return { data: int64Data(column, millis, new TimestampMillisecond(), buffers) };
      const micros = asMicroseconds(column);
      const halves = micros && numbersToInt64(micros, valid);
      if (halves) return { data: int64Data(column, halves, new TimestampMicrosecond(), buffers) };
      return plainNumbers(column, buffers, 'datetime');
    }
  }
}

const encoder = new TextEncoder();

/** The dictionary's strings as one Arrow Utf8 vector. */
function utf8VectorOf(strings: readonly string[]) {
  let capacity = 0;
  for (const text of strings) capacity += text.length * 3;
  const bytes = new Uint8Array(capacity);
  const offsets = new Int32Array(strings.length + 1);
  let at = 0;
  for (let k = 0; k < strings.length; k++) {
    at += encoder.encodeInto(strings[k]!, bytes.subarray(at)).written;
    offsets[k + 1] = at;
  }
  return makeVector(
    makeData({
      type: new Utf8(),
      length: strings.length,
      nullCount: 0,
      valueOffsets: offsets,
      data: bytes.subarray(0, at),
    }),
  );
}

/** A dictionary at most this many times the column's length (and some) is written whole. */
const WHOLE_DICTIONARY_FACTOR = 2;
const WHOLE_DICTIONARY_SLACK = 256;

/**
 * The codes and dictionary to write: as held, or, when the dictionary is much longer than the
 * column, only the entries that rows holding a value use, in the dictionary's order.
 */
function dictionaryToWrite(column: DictColumnData): {
  codes: CodeArray;
  dictionary: readonly string[];
} {
  const { length, dictionary, validity } = column;
  const codes = column.codes;
  if (dictionary.length <= length * WHOLE_DICTIONARY_FACTOR + WHOLE_DICTIONARY_SLACK) {
    return { codes, dictionary };
  }
  const used = new Map<number, number>();
  for (let row = 0; row < length; row++) {
    if (isValid(validity, row)) used.set(codes[row]!, 0);
  }
  const kept = [...used.keys()].sort((a, b) => a - b);
  kept.forEach((code, index) => used.set(code, index));
  const compact = new Int32Array(length);
  for (let row = 0; row < length; row++) {
    if (isValid(validity, row)) compact[row] = used.get(codes[row]!)!;
  }
  return { codes: compact, dictionary: kept.map((code) => dictionary[code]!) };
}

function writeDictionary(column: DictColumnData, id: number, buffers: DisjointBuffers): Data {
  const { codes, dictionary } = dictionaryToWrite(column);
  const indices = arrowTypeOf(codes) as Int8 | Int16 | Int32 | Uint8 | Uint16 | Uint32;
  return makeData({
    type: new Dictionary(new Utf8(), indices, id),
    length: column.length,
    data: buffers.own(codes, column.length),
    dictionary: utf8VectorOf(dictionary),
    ...validityProps(column, buffers),
  });
}

function writeColumn(column: ColumnData, index: number, buffers: DisjointBuffers): Written {
  switch (column.kind) {
    case 'number':
      return writeNumbers(column, buffers);
    case 'bool':
      return {
        data: makeData({
          type: new Bool(),
          length: column.length,
          data: buffers.bitmap(column.bits, column.length),
          ...validityProps(column, buffers),
        }),
      };
    case 'utf8': {
      const offsets = buffers.own(column.offsets, column.length + 1);
      return {
        data: makeData({
          type: new Utf8(),
          length: column.length,
          valueOffsets: offsets,
          data: buffers.own(column.bytes, offsets[column.length]!),
          ...validityProps(column, buffers),
        }),
      };
    }
    case 'dict':
      return { data: writeDictionary(column, index, buffers) };
  }
}

/**
 * The table as Arrow IPC stream bytes (one record batch), in a buffer of their own.
 *
 * @example
 * const bytes = tableToIpc(table);
 * postMessage({ rows: table.length, ipc: bytes }, [bytes.buffer]);
 */
export function tableToIpc(table: ColumnTable): Uint8Array {
  const buffers = new DisjointBuffers();
  const written = table.columns.map((column, index) => writeColumn(column.data, index, buffers));
  const fields = table.columns.map((column, index) => {
    const { data, logicalType } = written[index]!;
    const metadata = new Map<string, string>();
    if (logicalType) metadata.set(LOGICAL_TYPE_KEY, logicalType);
    if (column.source) metadata.set(PLUGIN_SOURCE_KEY, column.source.plugin);
    return new Field(column.name, data.type, true, metadata.size > 0 ? metadata : undefined);
  });
  const schema = new Schema(fields);
  const batch = new RecordBatch(
    schema,
    makeData({
      type: new Struct(fields),
      length: table.length,
      nullCount: 0,
      children: written.map((entry) => entry.data),
    }),
  );
  return RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
}

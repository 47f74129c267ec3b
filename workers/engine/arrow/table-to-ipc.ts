/**
 * Writes an engine table as Arrow IPC stream bytes. Arrow `Data` is made directly over the
 * model's typed arrays, validity bitmaps, offsets and UTF-8 bytes (no builders, no per-row work),
 * so the only copy is the writer's into the output. Values that Arrow stores differently are
 * converted once per column: `datetime` milliseconds (float) become 64-bit timestamps, `int`
 * columns held in a `Float64Array` become Int64.
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

function validityProps(data: ColumnData) {
  const nulls = nullCount(data);
  return nulls === 0 || data.validity === null
    ? { nullCount: 0 }
    : { nullCount: nulls, nullBitmap: data.validity };
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

function plainNumbers(column: NumberColumnData, logicalType?: NumberColumnData['type']): Written {
  const data = makeFixedWidthData({
    type: arrowTypeOf(column.values),
    length: column.length,
    data: column.values,
    ...validityProps(column),
  });
  return logicalType ? { data, logicalType } : { data };
}

function int64Data(column: NumberColumnData, halves: Int32Array, type: DataType): Data {
  return makeFixedWidthData({
    type,
    length: column.length,
    data: new BigInt64Array(halves.buffer, halves.byteOffset, column.length),
    ...validityProps(column),
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

function writeNumbers(column: NumberColumnData): Written {
  const { values, validity, type } = column;
  const valid = (row: number) => isValid(validity, row);
  switch (type) {
    case 'int': {
      if (!isFloatArray(values)) return plainNumbers(column);
      if (values instanceof Float64Array) {
        const halves = numbersToInt64(values, valid);
        if (halves) return { data: int64Data(column, halves, new Int64()) };
      }
      return plainNumbers(column, 'int');
    }
    case 'float':
      return isFloatArray(values) ? plainNumbers(column) : plainNumbers(column, 'float');
    case 'date': {
      const days = asDays(column);
      if (!days) return plainNumbers(column, 'date');
      const data = makeData({
        type: new DateDay(),
        length: column.length,
        data: days,
        ...validityProps(column),
      });
      return { data };
    }
    case 'datetime': {
      const millis = numbersToInt64(values, valid);
      if (millis) return { data: int64Data(column, millis, new TimestampMillisecond()) };
      const micros = asMicroseconds(column);
      const halves = micros && numbersToInt64(micros, valid);
      if (halves) return { data: int64Data(column, halves, new TimestampMicrosecond()) };
      return plainNumbers(column, 'datetime');
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

function writeDictionary(column: DictColumnData, id: number): Data {
  const indices = arrowTypeOf(column.codes) as Int8 | Int16 | Int32 | Uint8 | Uint16 | Uint32;
  return makeData({
    type: new Dictionary(new Utf8(), indices, id),
    length: column.length,
    data: column.codes,
    dictionary: utf8VectorOf(column.dictionary),
    ...validityProps(column),
  });
}

function writeColumn(column: ColumnData, index: number): Written {
  switch (column.kind) {
    case 'number':
      return writeNumbers(column);
    case 'bool':
      return {
        data: makeData({
          type: new Bool(),
          length: column.length,
          data: column.bits,
          ...validityProps(column),
        }),
      };
    case 'utf8':
      return {
        data: makeData({
          type: new Utf8(),
          length: column.length,
          valueOffsets: column.offsets,
          data: column.bytes,
          ...validityProps(column),
        }),
      };
    case 'dict':
      return { data: writeDictionary(column, index) };
  }
}

/**
 * The table as Arrow IPC stream bytes (one record batch).
 *
 * @example
 * const bytes = tableToIpc(table);
 * postMessage({ rows: table.length, ipc: bytes }, [bytes.buffer]);
 */
export function tableToIpc(table: ColumnTable): Uint8Array {
  const written = table.columns.map((column, index) => writeColumn(column.data, index));
  const fields = table.columns.map((column, index) => {
    const { data, logicalType } = written[index]!;
    const metadata = logicalType ? new Map([[LOGICAL_TYPE_KEY, logicalType]]) : undefined;
    return new Field(column.name, data.type, true, metadata);
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

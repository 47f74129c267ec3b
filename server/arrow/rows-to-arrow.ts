/**
 * Rows of plain JavaScript values to Arrow record batches, and a stream of batches to an Arrow
 * IPC stream that is produced as the rows arrive.
 *
 * Columns are built as typed arrays directly rather than through Arrow's builders: the builders
 * take timestamps as (fractional) milliseconds and would either lose PostgreSQL's microseconds or
 * throw on them, while a `BigInt64Array` of microseconds keeps them exactly.
 */
import {
  Bool,
  BufferType,
  Data,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeData,
  tableToIPC,
  type DataType,
} from 'apache-arrow';

/**
 * The column types rows can be encoded as, and the JavaScript values each takes (`null` or
 * `undefined` is a null in any column):
 * `int32` number, `int64` bigint (or a safe-integer number), `float64` number, `bool` boolean,
 * `utf8` string, `date` Date (its UTC day), `timestamp` Date or bigint microseconds since the epoch
 * (stored as `timestamp[us]`).
 */
export type ArrowColumnKind =
  'int32' | 'int64' | 'float64' | 'bool' | 'utf8' | 'date' | 'timestamp';

/** A column of rows to encode. */
export interface ArrowColumn {
  name: string;
  kind: ArrowColumnKind;
}

const MS_PER_DAY = 86_400_000;
const MAX_BATCH_UTF8_BYTES = 2 ** 31 - 1;
/** Arrow's end-of-stream marker: a continuation token followed by a zero metadata length. */
const END_OF_STREAM = new Uint8Array(Int32Array.of(-1, 0).buffer);

const arrowTypes: Record<ArrowColumnKind, () => DataType> = {
  int32: () => new Int32(),
  int64: () => new Int64(),
  float64: () => new Float64(),
  bool: () => new Bool(),
  utf8: () => new Utf8(),
  date: () => new DateDay(),
  timestamp: () => new TimestampMicrosecond(),
};

/**
 * The Arrow schema of a column list; every column is nullable.
 *
 * @example
 * const schema = schemaOfColumns([{ name: 'id', kind: 'int32' }]);
 */
export function schemaOfColumns(columns: readonly ArrowColumn[]): Schema {
  return new Schema(columns.map(({ name, kind }) => new Field(name, arrowTypes[kind](), true)));
}

/**
 * One record batch holding `rows` (each an array in column order).
 *
 * @example
 * const batch = recordBatchFromRows(schema, columns, [[1, 'a'], [2, null]]);
 */
export function recordBatchFromRows(
  schema: Schema,
  columns: readonly ArrowColumn[],
  rows: readonly (readonly unknown[])[],
): RecordBatch {
  const children = columns.map((column, index) =>
    columnData(column, schema.fields[index]!.type, rows, index),
  );
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }),
  );
}

/**
 * Encodes batches of rows as an Arrow IPC stream, chunk by chunk: the schema first, then one
 * record batch per non-empty input batch, then the end-of-stream marker. Only one batch is held
 * at a time, so a result of any size streams through in bounded memory; stopping the iteration
 * stops reading `batches` too.
 *
 * @example
 * const columns = [{ name: 'n', kind: 'int64' }] as const;
 * for await (const chunk of arrowStreamFromRows(columns, fetchBatches())) response.write(chunk);
 */
export async function* arrowStreamFromRows(
  columns: readonly ArrowColumn[],
  batches: AsyncIterable<unknown[][]>,
): AsyncIterable<Uint8Array> {
  const schema = schemaOfColumns(columns);
  // Arrow's writer only hands out whole streams; a stream of one batch is schema, batch and
  // end-of-stream marker, so the batch's bytes are what lies between the other two.
  const schemaMessage = streamOf(schema, []).subarray(0, -END_OF_STREAM.length);
  yield schemaMessage;
  for await (const rows of batches) {
    if (rows.length === 0) continue;
    const stream = streamOf(schema, [recordBatchFromRows(schema, columns, rows)]);
    yield stream.subarray(schemaMessage.length, -END_OF_STREAM.length);
  }
  yield END_OF_STREAM.slice();
}

function streamOf(schema: Schema, batches: RecordBatch[]): Uint8Array {
  return tableToIPC(new Table(schema, batches), 'stream');
}

function columnData(
  column: ArrowColumn,
  type: DataType,
  rows: readonly (readonly unknown[])[],
  index: number,
): Data {
  const length = rows.length;
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  const valueAt = (row: number): unknown => {
    const value = rows[row]![index];
    if (value === null || value === undefined) {
      nullCount++;
      return null;
    }
    nullBitmap[row >> 3]! |= 1 << (row & 7);
    return value;
  };
  const wrong = (row: number, value: unknown) =>
    new TypeError(
      `Column "${column.name}" (${column.kind}) cannot hold ${describe(value)} (row ${row + 1} of the batch).`,
    );
  const validity = () => (nullCount > 0 ? nullBitmap : undefined);

  switch (column.kind) {
    case 'utf8': {
      const encoder = new TextEncoder();
      const parts: Uint8Array[] = [];
      const valueOffsets = new Int32Array(length + 1);
      let total = 0;
      for (let row = 0; row < length; row++) {
        const value = valueAt(row);
        if (value !== null) {
          if (typeof value !== 'string') throw wrong(row, value);
          const bytes = encoder.encode(value);
          parts.push(bytes);
          total += bytes.length;
          if (total > MAX_BATCH_UTF8_BYTES) {
            throw new RangeError(
              `Column "${column.name}" holds more than 2 GiB of text in a batch.`,
            );
          }
        }
        valueOffsets[row + 1] = total;
      }
      const data = new Uint8Array(total);
      let at = 0;
      for (const part of parts) {
        data.set(part, at);
        at += part.length;
      }
      return makeData({
        type: type as Utf8,
        length,
        nullCount,
        nullBitmap: validity(),
        valueOffsets,
        data,
      });
    }
    case 'bool': {
      const data = new Uint8Array((length + 7) >> 3);
      for (let row = 0; row < length; row++) {
        const value = valueAt(row);
        if (value === null) continue;
        if (typeof value !== 'boolean') throw wrong(row, value);
        if (value) data[row >> 3]! |= 1 << (row & 7);
      }
      return makeData({ type: type as Bool, length, nullCount, nullBitmap: validity(), data });
    }
    case 'int32':
    case 'float64':
    case 'date': {
      const data = column.kind === 'float64' ? new Float64Array(length) : new Int32Array(length);
      for (let row = 0; row < length; row++) {
        const value = valueAt(row);
        if (value === null) continue;
        const number = numberFor(column.kind, value);
        if (number === undefined) throw wrong(row, value);
        data[row] = number;
      }
      return fixedWidthData(type, length, nullCount, validity(), data);
    }
    case 'int64':
    case 'timestamp': {
      const data = new BigInt64Array(length);
      for (let row = 0; row < length; row++) {
        const value = valueAt(row);
        if (value === null) continue;
        const big = bigintFor(column.kind, value);
        if (big === undefined) throw wrong(row, value);
        data[row] = big;
      }
      return fixedWidthData(type, length, nullCount, validity(), data);
    }
  }
}

function fixedWidthData(
  type: DataType,
  length: number,
  nullCount: number,
  nullBitmap: Uint8Array | undefined,
  values: Int32Array | Float64Array | BigInt64Array,
): Data {
  // makeData's overloads cannot take a type chosen at run time; the constructor can.
  return new Data(type, 0, length, nullCount, {
    [BufferType.DATA]: values,
    [BufferType.VALIDITY]: nullBitmap,
  });
}

function numberFor(kind: 'int32' | 'float64' | 'date', value: unknown): number | undefined {
  if (kind === 'date') {
    return value instanceof Date && !Number.isNaN(value.getTime())
      ? Math.floor(value.getTime() / MS_PER_DAY)
      : undefined;
  }
  if (typeof value !== 'number') return undefined;
  if (kind === 'int32' && !(Number.isInteger(value) && (value | 0) === value)) return undefined;
  return value;
}

function bigintFor(kind: 'int64' | 'timestamp', value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return BigInt.asIntN(64, value) === value ? value : undefined;
  if (kind === 'int64') return Number.isSafeInteger(value) ? BigInt(value as number) : undefined;
  return value instanceof Date && !Number.isNaN(value.getTime())
    ? BigInt(value.getTime()) * 1000n
    : undefined;
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value} (${String(value)})`;
}

/**
 * Reading Arrow IPC bytes that someone else wrote (an upload), checking them, and writing them
 * back out as an IPC stream.
 *
 * Arrow's reader trusts the metadata: a record batch that claims more rows than its buffers hold,
 * or offsets that point past its data, is read without complaint into short arrays, and writing it
 * again produces a stream that contradicts itself. So every column of every batch is checked
 * against its declared length before anything is written, and types this check does not know are
 * refused rather than passed on unchecked.
 */
import { isUtf8 } from 'node:buffer';
import {
  DateUnit,
  IntervalUnit,
  Precision,
  RecordBatchReader,
  Table,
  TimeUnit,
  Type,
  Vector,
  tableToIPC,
  type Data,
  type DataType,
  type Schema,
} from 'apache-arrow';
import { ApiError } from '../errors/index.ts';

/** A column as a summary describes it: `type` is a readable name such as `int32` or `utf8`. */
export interface ArrowColumnSummary {
  name: string;
  type: string;
}

/** What a table holds, without its values. */
export interface ArrowTableSummary {
  rowCount: number;
  columns: ArrowColumnSummary[];
}

/**
 * The bytes are not a well-formed Arrow IPC file or stream; the message says what is wrong.
 *
 * @example
 * throw new ArrowFormatError('The file is empty; an Arrow IPC file or stream was expected.');
 */
export class ArrowFormatError extends ApiError {
  override readonly name = 'ArrowFormatError';
  constructor(message: string, options?: ErrorOptions) {
    super(400, 'invalid_arrow', message, options);
  }
}

/**
 * Reads an Arrow IPC file or stream, checks every batch, and returns it as an IPC stream (the one
 * form the rest of Enclave handles) with a summary.
 *
 * @example
 * const { ipc, rowCount, columns } = normalizeArrowIpc(uploadedBytes);
 * // columns: [{ name: 'id', type: 'int32' }, { name: 'label', type: 'dictionary<utf8>' }]
 */
export function normalizeArrowIpc(bytes: Uint8Array): ArrowTableSummary & { ipc: Uint8Array } {
  return streamWithSummary(readTable(bytes));
}

/**
 * A table as an IPC stream, with its summary.
 *
 * @example
 * const { ipc, rowCount } = streamWithSummary(new Table(schema, batches));
 */
export function streamWithSummary(table: Table): ArrowTableSummary & { ipc: Uint8Array } {
  return { ...summaryOf(table), ipc: tableToIPC(table, 'stream') };
}

/**
 * Reads an Arrow IPC file or stream (checked as by `normalizeArrowIpc`) and gives its rows as
 * plain JavaScript values: numbers, bigints for 64-bit integers, strings, booleans, `Date`s for
 * dates and timestamps, `null` for nulls. Meant for tests and small previews.
 *
 * @example
 * const summary = readArrowIpcSummary(ipc);
 * summary.rows(2); // [[1, 'a'], [2, null]]
 */
export function readArrowIpcSummary(
  bytes: Uint8Array,
): ArrowTableSummary & { rows(limit?: number): unknown[][] } {
  const table = readTable(bytes);
  return {
    ...summaryOf(table),
    rows(limit = table.numRows) {
      const count = Math.min(limit, table.numRows);
      const vectors = table.schema.fields.map((_, index) => table.getChildAt(index)!);
      const rows: unknown[][] = [];
      for (let row = 0; row < count; row++) {
        rows.push(vectors.map((vector) => plainValue(vector.get(row), vector.type)));
      }
      return rows;
    },
  };
}

/**
 * A readable name for an Arrow type, close to the names pyarrow prints.
 *
 * @example
 * arrowTypeName(new TimestampMillisecond()); // 'timestamp[ms]'
 */
export function arrowTypeName(type: DataType): string {
  const t = type as DataType & Record<string, unknown>;
  switch (type.typeId) {
    case Type.Null:
      return 'null';
    case Type.Int:
      return `${t.isSigned ? 'int' : 'uint'}${String(t.bitWidth)}`;
    case Type.Float:
      if (t.precision === Precision.HALF) return 'float16';
      return t.precision === Precision.SINGLE ? 'float32' : 'float64';
    case Type.Bool:
      return 'bool';
    case Type.Utf8:
      return 'utf8';
    case Type.LargeUtf8:
      return 'large_utf8';
    case Type.Utf8View:
      return 'utf8_view';
    case Type.Binary:
      return 'binary';
    case Type.LargeBinary:
      return 'large_binary';
    case Type.BinaryView:
      return 'binary_view';
    case Type.FixedSizeBinary:
      return `fixed_size_binary[${String(t.byteWidth)}]`;
    case Type.Decimal:
      return `decimal${String(t.bitWidth)}(${String(t.precision)}, ${String(t.scale)})`;
    case Type.Date:
      return t.unit === DateUnit.DAY ? 'date32' : 'date64';
    case Type.Time:
      return `time${String(t.bitWidth)}[${timeUnitName(t.unit as TimeUnit)}]`;
    case Type.Timestamp: {
      const unit = timeUnitName(t.unit as TimeUnit);
      return t.timezone ? `timestamp[${unit}, tz=${String(t.timezone)}]` : `timestamp[${unit}]`;
    }
    case Type.Duration:
      return `duration[${timeUnitName(t.unit as TimeUnit)}]`;
    case Type.Interval:
      return `interval[${IntervalUnit[t.unit as IntervalUnit].toLowerCase()}]`;
    case Type.List:
      return `list<${arrowTypeName(type.children[0]!.type)}>`;
    case Type.LargeList:
      return `large_list<${arrowTypeName(type.children[0]!.type)}>`;
    case Type.FixedSizeList:
      return `fixed_size_list<${arrowTypeName(type.children[0]!.type)}>[${String(t.listSize)}]`;
    case Type.Struct:
      return `struct<${type.children.map((field) => `${field.name}: ${arrowTypeName(field.type)}`).join(', ')}>`;
    case Type.Map: {
      const [key, value] = (type.children[0]!.type as DataType).children;
      return `map<${arrowTypeName(key!.type)}, ${arrowTypeName(value!.type)}>`;
    }
    case Type.Union:
      return `union<${type.children.map((field) => arrowTypeName(field.type)).join(', ')}>`;
    case Type.Dictionary:
      return `dictionary<${arrowTypeName(t.dictionary as DataType)}>`;
    default:
      return String(type);
  }
}

function timeUnitName(unit: TimeUnit): string {
  switch (unit) {
    case TimeUnit.SECOND:
      return 's';
    case TimeUnit.MILLISECOND:
      return 'ms';
    case TimeUnit.MICROSECOND:
      return 'us';
    default:
      return 'ns';
  }
}

function summaryOf(table: Table): ArrowTableSummary {
  return {
    rowCount: table.numRows,
    columns: table.schema.fields.map((field) => ({
      name: field.name,
      type: arrowTypeName(field.type),
    })),
  };
}

function readTable(bytes: Uint8Array): Table {
  if (bytes.byteLength === 0) {
    throw new ArrowFormatError('The file is empty; an Arrow IPC file or stream was expected.');
  }
  let table: Table;
  try {
    const reader = RecordBatchReader.from(bytes);
    reader.open();
    const schema = reader.schema as Schema | undefined;
    if (!schema) {
      throw new ArrowFormatError(
        'The bytes hold no Arrow schema; an IPC file or stream was expected.',
      );
    }
    table = new Table(schema, [...reader]);
  } catch (error) {
    if (error instanceof ArrowFormatError) throw error;
    // Arrow's own complaints are plain Errors that say what it expected; a TypeError or
    // RangeError is the reader tripping over damaged metadata and would only confuse.
    const reason =
      error instanceof TypeError || error instanceof RangeError || !(error instanceof Error)
        ? 'its metadata is damaged or cut short.'
        : error.message;
    throw new ArrowFormatError(`The bytes are not a valid Arrow IPC file or stream: ${reason}`, {
      cause: error,
    });
  }
  for (const batch of table.batches) {
    batch.schema.fields.forEach((field, index) =>
      checkData(batch.data.children[index]!, field.name),
    );
  }
  return table;
}

/** Checks that a column's buffers hold everything its length and offsets promise. */
function checkData(data: Data, column: string): void {
  const fail = (problem: string): never => {
    throw new ArrowFormatError(`Column "${column}" is malformed: ${problem}.`);
  };
  const end = data.offset + data.length;
  const bitmapBytes = data.nullBitmap?.length ?? 0;
  if (bitmapBytes > 0 && bitmapBytes < Math.ceil(end / 8)) {
    fail('its validity bitmap is shorter than the column');
  }
  if (bitmapBytes === 0 && data.nullCount > 0 && data.typeId !== Type.Null) {
    fail('it declares nulls but has no validity bitmap');
  }
  const values = data.values as ArrayLike<unknown> | undefined;
  const valueCount = values?.length ?? 0;
  const child = (index: number) => data.children[index] ?? fail('a child array is missing');

  switch (data.typeId) {
    case Type.Null:
      return;
    case Type.Bool:
      if (data.length > 0 && valueCount < Math.ceil(end / 8)) fail('fewer values than rows');
      return;
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary:
      if (data.length > 0 && valueCount < end * data.stride) fail('fewer values than rows');
      return;
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const [first, last] = checkOffsets(data, valueCount, fail);
      const isText = data.typeId === Type.Utf8 || data.typeId === Type.LargeUtf8;
      if (isText && !isUtf8((data.values as Uint8Array).subarray(first, last))) {
        fail('its text is not valid UTF-8');
      }
      return;
    }
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const items = child(0);
      checkOffsets(data, items.length, fail);
      checkData(items, column);
      return;
    }
    case Type.FixedSizeList: {
      const items = child(0);
      if (items.length < end * data.stride) fail('fewer list items than rows need');
      checkData(items, column);
      return;
    }
    case Type.Struct:
      data.type.children.forEach((_, index) => {
        const field = child(index);
        if (field.length < end) fail('a field is shorter than the column');
        checkData(field, column);
      });
      return;
    case Type.Dictionary:
      checkDictionary(data, valueCount, end, fail, column);
      return;
    default:
      fail(`its type ${arrowTypeName(data.type)} is not supported`);
  }
}

function checkOffsets(
  data: Data,
  limit: number,
  fail: (problem: string) => never,
): [number, number] {
  if (data.length === 0) return [0, 0];
  const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
  const end = data.offset + data.length;
  if (!offsets || offsets.length < end + 1) fail('fewer offsets than rows');
  let previous = Number(offsets![data.offset]);
  const first = previous;
  if (first < 0) fail('an offset is negative');
  for (let index = data.offset + 1; index <= end; index++) {
    const next = Number(offsets![index]);
    if (next < previous) fail('its offsets decrease');
    previous = next;
  }
  if (previous > limit) fail('an offset points past the end of its data');
  return [first, previous];
}

function checkDictionary(
  data: Data,
  indexCount: number,
  end: number,
  fail: (problem: string) => never,
  column: string,
): void {
  const dictionary = data.dictionary ?? fail('its dictionary is missing');
  for (const chunk of dictionary.data) checkData(chunk, column);
  if (data.length === 0) return;
  if (indexCount < end) fail('fewer dictionary indices than rows');
  const indices = data.values as ArrayLike<number | bigint>;
  for (let row = 0; row < data.length; row++) {
    if (!data.getValid(row)) continue;
    const index = Number(indices[data.offset + row]);
    if (index < 0 || index >= dictionary.length) fail('a dictionary index is out of range');
  }
}

function plainValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (type.typeId === Type.Date || type.typeId === Type.Timestamp) return new Date(value as number);
  if (value instanceof Vector) return value.toArray();
  if (typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function') {
    return value.toJSON() as unknown;
  }
  return value;
}

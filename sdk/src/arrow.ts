/**
 * The SDK's one wrapper of apache-arrow: plain columns to Arrow IPC bytes for `data.write`, and
 * the bytes of `data.read` back to plain columns, so a plugin needs no Arrow knowledge for the
 * common case. `tableFromIpc` / `tableToIpc` give the full Arrow `Table` to plugins that want it.
 */
import {
  Float64,
  Table,
  Type,
  Utf8,
  tableFromIPC,
  makeVector,
  tableToIPC,
  makeData,
  type Vector,
} from 'apache-arrow';
import { PluginError } from './plugin-error.ts';
import type { ArrowPayload } from './protocol.ts';

/** A column `tableFromColumns` accepts: numbers (null for missing) or text (null for missing). */
export type ColumnValues = Float64Array | Int32Array | (string | null)[] | (number | null)[];

function isTextColumn(values: readonly unknown[]): boolean {
  return values.some((value) => typeof value === 'string');
}

/**
 * The validity bitmap of `values` (bit set = present). Built by hand, like the vectors below,
 * because Arrow's builders (`vectorFromArray` on plain arrays) compile their null check with
 * `new Function`, which the plugin CSP (no 'unsafe-eval') refuses with an EvalError.
 */
function validityOf(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (let row = 0; row < values.length; row++) {
    if (values[row] === null) nullCount++;
    else nullBitmap[row >> 3]! |= 1 << (row & 7);
  }
  return { nullBitmap, nullCount };
}

function textVector(values: readonly (string | null)[]): Vector {
  const encoder = new TextEncoder();
  const encoded = values.map((value) => encoder.encode(value ?? ''));
  const valueOffsets = new Int32Array(values.length + 1);
  for (let row = 0; row < encoded.length; row++) {
    valueOffsets[row + 1] = valueOffsets[row]! + encoded[row]!.length;
  }
  const data = new Uint8Array(valueOffsets[values.length]!);
  for (let row = 0; row < encoded.length; row++) data.set(encoded[row]!, valueOffsets[row]);
  return makeVector(
    makeData({
      type: new Utf8(),
      length: values.length,
      valueOffsets,
      data,
      ...validityOf(values),
    }),
  );
}

function numberVector(values: readonly (number | null)[]): Vector {
  const data = Float64Array.from(values, (value) => value ?? 0);
  return makeVector(
    makeData({ type: new Float64(), length: values.length, data, ...validityOf(values) }),
  );
}

function vectorOf(name: string, values: ColumnValues): Vector {
  // Typed arrays become vectors over the same memory; tableToIPC copies them once.
  if (values instanceof Float64Array || values instanceof Int32Array) return makeVector(values);
  if (!Array.isArray(values)) {
    throw new PluginError('invalid_params', `Column "${name}" is not an array.`);
  }
  if (isTextColumn(values)) {
    if (!values.every((value) => value === null || typeof value === 'string')) {
      throw new PluginError('invalid_params', `Column "${name}" mixes text and other values.`);
    }
    return textVector(values as (string | null)[]);
  }
  if (!values.every((value) => value === null || typeof value === 'number')) {
    throw new PluginError('invalid_params', `Column "${name}" holds values that are not numbers.`);
  }
  return numberVector(values as (number | null)[]);
}

/**
 * Arrow IPC stream bytes of a table made of `columns` (all of the same length). Float64Array →
 * Float64, Int32Array → Int32, arrays of numbers → Float64 and of strings → Utf8 (null is a
 * missing value in both).
 *
 * @example
 * const ipc = tableFromColumns({ mean: new Float64Array([1.5, 2]), label: ['a', null] });
 * await host.data.write(ipc, { mode: 'columns' });
 */
export function tableFromColumns(columns: Record<string, ColumnValues>): Uint8Array {
  const entries = Object.entries(columns);
  if (entries.length === 0) throw new PluginError('invalid_params', 'A table needs a column.');
  const rows = entries[0]![1].length;
  const vectors: Record<string, Vector> = {};
  for (const [name, values] of entries) {
    if (values.length !== rows) {
      throw new PluginError(
        'invalid_params',
        `Column "${name}" has ${values.length} rows, the first column ${rows}.`,
      );
    }
    vectors[name] = vectorOf(name, values);
  }
  return tableToIPC(new Table(vectors), 'stream');
}

/** 64-bit integers as numbers, as the engine holds them. */
function plainValue(value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

function columnValues(vector: Vector): ArrayLike<unknown> {
  const { typeId } = vector.type as { typeId: Type };
  const isPlainNumber =
    typeId === Type.Float ||
    (typeId === Type.Int && (vector.type as { bitWidth: number }).bitWidth <= 32);
  if (isPlainNumber && vector.nullCount === 0) return vector.toArray() as ArrayLike<number>;
  const values: unknown[] = new Array(vector.length);
  for (let row = 0; row < vector.length; row++) values[row] = plainValue(vector.get(row));
  return values;
}

/**
 * The columns of a `data.read` answer as plain arrays, by name: a typed array for numbers
 * without missing values, else an array with null for missing values (64-bit integers become
 * numbers, dates and timestamps milliseconds since 1970, categories their text).
 *
 * @example
 * const { mass } = readColumns(await host.data.read(['mass']));
 */
export function readColumns(payload: ArrowPayload): Record<string, ArrayLike<unknown>> {
  const table = tableFromIpc(payload);
  const columns: Record<string, ArrayLike<unknown>> = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name);
    if (vector) columns[field.name] = columnValues(vector);
  }
  return columns;
}

/**
 * The full Arrow table of a `data.read` answer (or of IPC bytes), for plugins that work with
 * Arrow directly.
 *
 * @example
 * const table = tableFromIpc(await host.data.read(['a', 'b']));
 * table.numRows;
 */
export function tableFromIpc(payload: ArrowPayload | ArrayBuffer | Uint8Array): Table {
  const bytes =
    payload instanceof Uint8Array
      ? payload
      : new Uint8Array(payload instanceof ArrayBuffer ? payload : payload.ipc);
  return tableFromIPC(bytes);
}

/**
 * Arrow IPC stream bytes of an Arrow table, for `data.write`.
 *
 * @example
 * await host.data.write(tableToIpc(table), { mode: 'table', name: 'clusters' });
 */
export function tableToIpc(table: Table): Uint8Array {
  return tableToIPC(table, 'stream');
}

/**
 * One `data.read` answer made of several pages, in order: the SDK reads a long range page by page
 * (the host answers at most `READ_PAGE_ROWS` rows per call) and joins them here. Dictionary
 * columns may carry a different dictionary per page; the stream says so where it changes.
 *
 * @example
 * const whole = joinPages([firstPage, secondPage]);
 */
export function joinPages(pages: readonly ArrowPayload[]): ArrowPayload {
  const [first, ...rest] = pages.map((page) => tableFromIpc(page));
  if (!first) throw new PluginError('invalid_params', 'There are no pages to join.');
  const shape = (table: Table) =>
    table.schema.fields.map((field) => `${field.name}: ${String(field.type)}`).join(', ');
  const expected = shape(first);
  const odd = rest.find((table) => shape(table) !== expected);
  if (odd) {
    throw new PluginError('failed', 'The pages of one read have different columns.', {
      cause: `${expected} vs ${shape(odd)}`,
    });
  }
  const joined = rest.length > 0 ? first.concat(...rest) : first;
  const bytes = tableToIPC(joined, 'stream');
  const ipc =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.slice().buffer as ArrayBuffer);
  return { ipc, rows: joined.numRows };
}

export type { Table };

/**
 * The engine's columnar model: each column is one contiguous run of Arrow-layout buffers (typed
 * arrays, an LSB validity bitmap, UTF-8 bytes with offsets, dictionary codes). Kernels read these
 * buffers directly, never through per-row accessors, and the Arrow wrapper turns them into Arrow
 * vectors and back without copying. Nothing here imports apache-arrow.
 *
 * One chunk per column is a decision, not an accident: kernels stay simple loops over typed
 * arrays, and random access by row index (sort, gather) needs no chunk lookup. Files that arrive
 * in several record batches or row groups are joined once, at load.
 */

/** The types a column can have, as users see and override them. */
export type LogicalType = 'int' | 'float' | 'bool' | 'date' | 'datetime' | 'string' | 'category';

export const LOGICAL_TYPES: readonly LogicalType[] = [
  'int',
  'float',
  'bool',
  'date',
  'datetime',
  'string',
  'category',
];

/** Typed arrays a numeric column may hold; `values[i]` is the row's number. */
export type NumericArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** Typed arrays dictionary codes may come in. */
export type CodeArray =
  Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/**
 * A validity bitmap in Arrow's layout (bit `i % 8` of byte `i >> 3`, set when row `i` holds a
 * value), or null when every row holds one.
 */
export type Validity = Uint8Array | null;

/**
 * Numbers: `int` (whole numbers), `float`, `date` (days since 1970-01-01, Arrow DateDay) and
 * `datetime` (milliseconds since 1970-01-01T00:00:00Z as a Float64Array; Arrow's timestamps are
 * 64-bit integers, converted at the Arrow boundary so every kernel reads plain numbers).
 */
export interface NumberColumnData {
  readonly kind: 'number';
  readonly type: 'int' | 'float' | 'date' | 'datetime';
  readonly length: number;
  readonly values: NumericArray;
  readonly validity: Validity;
}

/** Booleans, bit-packed like the validity bitmap. */
export interface BoolColumnData {
  readonly kind: 'bool';
  readonly type: 'bool';
  readonly length: number;
  readonly bits: Uint8Array;
  readonly validity: Validity;
}

/** Strings as UTF-8: row `i` is `bytes[offsets[i] .. offsets[i + 1])`. */
export interface Utf8ColumnData {
  readonly kind: 'utf8';
  readonly type: 'string';
  readonly length: number;
  /** `length + 1` entries, the first 0. */
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly validity: Validity;
}

/** Low-cardinality strings: row `i` is `dictionary[codes[i]]`. */
export interface DictColumnData {
  readonly kind: 'dict';
  readonly type: 'category';
  readonly length: number;
  readonly codes: CodeArray;
  readonly dictionary: readonly string[];
  readonly validity: Validity;
}

export type ColumnData = NumberColumnData | BoolColumnData | Utf8ColumnData | DictColumnData;

/** The plugin that made a column or table: the engine's label, never a claim read from a file. */
export interface PluginSource {
  /** The plugin's id, e.g. `enclave.stats`. */
  readonly plugin: string;
}

/** A named column of a table; `source` is set on columns a plugin handed back as its result. */
export interface Column {
  readonly name: string;
  readonly data: ColumnData;
  readonly source?: PluginSource;
}

/** A table: columns of equal length. */
export interface ColumnTable {
  readonly columns: readonly Column[];
  readonly length: number;
}

/**
 * Row indices into a table, in the order a view shows them; null means every row in table order.
 * Indices are unsigned 32-bit, so a table holds at most 2^32 - 1 rows.
 */
export type Selection = Uint32Array | null;

/**
 * Whether row `row` holds a value.
 *
 * @example
 * if (isValid(column.validity, row)) sum += column.values[row];
 */
export function isValid(validity: Validity, row: number): boolean {
  return validity === null || (validity[row >> 3]! & (1 << (row & 7))) !== 0;
}

/**
 * The boolean of row `row` of a bit-packed array.
 *
 * @example
 * const flag = bitAt(column.bits, row);
 */
export function bitAt(bits: Uint8Array, row: number): boolean {
  return (bits[row >> 3]! & (1 << (row & 7))) !== 0;
}

/**
 * How many rows of a column hold no value.
 *
 * @example
 * nullCount(column.data); // 3
 */
export function nullCount(data: ColumnData): number {
  const { validity, length } = data;
  if (validity === null) return 0;
  let valid = 0;
  const fullBytes = length >> 3;
  for (let i = 0; i < fullBytes; i++) valid += POPCOUNT[validity[i]!]!;
  for (let row = fullBytes << 3; row < length; row++) if (isValid(validity, row)) valid++;
  return length - valid;
}

const POPCOUNT = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) table[i] = (i & 1) + table[i >> 1]!;
  return table;
})();

const utf8 = new TextDecoder();

/**
 * The string of row `row` of a UTF-8 column (null when the row holds none).
 *
 * @example
 * utf8At(column, 0); // 'aspirin'
 */
export function utf8At(data: Utf8ColumnData, row: number): string | null {
  if (!isValid(data.validity, row)) return null;
  return utf8.decode(data.bytes.subarray(data.offsets[row]!, data.offsets[row + 1]!));
}

/**
 * The value of one row as a plain JavaScript value: a number, boolean, string or null. For
 * tests, small results and messages, never for a kernel's inner loop.
 *
 * @example
 * valueAt(table.columns[0].data, 41); // 3.5
 */
export function valueAt(data: ColumnData, row: number): number | boolean | string | null {
  if (!isValid(data.validity, row)) return null;
  switch (data.kind) {
    case 'number':
      return data.values[row]!;
    case 'bool':
      return bitAt(data.bits, row);
    case 'utf8':
      return utf8At(data, row);
    case 'dict':
      return data.dictionary[data.codes[row]!]!;
  }
}

/**
 * The data engine's wire protocol: what the page may ask the engine worker and what comes back,
 * as types only. The page imports these without pulling engine code into its bundle; the worker
 * validates every request against `request-schemas.ts` (which must match these types) before it
 * acts. Data results travel as Arrow IPC bytes whose buffer is transferred, never copied.
 */
import type { LogicalType, PluginSource } from './columns/column-data.ts';

export type { LogicalType, PluginSource } from './columns/column-data.ts';

/** The file formats the engine reads. */
export type FileFormat = 'csv' | 'tsv' | 'arrow' | 'parquet' | 'jsonl';

/** What to open: a file the user picked (read in chunks inside the worker) or bytes in hand. */
export type OpenSource =
  | { readonly kind: 'file'; readonly file: Blob; readonly name: string }
  | { readonly kind: 'bytes'; readonly bytes: ArrayBuffer; readonly name: string };

export interface OpenOptions {
  /** Names this load for `cancel` and progress reports. */
  readonly jobId: string;
  /** When absent, told from the name and the first bytes. */
  readonly format?: FileFormat;
  /** Types the user chose for some columns, by column name; others are inferred. */
  readonly columnTypes?: Readonly<Record<string, LogicalType>>;
  /** The field separator of delimited text; by default `,` for CSV and a tab for TSV. */
  readonly delimiter?: ',' | '\t' | ';' | '|';
  /**
   * The id of the plugin whose result these bytes are (a new table it made). The bytes are then
   * Arrow IPC whatever `format` says otherwise (another format is refused), checked like
   * `appendColumns` checks a result (except the row count, which is free), and the table and
   * each of its columns carry `source: { plugin: label }`.
   */
  readonly label?: string;
}

export interface AppendColumnsOptions {
  /** The id of the plugin that made the columns (`^[a-z0-9]+(\.[a-z0-9-]+)+$`, ≤ 100 chars). */
  readonly label: string;
  /** Refuses (`too_large`) a result of more bytes; at most, and by default, 256 MiB. */
  readonly maxBytes?: number;
}

/** Sent while a load runs, at most every 50 ms and once at the end of each phase. */
export interface LoadProgress {
  readonly jobId: string;
  readonly phase: 'reading' | 'building';
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly rows: number;
}

/**
 * Something worth telling about a load that did not stop it:
 * - `ragged-row`: a row with fewer or more fields than the header;
 * - `type-widened`: a column's values did not all fit the type inferred so far, so it was widened;
 * - `precision-lost`: values were rounded (whole numbers beyond ±2^53, decimals, nanoseconds);
 * - `invalid-utf8`: bytes that are not UTF-8 were replaced;
 * - `renamed`: a blank or repeated column name was changed;
 * - `value-dropped`: values that do not fit the type chosen for their column were left null;
 * - `unknown-column`: `columnTypes` names a column the file does not have.
 */
export interface LoadWarning {
  readonly kind:
    | 'ragged-row'
    | 'type-widened'
    | 'precision-lost'
    | 'invalid-utf8'
    | 'renamed'
    | 'value-dropped'
    | 'unknown-column';
  /** 1-based line of the file, where it has lines. */
  readonly line?: number;
  readonly column?: string;
  readonly message: string;
}

export interface LoadReport {
  readonly format: FileFormat;
  readonly bytes: number;
  readonly rows: number;
  readonly elapsedMs: number;
  /** The first 100 warnings; `warningCount` says how many there were in all. */
  readonly warnings: readonly LoadWarning[];
  readonly warningCount: number;
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: LogicalType;
  readonly nullCount: number;
  /**
   * The plugin that made the column, for columns a plugin handed back. It is the engine's own
   * record (pages and exports carry it as the field metadata `enclave.plugin`); a file's claim
   * is never read back.
   */
  readonly source?: PluginSource;
}

/** A table held by the engine. Its id is also a view of all its rows in order. */
export interface TableInfo {
  readonly tableId: string;
  readonly name: string;
  readonly rowCount: number;
  readonly columns: readonly ColumnSchema[];
  /**
   * Present for tables opened from a file or bytes, and for tables made by `appendColumns`
   * (then what reading the result found: `bytes` is the result's size, `warnings` include the
   * columns it renamed).
   */
  readonly report?: LoadReport;
  /** The plugin that made the whole table (opened with `label`). */
  readonly source?: PluginSource;
}

/** Some rows of a table, in some order: the result of a query. */
export interface ViewInfo {
  readonly viewId: string;
  readonly tableId: string;
  readonly rowCount: number;
}

/**
 * A filter value: a number, string or boolean. For `date` columns a number is days since
 * 1970-01-01 and a string is an ISO date (`2024-05-31`); for `datetime` a number is milliseconds
 * since the epoch and a string is ISO 8601 (`2024-05-31T12:00:00Z`).
 */
export type Scalar = number | string | boolean;

/** A typed predicate over one row; nulls never match a comparison, `in` or `contains`. */
export type Predicate =
  | {
      readonly op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
      readonly column: string;
      readonly value: Scalar;
    }
  | { readonly op: 'in'; readonly column: string; readonly values: readonly Scalar[] }
  | {
      readonly op: 'contains' | 'starts_with';
      readonly column: string;
      readonly value: string;
      /** Default false: letters match regardless of case. */
      readonly caseSensitive?: boolean;
    }
  | { readonly op: 'is_null' | 'not_null'; readonly column: string }
  | { readonly op: 'and' | 'or'; readonly predicates: readonly Predicate[] }
  | { readonly op: 'not'; readonly predicate: Predicate };

/** Nulls sort last in either direction; equal keys keep their earlier order (stable). */
export interface SortKey {
  readonly column: string;
  readonly direction: 'asc' | 'desc';
}

export interface QuerySpec {
  readonly filter?: Predicate;
  readonly sort?: readonly SortKey[];
  /** Keep only the first `limit` rows (with `sort`, the top `limit`). */
  readonly limit?: number;
}

export type AggregateOp = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'distinct_count';

/** `count` counts rows; the others read `column` and skip its nulls. */
export type Aggregate =
  | { readonly op: 'count'; readonly as?: string }
  | {
      readonly op: Exclude<AggregateOp, 'count'>;
      readonly column: string;
      /** Name of the result column; by default `<op>_<column>`. */
      readonly as?: string;
    };

/** Groups by the key columns (nulls form a group of their own), ordered by the keys ascending. */
export interface GroupBySpec {
  readonly keys: readonly string[];
  readonly aggregates: readonly Aggregate[];
}

export interface StatsOptions {
  /** Histogram bins for numeric columns (default 20, at most 1000). */
  readonly bins?: number;
  /** Most frequent values kept for other columns (default 10, at most 1000). */
  readonly topValues?: number;
}

/** A column's summary over the rows of a view. */
export interface ColumnStats {
  readonly column: string;
  readonly type: LogicalType;
  readonly count: number;
  readonly nullCount: number;
  /** For int, float, date and datetime columns with at least one value. */
  readonly numeric?: {
    readonly min: number;
    readonly max: number;
    readonly mean: number;
    /** `bins + 1` ascending edges; bin `i` holds values in [edges[i], edges[i+1]), the last closed. */
    readonly histogram: { readonly edges: readonly number[]; readonly counts: readonly number[] };
  };
  /** For string, category and bool columns: most frequent first, ties by value. */
  readonly topValues?: readonly { readonly value: string | boolean; readonly count: number }[];
  /** For string, category and bool columns. */
  readonly distinctCount?: number;
}

/**
 * The data a chart draws, computed in the worker so that the page never touches every row:
 * - `histogram`: `bin_start`, `bin_end`, `count`.
 * - `bar`: the `x` category with one aggregate as `y`, largest first, at most `limit` bars.
 * - `line`: `x` ascending and each `y`, reduced to at most `maxPoints` (min and max per bucket).
 * - `scatter`: `x` and `y` (and `color` when given), an even sample of at most `maxPoints` rows.
 * - `box`: per group (or one row when no `groupBy`): `group`, `min`, `q1`, `median`, `q3`,
 *   `max`, `lower_whisker`, `upper_whisker` (1.5 IQR, clipped to data), `count`.
 */
export type ChartQuery =
  | { readonly kind: 'histogram'; readonly x: string; readonly bins?: number }
  | {
      readonly kind: 'bar';
      readonly x: string;
      readonly aggregate: Aggregate;
      readonly limit?: number;
    }
  | {
      readonly kind: 'line';
      readonly x: string;
      readonly y: readonly string[];
      readonly maxPoints?: number;
    }
  | {
      readonly kind: 'scatter';
      readonly x: string;
      readonly y: string;
      readonly color?: string;
      readonly maxPoints?: number;
    }
  | { readonly kind: 'box'; readonly y: string; readonly groupBy?: string };

/** Arrow IPC stream bytes; the buffer is transferred to the receiver. */
export interface ArrowBytes {
  readonly rows: number;
  readonly ipc: Uint8Array;
}

/** Stable codes of the engine's errors, for the page to tell them apart. */
export type EngineErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'unknown_column'
  | 'type_mismatch'
  | 'unsupported_format'
  | 'parse_error'
  | 'cancelled'
  | 'too_large'
  | 'internal';

/** An engine error as it crosses the worker boundary. */
export interface EngineErrorData {
  readonly code: EngineErrorCode;
  readonly message: string;
  /** Where a parse error was found: 1-based line (and column), or a byte offset. */
  readonly line?: number;
  readonly column?: number;
  readonly offset?: number;
}

/** Receives load progress; called across the worker boundary. */
export type ProgressListener = (progress: LoadProgress) => void;

/** What the engine worker exposes. Every method may reject with an `EngineError`. */
export interface EngineApi {
  open(source: OpenSource, options: OpenOptions, onProgress?: ProgressListener): Promise<TableInfo>;
  /** Stops the load named `jobId`; it then rejects with `cancelled`. */
  cancel(jobId: string): Promise<void>;
  /** Filters, sorts and limits a table or view into a new view. */
  query(sourceId: string, spec: QuerySpec): Promise<ViewInfo>;
  /** Groups a table or view into a new table. */
  groupBy(sourceId: string, spec: GroupBySpec): Promise<TableInfo>;
  /** Rows `offset .. offset + limit` of a table or view (the named columns, else all). */
  rows(
    sourceId: string,
    offset: number,
    limit: number,
    columns?: readonly string[],
  ): Promise<ArrowBytes>;
  stats(
    sourceId: string,
    columns?: readonly string[],
    options?: StatsOptions,
  ): Promise<ColumnStats[]>;
  chart(sourceId: string, query: ChartQuery): Promise<ArrowBytes>;
  /** The whole table or view as Arrow IPC (to keep it on this device or share it). */
  exportArrow(sourceId: string): Promise<ArrowBytes>;
  /**
   * A plugin's result columns added to a table: answers a NEW table (a new id) whose columns are
   * the table's own, shared and never changed, followed by the result's, each labelled
   * `source: { plugin: label }`; a result column named like one the table has is renamed
   * `<label>: <name>` (then ` (2)`, …) with a `renamed` warning in `report`. The old id stays
   * valid. On a view, the new table holds the view's rows in its order (copied).
   *
   * `ipc` (transferred) must be Arrow IPC with as many rows as the table or view and 1 to 64
   * columns of int, float, bool, string, date or timestamp types (dictionaries of these too),
   * named with 1 to 200 characters and no control characters, in at most `maxBytes`. Refusals:
   * `parse_error` (not Arrow, damaged, cut short), `unsupported_format` (compressed),
   * `invalid_request` (columns, names, rows, options), `type_mismatch` (another Arrow type),
   * `too_large` (size).
   */
  appendColumns(
    tableId: string,
    ipc: ArrayBuffer,
    options: AppendColumnsOptions,
  ): Promise<TableInfo>;
  /** Forgets a table (and its views) or a view. */
  drop(id: string): Promise<void>;
}

/**
 * The engine: the tables and views one page holds, and the requests on them. It validates every
 * request (`request-schemas.ts`), reads files through the format readers, computes with the
 * kernels and answers with Arrow IPC bytes. It knows nothing of comlink or the page; the worker
 * entry exposes it, and tests call it directly.
 *
 * A view is a table plus a selection (row indices in order); a table's own id is the view of all
 * its rows. Views of views compose: a query on a view reads the view's rows only.
 *
 * Tables are never changed once held: a plugin's result columns make a new table that shares the
 * old one's columns (`appendColumns`), and the page decides when to drop the old one.
 */
import { tableToIpc } from './arrow/index.ts';
import {
  nullCount,
  type ColumnTable,
  type PluginSource,
  type Selection,
} from './columns/column-data.ts';
import { EngineError } from './engine-error.ts';
import { readArrowIpc } from './formats/arrow-ipc/index.ts';
import { readCsv } from './formats/csv/index.ts';
import { readJsonLines } from './formats/json-lines/index.ts';
import { readParquet } from './formats/parquet/index.ts';
import {
  chartData,
  columnStats,
  filterRows,
  gatherTable,
  groupBy,
  sortRows,
  topRows,
} from './kernels/index.ts';
import type {
  AppendColumnsOptions,
  ArrowBytes,
  ChartQuery,
  ColumnStats,
  EngineApi,
  FileFormat,
  GroupBySpec,
  LoadProgress,
  LoadWarning,
  OpenOptions,
  OpenSource,
  ProgressListener,
  QuerySpec,
  StatsOptions,
  TableInfo,
  ViewInfo,
} from './protocol.ts';
import {
  parseAppendColumnsOptions,
  parseChartQuery,
  parseGroupBySpec,
  parseId,
  parseOpenOptions,
  parsePage,
  parseQuerySpec,
  parseStatsRequest,
} from './request-schemas.ts';
import { checkResultSize, joinColumns, readResult } from './results/index.ts';
import { detectFormat } from './sources/detect-format.ts';
import { chunksOf, readChunks, readWhole } from './sources/read-chunks.ts';

const PROGRESS_INTERVAL_MS = 50;
const MAX_WARNINGS = 100;

interface HeldTable {
  readonly kind: 'table';
  readonly table: ColumnTable;
  readonly info: TableInfo;
}

interface HeldView {
  readonly kind: 'view';
  readonly tableId: string;
  readonly selection: Uint32Array;
}

interface Loaded {
  readonly table: ColumnTable;
  readonly warnings: readonly LoadWarning[];
  readonly warningCount: number;
}

function notFound(id: string): EngineError {
  return new EngineError({
    code: 'not_found',
    message: `The engine holds no table or view "${id}"; it may have been closed.`,
  });
}

function infoOf(tableId: string, name: string, table: ColumnTable): TableInfo {
  return {
    tableId,
    name,
    rowCount: table.length,
    columns: table.columns.map((column) => ({
      name: column.name,
      type: column.data.type,
      nullCount: nullCount(column.data),
      ...(column.source ? { source: { plugin: column.source.plugin } } : {}),
    })),
  };
}

/**
 * Calls the listener at most every 50 ms, the first time 50 ms into the load, and then always
 * for the last report of a phase. A load that ends sooner tells nothing: its answer arrives
 * before a progress bar could show, and each report is a message to the page.
 */
function throttled(jobId: string, totalBytes: number, listener: ProgressListener | undefined) {
  let last = performance.now();
  let told = false;
  return (phase: LoadProgress['phase'], bytesRead: number, rows: number, final = false) => {
    if (!listener) return;
    const now = performance.now();
    if (now - last < PROGRESS_INTERVAL_MS && !(final && told)) return;
    last = now;
    told = true;
    void listener({ jobId, phase, bytesRead, totalBytes, rows });
  };
}

function everyRow(length: number): Uint32Array {
  const rows = new Uint32Array(length);
  for (let row = 0; row < length; row++) rows[row] = row;
  return rows;
}

/**
 * What `open` reads: a file, read in chunks, or bytes already in hand (transferred from the
 * page), which are read where they lie, never copied into a Blob and back.
 */
type Input =
  | { readonly kind: 'file'; readonly blob: Blob; readonly size: number; readonly name: string }
  | {
      readonly kind: 'bytes';
      readonly bytes: Uint8Array;
      readonly size: number;
      readonly name: string;
    };

/**
 * The bytes of a buffer the page handed over. A detached buffer (transferred away already) has
 * none, and making a view of one throws, so it reads as empty, which no reader takes for data.
 */
function viewOf(buffer: ArrayBuffer): Uint8Array {
  return buffer.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(buffer);
}

function checkSource(source: OpenSource): Input {
  const name = typeof source?.name === 'string' ? source.name.slice(0, 1_000) : '';
  if (source?.kind === 'file' && source.file instanceof Blob) {
    return { kind: 'file', blob: source.file, size: source.file.size, name };
  }
  if (source?.kind === 'bytes' && source.bytes instanceof ArrayBuffer) {
    const bytes = viewOf(source.bytes);
    return { kind: 'bytes', bytes, size: bytes.byteLength, name };
  }
  throw new EngineError({
    code: 'invalid_request',
    message: 'Invalid request: open takes a file or bytes.',
  });
}

async function headOf(input: Input): Promise<Uint8Array> {
  if (input.kind === 'bytes') return input.bytes.subarray(0, 4096);
  return new Uint8Array(await input.blob.slice(0, 4096).arrayBuffer());
}

function chunksFrom(input: Input, signal: AbortSignal): AsyncIterable<Uint8Array> {
  return input.kind === 'bytes' ? chunksOf(input.bytes) : readChunks(input.blob, { signal });
}

async function wholeOf(
  input: Input,
  signal: AbortSignal,
  onRead: (bytesRead: number) => void,
): Promise<Uint8Array> {
  if (input.kind === 'bytes') return input.bytes;
  return new Uint8Array(await readWhole(input.blob, { signal, onRead }));
}

/**
 * A new, empty engine.
 *
 * @example
 * const engine = createEngine();
 * const table = await engine.open({ kind: 'bytes', bytes, name: 'plates.csv' }, { jobId: 'j1' });
 * const view = await engine.query(table.tableId, { filter: { op: 'gt', column: 'signal', value: 0.5 } });
 */
export function createEngine(): EngineApi {
  const held = new Map<string, HeldTable | HeldView>();
  const jobs = new Map<string, AbortController>();

  function resolve(id: unknown): { tableId: string; table: ColumnTable; selection: Selection } {
    const checked = parseId(id);
    const entry = held.get(checked);
    if (!entry) throw notFound(checked);
    if (entry.kind === 'table') return { tableId: checked, table: entry.table, selection: null };
    const base = held.get(entry.tableId);
    if (base?.kind !== 'table') throw notFound(checked);
    return { tableId: entry.tableId, table: base.table, selection: entry.selection };
  }

  function holdTable(
    name: string,
    table: ColumnTable,
    report?: TableInfo['report'],
    source?: PluginSource,
  ): TableInfo {
    const tableId = crypto.randomUUID();
    const info = {
      ...infoOf(tableId, name, table),
      ...(report ? { report } : {}),
      ...(source ? { source } : {}),
    };
    held.set(tableId, { kind: 'table', table, info });
    return info;
  }

  function ipcOf(table: ColumnTable): ArrowBytes {
    return { rows: table.length, ipc: tableToIpc(table) };
  }

  async function load(
    format: FileFormat,
    input: Input,
    options: OpenOptions,
    signal: AbortSignal,
    progress: ReturnType<typeof throttled>,
  ): Promise<Loaded> {
    const onRead = (bytesRead: number) => progress('reading', bytesRead, 0);
    switch (format) {
      case 'csv':
      case 'tsv':
        return readCsv(chunksFrom(input, signal), {
          delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : undefined),
          ...(options.columnTypes ? { columnTypes: options.columnTypes } : {}),
          signal,
          onProgress: (bytesRead, rows) => progress('reading', bytesRead, rows),
        });
      case 'jsonl':
        return readJsonLines(chunksFrom(input, signal), {
          columnTypes: options.columnTypes,
          signal,
          onProgress: (bytesRead, rows) => progress('reading', bytesRead, rows),
        });
      case 'arrow': {
        const bytes = await wholeOf(input, signal, onRead);
        const { table, warnings } =
          options.label === undefined
            ? readArrowIpc(bytes)
            : readResult(bytes, { label: options.label });
        return { table, warnings, warningCount: warnings.length };
      }
      case 'parquet': {
        const bytes = await wholeOf(input, signal, onRead);
        progress('building', input.size, 0, true);
        const whole =
          bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
            ? (bytes.buffer as ArrayBuffer)
            : (bytes.slice().buffer as ArrayBuffer);
        const { table, warnings } = await readParquet(whole, {
          signal,
          onProgress: (rows) => progress('building', input.size, rows),
        });
        return { table, warnings, warningCount: warnings.length };
      }
    }
  }

  return {
    async open(source, rawOptions, onProgress) {
      const options = parseOpenOptions(rawOptions);
      const input = checkSource(source);
      if (jobs.has(options.jobId)) {
        throw new EngineError({
          code: 'invalid_request',
          message: `Invalid request: a load named "${options.jobId}" is running.`,
        });
      }
      const controller = new AbortController();
      jobs.set(options.jobId, controller);
      const started = performance.now();
      const progress = throttled(options.jobId, input.size, onProgress);
      try {
        if (options.label !== undefined) checkResultSize(input.size, options.label);
        const format =
          options.label !== undefined
            ? 'arrow'
            : (options.format ?? detectFormat(input.name, await headOf(input)));
        const loaded = await load(format, input, options, controller.signal, progress);
        progress('building', input.size, loaded.table.length, true);
        return holdTable(
          input.name,
          loaded.table,
          {
            format,
            bytes: input.size,
            rows: loaded.table.length,
            elapsedMs: performance.now() - started,
            warnings: loaded.warnings.slice(0, MAX_WARNINGS),
            warningCount: loaded.warningCount,
          },
          options.label === undefined ? undefined : { plugin: options.label },
        );
      } finally {
        jobs.delete(options.jobId);
      }
    },

    async cancel(jobId) {
      jobs.get(parseId(jobId))?.abort();
    },

    async query(sourceId, rawSpec): Promise<ViewInfo> {
      const { tableId, table, selection } = resolve(sourceId);
      const spec: QuerySpec = parseQuerySpec(rawSpec);
      let rows = spec.filter ? filterRows(table, spec.filter, selection) : selection;
      if (spec.sort && spec.sort.length > 0) {
        rows =
          spec.limit !== undefined
            ? topRows(table, spec.sort, spec.limit, rows)
            : sortRows(table, spec.sort, rows);
      }
      const kept = Math.min(rows === null ? table.length : rows.length, spec.limit ?? Infinity);
      let indices = rows ?? everyRow(kept);
      if (indices.length > kept) indices = indices.slice(0, kept);
      const viewId = crypto.randomUUID();
      held.set(viewId, { kind: 'view', tableId, selection: indices });
      return { viewId, tableId, rowCount: indices.length };
    },

    async groupBy(sourceId, rawSpec) {
      const { tableId, table, selection } = resolve(sourceId);
      const spec: GroupBySpec = parseGroupBySpec(rawSpec);
      const base = held.get(tableId) as HeldTable;
      return holdTable(
        `${base.info.name} by ${spec.keys.join(', ')}`,
        groupBy(table, spec, selection),
      );
    },

    async rows(sourceId, offset, limit, columns) {
      const { table, selection } = resolve(sourceId);
      const page = parsePage(offset, limit, columns);
      return ipcOf(gatherTable(table, selection, page.offset, page.limit, page.columns));
    },

    async stats(sourceId, rawColumns, rawOptions): Promise<ColumnStats[]> {
      const { table, selection } = resolve(sourceId);
      const { columns, options } = parseStatsRequest(rawColumns, rawOptions);
      const wanted = columns ?? table.columns.map((column) => column.name);
      return wanted.map((name) => {
        const column = table.columns.find((candidate) => candidate.name === name);
        if (!column) {
          throw new EngineError({
            code: 'unknown_column',
            message: `There is no column "${name}".`,
          });
        }
        return columnStats(column, selection, options as StatsOptions | undefined);
      });
    },

    async chart(sourceId, rawQuery) {
      const { table, selection } = resolve(sourceId);
      const query: ChartQuery = parseChartQuery(rawQuery);
      return ipcOf(chartData(table, query, selection));
    },

    async exportArrow(sourceId) {
      const { table, selection } = resolve(sourceId);
      if (selection === null) return ipcOf(table);
      return ipcOf(gatherTable(table, selection, 0, selection.length));
    },

    async appendColumns(sourceId, ipc, rawOptions) {
      const { tableId, table, selection } = resolve(sourceId);
      const { label, maxBytes }: AppendColumnsOptions = parseAppendColumnsOptions(rawOptions);
      if (!(ipc instanceof ArrayBuffer)) {
        throw new EngineError({
          code: 'invalid_request',
          message: "Invalid request: appendColumns takes the plugin's result as an ArrayBuffer.",
        });
      }
      const started = performance.now();
      const rows = selection === null ? table.length : selection.length;
      const result = readResult(viewOf(ipc), { label, maxBytes, rows });
      const base = selection === null ? table : gatherTable(table, selection, 0, rows);
      const joined = joinColumns(base, result.table, label);
      const warnings = [...result.warnings, ...joined.warnings];
      return holdTable((held.get(tableId) as HeldTable).info.name, joined.table, {
        format: 'arrow',
        bytes: ipc.byteLength,
        rows,
        elapsedMs: performance.now() - started,
        warnings: warnings.slice(0, MAX_WARNINGS),
        warningCount: warnings.length,
      });
    },

    async drop(id) {
      const checked = parseId(id);
      const entry = held.get(checked);
      if (!entry) return;
      held.delete(checked);
      if (entry.kind === 'table') {
        for (const [other, candidate] of held) {
          if (candidate.kind === 'view' && candidate.tableId === checked) held.delete(other);
        }
      }
    },
  };
}

/**
 * Apache Arrow for the server: the one module that imports `apache-arrow` (the lint rules hold
 * everyone else to it), so the library's version and its quirks stay behind one contract.
 *
 * Data reaches the browser as Arrow IPC *streams* only: uploads (Arrow files or streams, or CSV)
 * are checked and rewritten as streams, and query results are encoded as streams batch by batch.
 * The implementations and their reasons are in the files beside this one.
 */
export {
  ArrowFormatError,
  normalizeArrowIpc,
  readArrowIpcSummary,
  type ArrowColumnSummary,
  type ArrowTableSummary,
} from './arrow-ipc.ts';
export {
  CsvFormatError,
  DEFAULT_MAX_CSV_COLUMNS,
  csvToArrowIpc,
  type CsvOptions,
} from './csv-to-arrow.ts';
export { arrowStreamFromRows, type ArrowColumn, type ArrowColumnKind } from './rows-to-arrow.ts';

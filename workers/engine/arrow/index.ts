/**
 * The engine's one door to Apache Arrow (the only module that imports `apache-arrow`): engine
 * tables to Arrow IPC bytes and back, plus the model-level helpers the file readers share
 * (joining chunks of a column, the text column that picks category or UTF-8, 64-bit integers
 * to numbers, JSON text for nested values). See README.md for the type mapping.
 */
export { tableToIpc, LOGICAL_TYPE_KEY, PLUGIN_SOURCE_KEY } from './table-to-ipc.ts';
export {
  ipcToTable,
  type IpcField,
  type IpcLayout,
  type IpcTable,
  type IpcToTableOptions,
} from './ipc-to-table.ts';
export { concatColumns } from './concat-columns.ts';
export { TextColumnBuilder, CATEGORY_MIN_DISTINCT } from './text-column-builder.ts';
export { int64ToNumbers, halvesOf, type Int64Numbers } from './int64.ts';
export { toJsonText, hexOf } from './json-text.ts';
export { copyBits, bitmapSlice, filledBitmap } from './bitmaps.ts';

/**
 * The shapes of a dataset kept on this device: what the app hands over to keep one, and what a
 * listing gives back. They are plain data (no class), so TanStack Query can cache them and tabs
 * can pass them around.
 */
import type { FileFormat, LogicalType } from '../../workers/engine/protocol.ts';

/**
 * One column of a kept dataset, as the engine typed it.
 *
 * @example
 * const column: LocalDatasetColumn = { name: 'signal', type: 'float' };
 */
export interface LocalDatasetColumn {
  readonly name: string;
  readonly type: LogicalType;
}

/**
 * A dataset to keep on this device: its description and its Arrow IPC bytes.
 *
 * @example
 * const dataset: NewLocalDataset = {
 *   name: 'Assay plate 7',
 *   format: 'csv',
 *   sourceName: 'plate-7.csv',
 *   rows: 96,
 *   columns: [{ name: 'well', type: 'string' }, { name: 'signal', type: 'float' }],
 *   ipc,
 * };
 */
export interface NewLocalDataset {
  /** What the scientist calls it; shown in the listing. */
  readonly name: string;
  /** The format of the file it was opened from. */
  readonly format: FileFormat;
  /** The file name it was opened from, e.g. `plate-7.csv`. */
  readonly sourceName: string;
  readonly rows: number;
  readonly columns: readonly LocalDatasetColumn[];
  /** The table as Arrow IPC bytes, kept as they are and given back as they were. */
  readonly ipc: Uint8Array;
}

/**
 * A kept dataset as a listing shows it. Times are ISO 8601 strings (like the server's).
 *
 * @example
 * const newest: LocalDatasetMetadata = (await localDatasets.listDatasets(userId))[0];
 * console.log(newest.name, newest.byteSize, newest.lastOpenedAt);
 */
export interface LocalDatasetMetadata {
  readonly id: string;
  /** The signed-in user it belongs to. */
  readonly ownerId: string;
  readonly name: string;
  readonly format: FileFormat;
  readonly sourceName: string;
  readonly rows: number;
  readonly columns: readonly LocalDatasetColumn[];
  /** Length of the Arrow IPC bytes. */
  readonly byteSize: number;
  readonly createdAt: string;
  readonly lastOpenedAt: string;
  /** How many encrypted chunks hold the bytes. */
  readonly chunkCount: number;
}

/**
 * A kept dataset read back: its metadata (with `lastOpenedAt` now) and its Arrow IPC bytes, in
 * a buffer of their own that can be transferred to a worker.
 *
 * @example
 * const { metadata, ipc }: LoadedLocalDataset = await localDatasets.loadDataset(userId, id);
 */
export interface LoadedLocalDataset {
  readonly metadata: LocalDatasetMetadata;
  readonly ipc: Uint8Array<ArrayBuffer>;
}

/**
 * The on-device dataset store: datasets opened in the browser, kept in IndexedDB as Arrow IPC
 * encrypted under each user's non-extractable AES-GCM key. This is its contract; the app imports
 * only from here. It knows nothing of React: wrap the calls in TanStack Query where needed.
 *
 * @example
 * import { listDatasets, loadDataset, LocalStoreError } from '../local-datasets/index.ts';
 * const [newest] = await listDatasets(user.id);
 * if (newest) await loadDataset(user.id, newest.id);
 */
export type {
  LoadedLocalDataset,
  LocalDatasetColumn,
  LocalDatasetMetadata,
  NewLocalDataset,
} from './local-dataset.ts';
export {
  deleteDataset,
  listDatasets,
  loadDataset,
  saveDataset,
  storageEstimate,
  wipeDatasets,
  type LocalStorageEstimate,
  type SaveDatasetOptions,
} from './local-dataset-store.ts';
export {
  LocalStoreError,
  type LocalStoreErrorCode,
  type LocalStoreErrorData,
} from './local-store-error.ts';

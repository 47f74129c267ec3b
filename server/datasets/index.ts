/**
 * Shared datasets: versioned tables in a project, uploaded as Arrow IPC or CSV, stored as
 * encrypted Arrow IPC streams and read back by whoever may read the project. See README.md.
 */
export {
  DatasetSchema,
  DatasetUnreadableError,
  DatasetVersionSchema,
  UnsupportedMediaTypeError,
  datasetRoutes,
  isDatasetUpload,
  type DatasetRoutesOptions,
} from './dataset-routes.ts';
export { datasetReverters } from './dataset-reverters.ts';

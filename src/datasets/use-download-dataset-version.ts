/** Mutation hook that downloads one version of a dataset as an Arrow IPC stream file. */
import { useMutation } from '@tanstack/react-query';
import { downloadDatasetVersion } from '../api/datasets-api.ts';
import { saveBlob } from './save-blob.ts';

/** A file name from the dataset's name: letters, digits, `-`, `_` and `.` only. */
export function versionFileName(datasetName: string, version: number): string {
  const base =
    datasetName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'dataset';
  return `${base}-v${String(version)}.arrows`;
}

/**
 * @example
 * const download = useDownloadDatasetVersion(dataset);
 * download.mutate(2);
 */
export function useDownloadDatasetVersion(dataset: { id: string; name: string }) {
  return useMutation({
    mutationFn: async (version: number) => {
      saveBlob(
        await downloadDatasetVersion(dataset.id, version),
        versionFileName(dataset.name, version),
      );
    },
  });
}

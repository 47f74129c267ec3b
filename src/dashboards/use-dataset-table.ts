/**
 * Query hook for a shared dataset version as a table in the engine worker: the version's Arrow
 * IPC is downloaded (the server checks the viewer's own `dataset.view`) and handed to the engine,
 * where every dashboard view over it filters and charts. Versions never change, so a version is
 * fetched and opened once per page; "latest" asks the dataset which version that is first.
 */
import { useQuery } from '@tanstack/react-query';
import { downloadDatasetVersion, fetchDataset } from '../api/datasets-api.ts';
import { engine } from '../engine/engine-client.ts';
import { UserFacingError } from '../errors/user-facing-error.ts';

/**
 * @example
 * const table = useDatasetTable(view.source.datasetId, view.source.version);
 */
export function useDatasetTable(datasetId: string, version: number | undefined) {
  return useQuery({
    queryKey: ['dataset-table', datasetId, version ?? 'latest'],
    queryFn: async () => {
      const dataset = await fetchDataset(datasetId);
      const number = version ?? dataset.latestVersion;
      if (number < 1) throw new UserFacingError(`“${dataset.name}” holds no data yet.`);
      const file = await downloadDatasetVersion(datasetId, number);
      const table = await engine().open(
        { kind: 'file', file, name: dataset.name },
        { jobId: crypto.randomUUID(), format: 'arrow' },
      );
      return { table, datasetName: dataset.name, version: number };
    },
    staleTime: Infinity,
    // The engine keeps the table for the page's life; the answer that names it stays as long.
    gcTime: Infinity,
    retry: false,
  });
}

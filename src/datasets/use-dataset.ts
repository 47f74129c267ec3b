/** Query hook for one shared dataset with its versions. */
import { useQuery } from '@tanstack/react-query';
import { fetchDataset } from '../api/datasets-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const dataset = useDataset(datasetId);
 * const latest = dataset.data?.versions.at(-1);
 */
export function useDataset(datasetId: string) {
  return useQuery({
    queryKey: queryKeys.datasets.one(datasetId),
    queryFn: () => fetchDataset(datasetId),
  });
}

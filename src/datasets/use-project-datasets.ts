/** Query hook for the shared datasets of a project the signed-in user may read. */
import { useQuery } from '@tanstack/react-query';
import { listProjectDatasets } from '../api/datasets-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const datasets = useProjectDatasets(projectId);
 */
export function useProjectDatasets(projectId: string) {
  return useQuery({
    queryKey: queryKeys.projects.datasets(projectId),
    queryFn: () => listProjectDatasets(projectId),
    select: (answer) => answer.datasets,
  });
}

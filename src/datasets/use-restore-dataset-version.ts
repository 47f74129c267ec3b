/**
 * Mutation hook that restores an earlier version of a dataset as its next version: nothing is
 * overwritten, the copy appears as the newest version (and can be reverted like any upload).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { restoreDatasetVersion } from '../api/datasets-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const restore = useRestoreDatasetVersion(projectId, datasetId);
 * restore.mutate(2); // version 2's content becomes version latest + 1
 */
export function useRestoreDatasetVersion(projectId: string, datasetId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (version: number) => restoreDatasetVersion(datasetId, version),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.datasets.one(datasetId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.projects.datasets(projectId) }),
      ]),
  });
}

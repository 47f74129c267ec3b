/** Mutation hook that deletes a shared dataset with every version. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteDataset } from '../api/datasets-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const remove = useDeleteDataset(projectId);
 * remove.mutate(datasetId);
 */
export function useDeleteDataset(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteDataset,
    onSuccess: (_nothing, datasetId) => {
      queryClient.removeQueries({ queryKey: queryKeys.datasets.one(datasetId) });
      return queryClient.invalidateQueries({ queryKey: queryKeys.projects.datasets(projectId) });
    },
  });
}

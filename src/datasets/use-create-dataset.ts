/** Mutation hook that creates an empty shared dataset in a project. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createDataset } from '../api/datasets-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const create = useCreateDataset(projectId);
 * create.mutate({ name: 'Assay results' });
 */
export function useCreateDataset(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description?: string }) => createDataset(projectId, input),
    onSuccess: (dataset) => {
      queryClient.setQueryData(queryKeys.datasets.one(dataset.id), dataset);
      return queryClient.invalidateQueries({ queryKey: queryKeys.projects.datasets(projectId) });
    },
  });
}

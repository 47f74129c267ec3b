/** Mutation hook that deletes a project with its dashboards and datasets. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteProject } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const remove = useDeleteProject(projectId);
 * remove.mutate(undefined, { onSuccess: () => navigate({ to: '/projects' }) });
 */
export function useDeleteProject(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => deleteProject(projectId),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: queryKeys.projects.one(projectId) });
      return queryClient.invalidateQueries({ queryKey: queryKeys.projects.all, exact: true });
    },
  });
}

/** Mutation hook that renames a project or changes its description. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { updateProject } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const update = useUpdateProject(projectId);
 * update.mutate({ name: 'Kinase screening 2' });
 */
export function useUpdateProject(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: { name?: string; description?: string }) =>
      updateProject(projectId, changes),
    onSuccess: (project) => {
      queryClient.setQueryData(queryKeys.projects.one(projectId), project);
      return queryClient.invalidateQueries({ queryKey: queryKeys.projects.all, exact: true });
    },
  });
}

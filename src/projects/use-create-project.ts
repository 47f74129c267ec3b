/** Mutation hook that creates a project (its creator becomes the owner). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createProject } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const create = useCreateProject();
 * create.mutate({ name }, { onSuccess: (project) => openProject(project.id) });
 */
export function useCreateProject() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createProject,
    onSuccess: (project) => {
      queryClient.setQueryData(queryKeys.projects.one(project.id), project);
      return queryClient.invalidateQueries({ queryKey: queryKeys.projects.all, exact: true });
    },
  });
}

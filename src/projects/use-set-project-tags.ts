/** Mutation hook that replaces a project's tags (Admins). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { setResourceTags } from '../api/access-api.ts';
import type { Project } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const setTags = useSetProjectTags(projectId);
 * setTags.mutate({ ...project.tags, sensitivity: 'restricted' });
 */
export function useSetProjectTags(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tags: Record<string, string>) => setResourceTags('project', projectId, tags),
    onSuccess: ({ tags }) => {
      queryClient.setQueryData<Project>(queryKeys.projects.one(projectId), (project) =>
        project ? { ...project, tags } : project,
      );
      return queryClient.invalidateQueries({ queryKey: queryKeys.projects.all, exact: true });
    },
  });
}

/** Query hook for one project, with the signed-in user's role and allowed actions on it. */
import { useQuery } from '@tanstack/react-query';
import { fetchProject } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const project = useProject(projectId);
 * const mayRename = project.data?.allowedActions.includes('project.update');
 */
export function useProject(projectId: string) {
  return useQuery({
    queryKey: queryKeys.projects.one(projectId),
    queryFn: () => fetchProject(projectId),
  });
}

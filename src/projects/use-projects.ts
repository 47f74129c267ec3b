/** Query hook for the projects the signed-in user may open. */
import { useQuery } from '@tanstack/react-query';
import { listProjects } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const projects = useProjects();
 * return projects.data?.map((project) => <li key={project.id}>{project.name}</li>);
 */
export function useProjects() {
  return useQuery({
    queryKey: queryKeys.projects.all,
    queryFn: listProjects,
    select: (answer) => answer.projects,
  });
}

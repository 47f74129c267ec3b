/** Query hook for the users and groups holding a role on a project. */
import { useQuery } from '@tanstack/react-query';
import { listProjectMembers } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const members = useProjectMembers(projectId);
 * const owners = members.data?.filter((member) => member.role === 'owner');
 */
export function useProjectMembers(projectId: string) {
  return useQuery({
    queryKey: queryKeys.projects.members(projectId),
    queryFn: () => listProjectMembers(projectId),
    select: (answer) => answer.members,
  });
}

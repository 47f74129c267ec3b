/**
 * Mutation hooks that change who holds which role on a project: grant or change a role, and
 * remove one. Either may change the signed-in user's own role (an owner making themself editor),
 * so the project and the list of projects are read again afterwards.
 */
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { removeProjectMember, setProjectMember, type ProjectRole } from '../api/projects-api.ts';
import { queryKeys } from '../app/query-keys.ts';
import type { PrincipalChoice } from '../principals/principal-select.tsx';

function refreshProject(queryClient: QueryClient, projectId: string) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.projects.one(projectId) }),
    queryClient.invalidateQueries({ queryKey: queryKeys.projects.all, exact: true }),
  ]);
}

/**
 * @example
 * const setRole = useSetProjectMember(projectId);
 * setRole.mutate({ principal: { type: 'user', id }, role: 'viewer' });
 */
export function useSetProjectMember(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (grant: { principal: PrincipalChoice; role: ProjectRole }) =>
      setProjectMember(projectId, grant),
    onSuccess: (answer) => {
      queryClient.setQueryData(queryKeys.projects.members(projectId), answer);
      return refreshProject(queryClient, projectId);
    },
  });
}

/**
 * @example
 * const remove = useRemoveProjectMember(projectId);
 * remove.mutate({ type: 'group', id });
 */
export function useRemoveProjectMember(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (principal: PrincipalChoice) => removeProjectMember(projectId, principal),
    onSuccess: () => refreshProject(queryClient, projectId),
  });
}

/**
 * What a change to groups makes stale: the groups themselves, and everything access depends on,
 * since a membership can give or take roles on projects and grants on connections (the signed-in
 * user's own included).
 */
import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * useMutation({ mutationFn: …, onSuccess: () => refreshAfterGroupChange(queryClient) });
 */
export function refreshAfterGroupChange(queryClient: QueryClient) {
  return Promise.all(
    [
      queryKeys.groups.all,
      queryKeys.projects.all,
      queryKeys.connections.all,
      queryKeys.currentUser,
    ].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
  );
}

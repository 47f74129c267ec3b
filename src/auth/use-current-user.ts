/**
 * Query hook for the signed-in user as the server sees them (`GET /api/v1/me`): name and system
 * role for the header. It changes only when an administrator edits the account, so one answer
 * serves for a while.
 */
import { useQuery } from '@tanstack/react-query';
import { fetchCurrentUser } from '../api/client.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const { data: user } = useCurrentUser();
 * return <span>{user?.displayName}</span>;
 */
export function useCurrentUser() {
  return useQuery({
    queryKey: queryKeys.currentUser,
    queryFn: fetchCurrentUser,
    staleTime: 5 * 60_000,
  });
}

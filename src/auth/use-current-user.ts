/**
 * Query hook for the signed-in user as the server sees them (`GET /api/v1/me`): name and system
 * role for the header. It changes only when an administrator edits the account, so one answer
 * serves for a while. While the server is out of reach the last answer kept for this session
 * stands in (see `last-known-user.ts`), so pages that work offline know whose data to show.
 */
import { useQuery } from '@tanstack/react-query';
import { ApiRequestError } from '../api/api-request-error.ts';
import { fetchCurrentUser, type CurrentUser } from '../api/client.ts';
import { queryKeys } from '../app/query-keys.ts';
import { lastKnownUser, rememberCurrentUser } from './last-known-user.ts';

async function currentUser(): Promise<CurrentUser> {
  try {
    const user = await fetchCurrentUser();
    await rememberCurrentUser(user).catch(() => undefined);
    return user;
  } catch (error) {
    if (error instanceof ApiRequestError && error.code === 'unreachable') {
      const known = await lastKnownUser().catch(() => undefined);
      if (known) return known;
    }
    throw error;
  }
}

/**
 * @example
 * const { data: user } = useCurrentUser();
 * return <span>{user?.displayName}</span>;
 */
export function useCurrentUser() {
  return useQuery({
    queryKey: queryKeys.currentUser,
    queryFn: currentUser,
    staleTime: 5 * 60_000,
    // Offline it still runs, to fall back on the last known answer.
    networkMode: 'always',
  });
}

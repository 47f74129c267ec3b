/**
 * Hook for naming the people in audit events: user id → username, from the accounts list the
 * caller may read. An id not in the list (or before it arrives) is shown short.
 */
import { useCallback } from 'react';
import { useUsers } from '../users/use-users.ts';
import { shortId } from './event-sentence.ts';

/**
 * @example
 * const nameOf = useUserNames();
 * nameOf(event.actorUserId); // "alice"
 */
export function useUserNames(): (userId: string) => string {
  const users = useUsers();
  const list = users.data;
  return useCallback(
    (userId: string) => list?.find((user) => user.id === userId)?.username ?? shortId(userId),
    [list],
  );
}

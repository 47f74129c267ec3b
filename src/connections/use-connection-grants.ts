/** Query hook for who may use or edit a connection. */
import { useQuery } from '@tanstack/react-query';
import { listConnectionGrants } from '../api/connections-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const grants = useConnectionGrants(connectionId);
 */
export function useConnectionGrants(connectionId: string) {
  return useQuery({
    queryKey: [...queryKeys.connections.one(connectionId), 'grants'],
    queryFn: () => listConnectionGrants(connectionId),
    select: (answer) => answer.grants,
  });
}

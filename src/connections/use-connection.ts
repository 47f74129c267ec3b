/** Query hook for one connection, without its password (which never leaves the server). */
import { useQuery } from '@tanstack/react-query';
import { fetchConnection } from '../api/connections-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const connection = useConnection(connectionId);
 * const mayEdit = connection.data?.allowedActions.includes('connection.update');
 */
export function useConnection(connectionId: string) {
  return useQuery({
    queryKey: queryKeys.connections.one(connectionId),
    queryFn: () => fetchConnection(connectionId),
  });
}

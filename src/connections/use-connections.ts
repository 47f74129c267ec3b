/** Query hook for the connections the signed-in user holds a grant on (Admins: all). */
import { useQuery } from '@tanstack/react-query';
import { listConnections } from '../api/connections-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const connections = useConnections();
 */
export function useConnections() {
  return useQuery({
    queryKey: queryKeys.connections.all,
    queryFn: listConnections,
    select: (answer) => answer.connections,
  });
}

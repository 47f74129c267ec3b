/** Mutation hook that creates a connection; its creator gets `edit` on it. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createConnection } from '../api/connections-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const create = useCreateConnection();
 * create.mutate({ name, kind: 'postgres', host, port, database, user, password, ssl });
 */
export function useCreateConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createConnection,
    onSuccess: (connection) => {
      queryClient.setQueryData(queryKeys.connections.one(connection.id), connection);
      return queryClient.invalidateQueries({ queryKey: queryKeys.connections.all, exact: true });
    },
  });
}

/**
 * Mutation hooks that change one connection: its settings (and password), its grants, or delete
 * it. A grant change can change the signed-in user's own permission, so the connection is read
 * again after one.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  deleteConnection,
  setConnectionGrant,
  updateConnection,
  type ConnectionChanges,
  type ConnectionPermission,
} from '../api/connections-api.ts';
import { queryKeys } from '../app/query-keys.ts';
import type { PrincipalChoice } from '../principals/principal-select.tsx';

/**
 * @example
 * const { update, setGrant, remove } = useConnectionChanges(connectionId);
 * setGrant.mutate({ principal: { type: 'group', id }, permission: 'use' });
 */
export function useConnectionChanges(connectionId: string) {
  const queryClient = useQueryClient();
  const refreshList = () =>
    queryClient.invalidateQueries({ queryKey: queryKeys.connections.all, exact: true });
  return {
    update: useMutation({
      mutationFn: (changes: ConnectionChanges) => updateConnection(connectionId, changes),
      onSuccess: (connection) => {
        queryClient.setQueryData(queryKeys.connections.one(connectionId), connection);
        return refreshList();
      },
    }),
    setGrant: useMutation({
      mutationFn: (grant: {
        principal: PrincipalChoice;
        permission: ConnectionPermission | null;
      }) => setConnectionGrant(connectionId, grant),
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: queryKeys.connections.one(connectionId) }),
          refreshList(),
        ]),
    }),
    remove: useMutation({
      mutationFn: () => deleteConnection(connectionId),
      onSuccess: () => {
        queryClient.removeQueries({ queryKey: queryKeys.connections.one(connectionId) });
        return refreshList();
      },
    }),
  };
}

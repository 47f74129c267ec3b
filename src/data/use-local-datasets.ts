/**
 * Query and mutation hooks for the datasets kept on this device (encrypted in IndexedDB, see
 * `src/local-datasets/`), for the signed-in user. Deleting one also closes it in the engine.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../app/query-keys.ts';
import { engine } from '../engine/engine-client.ts';
import { deleteDataset, listDatasets } from '../local-datasets/index.ts';
import { forgetOpenTable } from './open-tables.ts';

/**
 * @example
 * const kept = useLocalDatasets(user.id);
 */
export function useLocalDatasets(ownerId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.localDatasets(ownerId ?? ''),
    queryFn: () => listDatasets(ownerId ?? ''),
    enabled: ownerId !== undefined,
  });
}

/**
 * @example
 * const remove = useDeleteLocalDataset(user.id);
 * remove.mutate(dataset.id);
 */
export function useDeleteLocalDataset(ownerId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      await deleteDataset(ownerId, id);
      const open = forgetOpenTable(id);
      if (open) await engine().drop(open.table.tableId);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.localDatasets(ownerId) }),
  });
}

/** Query hook for one block of rows of an engine table or view, decoded for the grid. */
import { useQuery } from '@tanstack/react-query';
import { decodeArrow } from './decode-arrow.ts';
import { engine } from './engine-client.ts';
import { engineQueryKeys } from './engine-query-keys.ts';

/** Rows per request: a screenful many times over, still a small message. */
export const ROW_BLOCK = 256;

/**
 * @example
 * const block = useRowBlock(viewId, Math.floor(firstRow / ROW_BLOCK));
 */
export function useRowBlock(sourceId: string, block: number, enabled = true) {
  return useQuery({
    queryKey: engineQueryKeys.rows(sourceId, block),
    queryFn: async () => decodeArrow(await engine().rows(sourceId, block * ROW_BLOCK, ROW_BLOCK)),
    staleTime: Infinity,
    gcTime: 30_000,
    enabled,
  });
}

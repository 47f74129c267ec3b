/** Query hook for the summaries of every column of an engine table or view. */
import { useQuery } from '@tanstack/react-query';
import type { StatsOptions } from '../../workers/engine/protocol.ts';
import { engine } from './engine-client.ts';
import { engineQueryKeys } from './engine-query-keys.ts';

/**
 * @example
 * const stats = useColumnStats(viewId);
 */
export function useColumnStats(sourceId: string | undefined, options?: StatsOptions) {
  return useQuery({
    queryKey: engineQueryKeys.stats(sourceId ?? '', options),
    queryFn: () => engine().stats(sourceId ?? '', undefined, options),
    staleTime: Infinity,
    enabled: sourceId !== undefined,
  });
}

/** Query hook for the points of a chart, computed in the engine worker over a view. */
import { useQuery } from '@tanstack/react-query';
import type { ChartQuery } from '../../workers/engine/protocol.ts';
import { decodeArrow } from './decode-arrow.ts';
import { engine } from './engine-client.ts';
import { engineQueryKeys } from './engine-query-keys.ts';

/**
 * @example
 * const points = useChartData(viewId, { kind: 'histogram', x: 'dose_mg' });
 */
export function useChartData(sourceId: string | undefined, query: ChartQuery | null) {
  return useQuery({
    queryKey: engineQueryKeys.chart(sourceId ?? '', query ?? { kind: 'histogram', x: '' }),
    queryFn: async () => {
      if (!sourceId || !query) throw new Error('no chart asked for');
      return decodeArrow(await engine().chart(sourceId, query));
    },
    staleTime: Infinity,
    gcTime: 10_000,
    enabled: sourceId !== undefined && query !== null,
  });
}

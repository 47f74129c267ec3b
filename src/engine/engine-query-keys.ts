/**
 * Query keys of engine answers. Tables and views in the engine never change once made (a new
 * query makes a new view), so answers are cached by id and never go stale.
 */
import type { ChartQuery, StatsOptions } from '../../workers/engine/protocol.ts';

export const engineQueryKeys = {
  all: ['engine'] as const,
  source: (sourceId: string) => ['engine', sourceId] as const,
  rows: (sourceId: string, block: number, columns?: readonly string[]) =>
    ['engine', sourceId, 'rows', block, columns ?? null] as const,
  stats: (sourceId: string, options?: StatsOptions) =>
    ['engine', sourceId, 'stats', options ?? null] as const,
  chart: (sourceId: string, query: ChartQuery) => ['engine', sourceId, 'chart', query] as const,
};

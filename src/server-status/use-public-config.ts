/**
 * Query hook for the server's public configuration (version, public URL, issuer). It rarely
 * changes, so one answer serves every page for a while.
 */
import { useQuery } from '@tanstack/react-query';
import { fetchPublicConfig } from '../api/client.ts';

/**
 * @example
 * const { data: config } = usePublicConfig();
 * return <span>{config?.version}</span>;
 */
export function usePublicConfig() {
  return useQuery({
    queryKey: ['public-config'],
    queryFn: fetchPublicConfig,
    staleTime: 5 * 60_000,
  });
}

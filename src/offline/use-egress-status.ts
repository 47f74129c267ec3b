/** Query hook for the allow-list the controlling service worker enforces. */
import { useQuery } from '@tanstack/react-query';
import { requestEgressStatus } from './register-service-worker.ts';

/**
 * @example
 * const egress = useEgressStatus(status.kind === 'registered' && status.controlling);
 */
export function useEgressStatus(controlling: boolean) {
  return useQuery({
    queryKey: ['egress-status'],
    queryFn: requestEgressStatus,
    enabled: controlling,
    // The worker is local: it answers offline too.
    networkMode: 'always',
    staleTime: 30_000,
    retry: 1,
  });
}

/** Query hook for the server's health, polled while a page that shows it is open. */
import { useQuery } from '@tanstack/react-query';
import { fetchHealth } from '../api/client.ts';

/**
 * @example
 * const health = useServerHealth();
 * if (health.isError) return <p>{health.error.message}</p>;
 */
export function useServerHealth() {
  return useQuery({
    queryKey: ['server-health'],
    queryFn: fetchHealth,
    refetchInterval: 30_000,
    retry: false,
  });
}

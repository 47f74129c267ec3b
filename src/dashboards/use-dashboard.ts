/** Query hook for one dashboard with its spec. */
import { useQuery } from '@tanstack/react-query';
import { fetchDashboard } from '../api/dashboards-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const dashboard = useDashboard(dashboardId);
 * return <h1>{dashboard.data?.title}</h1>;
 */
export function useDashboard(dashboardId: string) {
  return useQuery({
    queryKey: queryKeys.dashboards.one(dashboardId),
    queryFn: () => fetchDashboard(dashboardId),
  });
}

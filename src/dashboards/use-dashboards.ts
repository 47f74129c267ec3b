/** Query hook for every dashboard the signed-in user may open, across their projects. */
import { useQuery } from '@tanstack/react-query';
import { listDashboards } from '../api/dashboards-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const dashboards = useDashboards();
 */
export function useDashboards() {
  return useQuery({
    queryKey: queryKeys.dashboards.all,
    queryFn: listDashboards,
    select: (answer) => answer.dashboards,
  });
}

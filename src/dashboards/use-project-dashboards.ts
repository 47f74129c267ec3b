/**
 * Query hook for the dashboards of a project the signed-in user may open; it waits (asks
 * nothing) while no project is chosen.
 */
import { useQuery } from '@tanstack/react-query';
import { listProjectDashboards } from '../api/dashboards-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const dashboards = useProjectDashboards(projectId);
 */
export function useProjectDashboards(projectId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.projects.dashboards(projectId ?? ''),
    queryFn: () => listProjectDashboards(projectId ?? ''),
    select: (answer) => answer.dashboards,
    enabled: Boolean(projectId),
  });
}

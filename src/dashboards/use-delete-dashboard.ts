/** Mutation hook that deletes a dashboard of a project. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteDashboard } from '../api/dashboards-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const remove = useDeleteDashboard(projectId);
 * remove.mutate(dashboardId);
 */
export function useDeleteDashboard(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteDashboard,
    onSuccess: (_nothing, dashboardId) => {
      queryClient.removeQueries({ queryKey: queryKeys.dashboards.one(dashboardId) });
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.projects.dashboards(projectId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.dashboards.all, exact: true }),
      ]);
    },
  });
}

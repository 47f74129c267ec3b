/** Mutation hook that creates a dashboard in a project, with a title and no views yet. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createDashboard } from '../api/dashboards-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const create = useCreateDashboard(projectId);
 * create.mutate('Dose response');
 */
export function useCreateDashboard(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (title: string) => createDashboard(projectId, title),
    onSuccess: (dashboard) => {
      queryClient.setQueryData(queryKeys.dashboards.one(dashboard.id), dashboard);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.projects.dashboards(projectId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.dashboards.all, exact: true }),
      ]);
    },
  });
}

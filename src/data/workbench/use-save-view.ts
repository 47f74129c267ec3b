/**
 * Mutation hook that saves what the workbench shows into a dashboard of a project. A dashboard
 * reads its data from the project, so the dataset is shared first: a new project dataset with the
 * current table as its first version (Arrow IPC, encrypted at rest on the server). This is the one
 * place the Data pages send data to the server, and only on this explicit request.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ChartQuery, ColumnSchema } from '../../../workers/engine/protocol.ts';
import { addDashboardView } from '../../api/dashboards-api.ts';
import { createDataset, uploadDatasetVersion } from '../../api/datasets-api.ts';
import { queryKeys } from '../../app/query-keys.ts';
import { engine } from '../../engine/engine-client.ts';
import { dashboardView } from './dashboard-view.ts';
import type { FilterSummary } from './filter-builder.tsx';

export interface SaveViewInput {
  readonly projectId: string;
  readonly dashboardId: string;
  readonly title: string;
  readonly datasetName: string;
  /** The engine table whose rows are shared (all of them; the filter travels in the view). */
  readonly tableId: string;
  readonly columns: readonly ColumnSchema[];
  readonly chart: ChartQuery | null;
  readonly filter: FilterSummary | null;
}

/**
 * @example
 * const save = useSaveView();
 * save.mutate({ projectId, dashboardId, title, datasetName, tableId, columns, chart, filter });
 */
export function useSaveView(onUploadProgress?: (sent: number, total: number) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: SaveViewInput) => {
      // Checked before anything is shared: a filter the dashboard cannot keep stops here.
      dashboardView({ ...input, datasetId: 'check', version: 1, takenIds: [] });
      const { ipc } = await engine().exportArrow(input.tableId);
      const dataset = await createDataset(input.projectId, { name: input.datasetName });
      const version = await uploadDatasetVersion(
        dataset.id,
        new Blob([ipc as Uint8Array<ArrayBuffer>]),
        'application/vnd.apache.arrow.stream',
        ({ sent, total }) => onUploadProgress?.(sent, total),
      );
      return addDashboardView(input.dashboardId, (takenIds) =>
        dashboardView({ ...input, datasetId: dataset.id, version: version.number, takenIds }),
      );
    },
    onSuccess: (_dashboard, input) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.dashboards.one(input.dashboardId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.projects.datasets(input.projectId) }),
      ]),
  });
}

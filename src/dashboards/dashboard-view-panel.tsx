/**
 * One view of a dashboard, drawn in this browser: the dataset version it reads is opened in the
 * engine worker, its filters make a view of it and its chart (or table) is computed there, as in
 * the workbench. A view whose data the viewer may not read, or that no longer fits its data,
 * says so in place; the other views still draw. Views that query a connection name their source.
 */
import type { DashboardView } from '../api/dashboards-api.ts';
import { chartFigure } from '../charts/chart-figure.ts';
import { UplotChart } from '../charts/uplot-chart.tsx';
import { DataGrid } from '../data/grid/data-grid.tsx';
import { useChartData } from '../engine/use-chart-data.ts';
import { useEngineView } from '../engine/use-engine-view.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { LoadingState } from '../ui/loading-state.tsx';
import type { TableInfo } from '../../workers/engine/protocol.ts';
import { useDatasetTable } from './use-dataset-table.ts';
import { viewKindLabels } from './view-kind-labels.ts';
import { viewRequest } from './view-request.ts';

type DatasetView = DashboardView & { source: { type: 'dataset' } };

function isDatasetView(view: DashboardView): view is DatasetView {
  return view.source.type === 'dataset';
}

function DrawnView({ view, table }: { view: DashboardView; table: TableInfo }) {
  const request = viewRequest(view, table.columns);
  const filtered = useEngineView(
    table.tableId,
    table.rowCount,
    request.ok && request.filter ? { filter: request.filter } : {},
  );
  const chart = request.ok ? request.chart : null;
  const points = useChartData(filtered.view?.viewId, chart);
  if (!request.ok) return <p className="note note-error">{request.problem}</p>;
  if (filtered.error !== undefined) {
    return <ErrorPanel error={filtered.error} title="The view could not be computed" />;
  }
  if (!filtered.view) return <LoadingState label="Computing the view…" />;
  const rows = `${filtered.view.rowCount.toLocaleString()} of ${table.rowCount.toLocaleString()} rows`;
  if (!chart) {
    return (
      <>
        <p className="note">{rows}</p>
        <DataGrid
          sourceId={filtered.view.viewId}
          rowCount={filtered.view.rowCount}
          columns={table.columns}
          sort={[]}
          label={view.title}
        />
      </>
    );
  }
  if (points.isError)
    return <ErrorPanel error={points.error} title="The chart could not be drawn" />;
  if (!points.data) return <LoadingState label="Computing the chart…" />;
  const typeOf = (name: string) => table.columns.find((column) => column.name === name)?.type;
  return (
    <>
      <p className="note">{rows}</p>
      <UplotChart figure={chartFigure(chart, points.data, typeOf)} label={view.title} />
    </>
  );
}

function DatasetViewBody({ view }: { view: DatasetView }) {
  const opened = useDatasetTable(view.source.datasetId, view.source.version);
  if (opened.isPending) return <LoadingState label="Fetching and opening the data…" />;
  if (opened.isError) {
    return <ErrorPanel error={opened.error} title="The data of this view could not be opened" />;
  }
  return (
    <>
      <p className="item-meta">
        From “{opened.data.datasetName}”, version {opened.data.version}
      </p>
      <DrawnView view={view} table={opened.data.table} />
    </>
  );
}

export function DashboardViewPanel({ view }: { view: DashboardView }) {
  const { source } = view;
  return (
    <section className="panel panel-wide dashboard-view" aria-label={view.title}>
      <h3 className="panel-title">
        {view.title} <span className="badge badge-neutral">{viewKindLabels[view.kind]}</span>
      </h3>
      {source.type === 'connection' ? (
        <p className="item-meta">
          Query through connection <span className="mono">{source.connectionId}</span>
        </p>
      ) : (
        isDatasetView(view) && <DatasetViewBody view={view} />
      )}
    </section>
  );
}

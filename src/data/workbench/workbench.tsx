/**
 * The workbench over one engine table: the grid with its column summaries, the filter, sort and
 * group controls, a chart of the current rows, saving the view to a dashboard and running a
 * plugin on the rows on screen. Rows can be selected by their numbers (click, shift-click for a
 * range); plugins allowed to read the selection get it. Every answer is computed in the engine
 * worker; this component keeps only the choices and the ids of the views they made.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import type {
  ChartQuery,
  GroupBySpec,
  LogicalType,
  Predicate,
  SortKey,
  TableInfo,
} from '../../../workers/engine/protocol.ts';
import { engine } from '../../engine/engine-client.ts';
import { useColumnStats } from '../../engine/use-column-stats.ts';
import { useEngineView } from '../../engine/use-engine-view.ts';
import { ErrorPanel } from '../../errors/error-panel.tsx';
import { RunPluginDialog } from '../../plugins/index.ts';
import type { RunningPlugin } from '../../plugins/index.ts';
import { DataGrid } from '../grid/data-grid.tsx';
import { nextSelection, type RowSelection, type SelectionState } from './row-selection.ts';
import { ChartBuilder } from './chart-builder.tsx';
import { FilterBuilder, type FilterSummary } from './filter-builder.tsx';
import { GroupBuilder } from './group-builder.tsx';
import { SaveViewPanel } from './save-view-panel.tsx';

export type { RowSelection } from './row-selection.ts';

interface WorkbenchProps {
  readonly table: TableInfo;
  /** Offered when the table was read from delimited text still in hand. */
  readonly onRetype?: (column: string, type: LogicalType) => void;
  readonly retyping?: boolean;
  /** Offers "Run plugin"; called with the plugin once it is launched. */
  readonly onPluginLaunched?: (running: RunningPlugin) => void;
  /** The rows selected in the view the grid shows (positions in that view). */
  readonly onSelectionChange?: (selection: RowSelection) => void;
}

/** The grouped table for a view, dropped from the engine when the grouping changes. */
function useGrouped(viewId: string | undefined, spec: GroupBySpec | null) {
  const grouped = useQuery({
    queryKey: ['engine', viewId ?? '', 'group', spec],
    queryFn: () => engine().groupBy(viewId ?? '', spec as GroupBySpec),
    enabled: viewId !== undefined && spec !== null,
    staleTime: Infinity,
    gcTime: 0,
  });
  const groupedId = grouped.data?.tableId;
  useEffect(
    () => () => {
      if (groupedId) void engine().drop(groupedId);
    },
    [groupedId],
  );
  return grouped;
}

export function Workbench({
  table,
  onRetype,
  retyping = false,
  onPluginLaunched,
  onSelectionChange,
}: WorkbenchProps) {
  const [sort, setSort] = useState<SortKey[]>([]);
  const [filter, setFilter] = useState<Predicate | undefined>(undefined);
  const [filterSummary, setFilterSummary] = useState<FilterSummary | null>(null);
  const [groupSpec, setGroupSpec] = useState<GroupBySpec | null>(null);
  const [chart, setChart] = useState<ChartQuery | null>(null);
  const onChartChange = useCallback((query: ChartQuery | null) => setChart(query), []);

  const { view, pending, error } = useEngineView(table.tableId, table.rowCount, {
    ...(filter ? { filter } : {}),
    ...(sort.length > 0 ? { sort } : {}),
  });
  const grouped = useGrouped(view?.viewId, groupSpec);
  const shownGrouped = groupSpec !== null ? grouped.data : undefined;
  const shownId = shownGrouped?.tableId ?? view?.viewId;
  const stats = useColumnStats(shownId);
  const report = table.report;
  const [selection, setSelection] = useState<SelectionState>({
    viewId: '',
    rows: [],
    anchor: null,
  });
  const viewId = view?.viewId;
  const selectedRows = selection.viewId === viewId ? selection.rows : [];
  const selectedSet = new Set(selectedRows);
  useEffect(() => {
    if (viewId) onSelectionChange?.({ viewId, rows: selectedRows });
    // Only when the rows or the view change, not on every render's new array.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [viewId, selection]);

  return (
    <div className="workbench">
      <p className="workbench-counts" role="status" data-testid="row-count">
        {table.rowCount.toLocaleString()} rows, {table.columns.length} columns
        {view && filter && ` · ${view.rowCount.toLocaleString()} match the filter`}
        {shownGrouped && ` · ${shownGrouped.rowCount.toLocaleString()} groups`}
        {(pending || grouped.isFetching || retyping) && ' · working…'}
      </p>
      {report && report.warningCount > 0 && (
        <details className="panel panel-wide load-warnings">
          <summary>
            {report.warningCount.toLocaleString()} {report.warningCount === 1 ? 'thing' : 'things'}{' '}
            to know about how the file was read
          </summary>
          <ul>
            {report.warnings.map((warning, index) => (
              <li key={index}>
                {warning.line !== undefined && `Line ${warning.line.toLocaleString()}: `}
                {warning.message}
              </li>
            ))}
          </ul>
          {report.warningCount > report.warnings.length && (
            <p className="note">Only the first {report.warnings.length} are listed.</p>
          )}
        </details>
      )}
      <div className="workbench-controls">
        <FilterBuilder
          columns={table.columns}
          busy={pending}
          onApply={(predicate, summary) => {
            setFilter(predicate);
            setFilterSummary(summary.conditions.length > 0 ? summary : null);
          }}
        />
        <GroupBuilder
          columns={table.columns}
          grouped={groupSpec !== null}
          busy={grouped.isFetching}
          onGroup={setGroupSpec}
        />
        {onPluginLaunched && view && (
          <RunPluginDialog
            table={table}
            viewId={view.viewId}
            viewRowCount={view.rowCount}
            onLaunched={onPluginLaunched}
          />
        )}
      </div>
      {onSelectionChange && !shownGrouped && selectedRows.length > 0 && (
        <p className="note" data-testid="selected-rows">
          {selectedRows.length.toLocaleString()} {selectedRows.length === 1 ? 'row' : 'rows'}{' '}
          selected (shift-click a row's number to select a range, click it again to clear).
        </p>
      )}
      {error !== undefined && <ErrorPanel error={error} title="The rows could not be computed" />}
      {grouped.isError && (
        <ErrorPanel error={grouped.error} title="The rows could not be grouped" />
      )}
      {stats.isError && (
        <ErrorPanel error={stats.error} title="The column summaries could not be computed" />
      )}
      {shownGrouped ? (
        <DataGrid
          key={shownGrouped.tableId}
          sourceId={shownGrouped.tableId}
          rowCount={shownGrouped.rowCount}
          columns={shownGrouped.columns}
          {...(stats.data ? { stats: stats.data } : {})}
          sort={[]}
          label={`${table.name}, grouped`}
        />
      ) : (
        view && (
          <DataGrid
            sourceId={view.viewId}
            rowCount={view.rowCount}
            columns={table.columns}
            {...(stats.data ? { stats: stats.data } : {})}
            sort={sort}
            onSortChange={setSort}
            {...(onRetype ? { onRetype } : {})}
            label={table.name}
            {...(onSelectionChange
              ? {
                  selectedRows: selectedSet,
                  onRowClick: (row: number, extend: boolean) =>
                    setSelection((current) => nextSelection(current, view.viewId, row, extend)),
                }
              : {})}
          />
        )
      )}
      {view && (
        <ChartBuilder
          sourceId={view.viewId}
          columns={table.columns}
          onChartChange={onChartChange}
        />
      )}
      <SaveViewPanel
        tableId={table.tableId}
        datasetName={table.name}
        columns={table.columns}
        chart={chart}
        filter={filterSummary}
      />
    </div>
  );
}

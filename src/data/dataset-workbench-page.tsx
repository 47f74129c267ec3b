/**
 * One dataset in the workbench (`/data/$datasetId`). The id is that of a dataset kept on this
 * device, or, when it could not be kept, the engine's id of a table this page opened. A kept
 * dataset this page has not opened yet (after a reload, or offline) is decrypted and handed to
 * the engine as Arrow IPC. Changing a column's type re-reads the source file with that type, so
 * it is offered while the file is in hand, for the formats whose types are inferred from text
 * (CSV, TSV, JSON lines); Arrow and Parquet files carry their types.
 *
 * Plugins run from here, below the workbench, and outlive a switch of the table shown: a
 * plugin's result columns make a new table (the rows plus the labelled columns) that the
 * workbench switches to, and a result table is offered beside the dataset's own. These tables
 * live in the engine for as long as the page; they are not kept on this device.
 */
import { useNavigate } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import type { FileFormat, LogicalType, TableInfo } from '../../workers/engine/protocol.ts';
import { queryKeys } from '../app/query-keys.ts';
import { useCurrentUser } from '../auth/use-current-user.ts';
import { engine } from '../engine/engine-client.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { deleteDataset, loadDataset } from '../local-datasets/index.ts';
import { PluginPanel, usePlugins, type RunningPlugin } from '../plugins/index.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { formatLabels } from './data-page.tsx';
import { keepOnDevice } from './keep-on-device.ts';
import { forgetOpenTable, openTable, rememberOpenTable, type OpenTable } from './open-tables.ts';
import { Workbench, type RowSelection } from './workbench/workbench.tsx';

/** The formats whose reader honours `columnTypes`. */
const RETYPABLE_FORMATS: ReadonlySet<FileFormat> = new Set(['csv', 'tsv', 'jsonl']);

async function reopen(ownerId: string, datasetId: string): Promise<OpenTable> {
  const known = openTable(datasetId);
  if (known) return known;
  const { metadata, ipc } = await loadDataset(ownerId, datasetId);
  const bytes =
    ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength
      ? (ipc.buffer as ArrayBuffer)
      : (ipc.slice().buffer as ArrayBuffer);
  const opened = await engine().open(
    { kind: 'bytes', bytes, name: metadata.name },
    { jobId: crypto.randomUUID(), format: 'arrow' },
  );
  const entry: OpenTable = { table: { ...opened, name: metadata.name }, format: metadata.format };
  rememberOpenTable(datasetId, entry);
  return entry;
}

function useRetype(ownerId: string, datasetId: string, entry: OpenTable | undefined) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ column, type }: { column: string; type: LogicalType }) => {
      if (!entry?.file) throw new Error('The source file is no longer in hand.');
      const columnTypes = { ...entry.columnTypes, [column]: type };
      const table = await engine().open(
        { kind: 'file', file: entry.file, name: entry.file.name },
        { jobId: crypto.randomUUID(), format: entry.format, columnTypes },
      );
      const nextId = await keepOnDevice({
        ownerId,
        table,
        format: entry.format,
        file: entry.file,
        columnTypes,
      });
      forgetOpenTable(datasetId);
      await engine().drop(entry.table.tableId);
      if (!entry.notKept) await deleteDataset(ownerId, datasetId);
      return nextId;
    },
    onSuccess: async (nextId) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.localDatasets(ownerId) });
      await navigate({ to: '/data/$datasetId', params: { datasetId: nextId }, replace: true });
    },
  });
}

/** How a table a plugin made is named in the switcher. */
function madeTableLabel(table: TableInfo, pluginName: (id: string) => string): string {
  if (table.source) return `${table.name} (made by ${pluginName(table.source.plugin)})`;
  const plugins = [
    ...new Set(
      table.columns.flatMap((column) => (column.source ? [pluginName(column.source.plugin)] : [])),
    ),
  ];
  return `${table.name} with results of ${plugins.join(', ')}`;
}

function TableSwitcher({
  tables,
  shownId,
  onShow,
}: {
  tables: readonly { id: string; label: string }[];
  shownId: string;
  onShow: (id: string) => void;
}) {
  return (
    <nav className="table-switcher" aria-label="Tables">
      {tables.map((table) => (
        <button
          key={table.id}
          type="button"
          className={
            table.id === shownId ? 'button button-small' : 'button button-small button-secondary'
          }
          aria-pressed={table.id === shownId}
          onClick={() => onShow(table.id)}
        >
          {table.label}
        </button>
      ))}
    </nav>
  );
}

function usePluginRuns() {
  const [shownId, setShownId] = useState<string | null>(null);
  const [madeTables, setMadeTables] = useState<TableInfo[]>([]);
  const [running, setRunning] = useState<RunningPlugin[]>([]);
  const [selection, setSelection] = useState<RowSelection | null>(null);
  const onColumnsAdded = useCallback((table: TableInfo) => {
    setMadeTables((tables) => [...tables, table]);
    setShownId(table.tableId);
  }, []);
  const onTableMade = useCallback((table: TableInfo) => {
    setMadeTables((tables) => [...tables, table]);
  }, []);
  const onLaunched = useCallback((plugin: RunningPlugin) => {
    setRunning((plugins) => [...plugins, plugin]);
  }, []);
  const close = useCallback((plugin: RunningPlugin) => {
    setRunning((plugins) => plugins.filter((other) => other !== plugin));
    void engine().drop(plugin.sourceId);
  }, []);
  return {
    shownId,
    setShownId,
    madeTables,
    running,
    selection,
    setSelection,
    onColumnsAdded,
    onTableMade,
    onLaunched,
    close,
  };
}

function OpenDataset({ ownerId, datasetId }: { ownerId: string; datasetId: string }) {
  const opened = useQuery({
    queryKey: [...queryKeys.localDatasets(ownerId), datasetId, 'open'],
    queryFn: () => reopen(ownerId, datasetId),
    staleTime: Infinity,
    retry: false,
  });
  const entry = opened.data;
  useDocumentTitle(entry?.table.name ?? 'Dataset');
  const retype = useRetype(ownerId, datasetId, entry);
  const runs = usePluginRuns();
  const plugins = usePlugins();
  const shown =
    runs.madeTables.find((table) => table.tableId === runs.shownId) ?? entry?.table ?? null;
  const showingOwn = shown !== null && shown === entry?.table;
  const retypable = showingOwn && entry?.file && RETYPABLE_FORMATS.has(entry.format);
  return (
    <article className="page page-wide" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          {entry?.table.name ?? 'Dataset'}
        </h1>
        {entry && (
          <p className="page-lead">
            From {formatLabels[entry.format]}
            {entry.table.report && entry.table.report.format === entry.format
              ? `, read in ${Math.round(entry.table.report.elapsedMs).toLocaleString()} ms`
              : ''}
            . Everything here is computed on this device.
          </p>
        )}
      </header>
      {opened.isPending && <LoadingState label="Decrypting and opening the dataset…" />}
      {opened.isError && (
        <ErrorPanel error={opened.error} title="The dataset could not be opened" />
      )}
      {entry?.notKept !== undefined && (
        <ErrorPanel
          error={entry.notKept}
          title="This dataset is open, but it could not be kept on this device"
        />
      )}
      {retype.isError && <ErrorPanel error={retype.error} title="The type was not changed" />}
      {entry && runs.madeTables.length > 0 && (
        <TableSwitcher
          tables={[
            { id: entry.table.tableId, label: entry.table.name },
            ...runs.madeTables.map((table) => ({
              id: table.tableId,
              label: madeTableLabel(
                table,
                (id) => plugins.data?.find((plugin) => plugin.id === id)?.name ?? id,
              ),
            })),
          ]}
          shownId={shown?.tableId ?? entry.table.tableId}
          onShow={runs.setShownId}
        />
      )}
      {shown && (
        <Workbench
          key={shown.tableId}
          table={shown}
          retyping={retype.isPending}
          {...(retypable
            ? { onRetype: (column: string, type: LogicalType) => retype.mutate({ column, type }) }
            : {})}
          onPluginLaunched={runs.onLaunched}
          onSelectionChange={runs.setSelection}
        />
      )}
      {runs.running.map((plugin) => (
        <PluginPanel
          key={plugin.launch.instanceId}
          userId={ownerId}
          running={plugin}
          selection={
            runs.selection && runs.selection.viewId === plugin.shownViewId
              ? runs.selection.rows
              : null
          }
          onColumnsAdded={runs.onColumnsAdded}
          onTableMade={runs.onTableMade}
          onClose={() => runs.close(plugin)}
        />
      ))}
    </article>
  );
}

export function DatasetWorkbenchPage({ datasetId }: { datasetId: string }) {
  const user = useCurrentUser();
  if (user.isError)
    return <ErrorPanel error={user.error} title="Your account could not be loaded" />;
  if (!user.data) return <LoadingState label="Loading…" />;
  return <OpenDataset ownerId={user.data.id} datasetId={datasetId} />;
}

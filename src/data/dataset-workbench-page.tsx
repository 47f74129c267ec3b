/**
 * One dataset in the workbench (`/data/$datasetId`). The id is that of a dataset kept on this
 * device, or, when it could not be kept, the engine's id of a table this page opened. A kept
 * dataset this page has not opened yet (after a reload, or offline) is decrypted and handed to
 * the engine as Arrow IPC. Changing a column's type re-reads the source file with that type, so
 * it is offered while the file is in hand, for the formats whose types are inferred from text
 * (CSV, TSV, JSON lines); Arrow and Parquet files carry their types.
 */
import { useNavigate } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FileFormat, LogicalType } from '../../workers/engine/protocol.ts';
import { queryKeys } from '../app/query-keys.ts';
import { useCurrentUser } from '../auth/use-current-user.ts';
import { engine } from '../engine/engine-client.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { deleteDataset, loadDataset } from '../local-datasets/index.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { formatLabels } from './data-page.tsx';
import { keepOnDevice } from './keep-on-device.ts';
import { forgetOpenTable, openTable, rememberOpenTable, type OpenTable } from './open-tables.ts';
import { Workbench } from './workbench/workbench.tsx';

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
  const retypable = entry?.file && RETYPABLE_FORMATS.has(entry.format);
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
      {entry && (
        <Workbench
          key={entry.table.tableId}
          table={entry.table}
          retyping={retype.isPending}
          {...(retypable
            ? { onRetype: (column: string, type: LogicalType) => retype.mutate({ column, type }) }
            : {})}
        />
      )}
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

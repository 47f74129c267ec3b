/**
 * The Data page: open a file (drop it or choose it) and see the datasets kept on this device.
 * The page hands the worker the file handle only: reading, parsing and computing happen in the
 * engine worker, and nothing of the file is sent to the server. While a file loads, a progress
 * bar tells how far it is and "Cancel" stops it; a malformed file says where its first problem is.
 */
import { Link, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type DragEvent } from 'react';
import type { FileFormat } from '../../workers/engine/protocol.ts';
import { queryKeys } from '../app/query-keys.ts';
import { useCurrentUser } from '../auth/use-current-user.ts';
import { useOpenFile } from '../engine/use-open-file.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import type { LocalDatasetMetadata } from '../local-datasets/index.ts';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatByteSize } from '../ui/format-byte-size.ts';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { keepOnDevice } from './keep-on-device.ts';
import { useDeleteLocalDataset, useLocalDatasets } from './use-local-datasets.ts';

const ACCEPTED = '.csv,.tsv,.tab,.txt,.arrow,.arrows,.ipc,.feather,.parquet,.jsonl,.ndjson';

export const formatLabels: Record<FileFormat, string> = {
  csv: 'CSV',
  tsv: 'TSV',
  arrow: 'Arrow IPC',
  parquet: 'Parquet',
  jsonl: 'JSON lines',
};

function OpenFilePanel({ ownerId }: { ownerId: string }) {
  const { state, open, cancel } = useOpenFile();
  const [keeping, setKeeping] = useState<{ done: number; total: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const inputId = useId();
  const busy = state.status === 'loading' || keeping !== null;

  const openFile = async (file: File) => {
    const table = await open({ kind: 'file', file, name: file.name });
    if (!table?.report) return;
    setKeeping({ done: 0, total: 1 });
    const datasetId = await keepOnDevice({
      ownerId,
      table,
      format: table.report.format,
      file,
      onProgress: (done, total) => setKeeping({ done, total }),
    });
    setKeeping(null);
    await queryClient.invalidateQueries({ queryKey: queryKeys.localDatasets(ownerId) });
    await navigate({ to: '/data/$datasetId', params: { datasetId } });
  };

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && !busy) void openFile(file);
  };

  const progress = state.status === 'loading' ? state.progress : null;
  return (
    <section className="panel panel-wide" aria-labelledby="open-title">
      <h2 id="open-title" className="panel-title">
        Open a file
      </h2>
      <div
        className={dragging ? 'drop-zone drop-zone-active' : 'drop-zone'}
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop a CSV, TSV, Arrow IPC, Parquet or JSON-lines file here, or</p>
        <label htmlFor={inputId} className="button">
          Choose a file
        </label>
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          accept={ACCEPTED}
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void openFile(file);
          }}
        />
        <p className="note">
          The file is read on this device, in a background worker. Nothing of it is sent to the
          server.
        </p>
      </div>
      {state.status === 'loading' && (
        <div className="load-progress" role="status" aria-live="polite">
          <label>
            {progress?.phase === 'building' ? 'Building the table of' : 'Reading'} {state.name}
            {progress &&
              `: ${formatByteSize(progress.bytesRead)} of ${formatByteSize(progress.totalBytes)}` +
                (progress.rows > 0 ? `, ${progress.rows.toLocaleString()} rows` : '')}
            <progress
              max={progress?.totalBytes || 1}
              value={progress ? progress.bytesRead : undefined}
            />
          </label>
          <button type="button" className="button button-secondary" onClick={cancel}>
            Cancel
          </button>
        </div>
      )}
      {keeping && (
        <div className="load-progress" role="status" aria-live="polite">
          <label>
            Encrypting it and keeping it on this device
            <progress max={keeping.total} value={keeping.done} />
          </label>
        </div>
      )}
      {state.status === 'cancelled' && <p className="note">Opening the file was cancelled.</p>}
      {state.status === 'failed' && (
        <ErrorPanel error={state.error} title="The file could not be opened" />
      )}
    </section>
  );
}

function KeptDatasetRow({ ownerId, dataset }: { ownerId: string; dataset: LocalDatasetMetadata }) {
  const remove = useDeleteLocalDataset(ownerId);
  return (
    <tr>
      <td>
        <Link to="/data/$datasetId" params={{ datasetId: dataset.id }}>
          {dataset.name}
        </Link>
      </td>
      <td>{formatLabels[dataset.format]}</td>
      <td>{dataset.rows.toLocaleString()}</td>
      <td>{dataset.columns.length}</td>
      <td>{formatByteSize(dataset.byteSize)}</td>
      <td>{formatDateTime(dataset.lastOpenedAt)}</td>
      <td className="cell-actions">
        <ConfirmButton
          label="Delete"
          subject={dataset.name}
          question={`Delete “${dataset.name}” from this device?`}
          confirmLabel="Yes, delete it"
          pending={remove.isPending}
          onConfirm={() => remove.mutate(dataset.id)}
        />
        {remove.isError && <ErrorPanel error={remove.error} title="It was not deleted" />}
      </td>
    </tr>
  );
}

function KeptDatasetsPanel({ ownerId }: { ownerId: string }) {
  const kept = useLocalDatasets(ownerId);
  return (
    <section className="panel panel-wide" aria-labelledby="kept-title">
      <h2 id="kept-title" className="panel-title">
        On this device
      </h2>
      <p className="note">
        Datasets you opened are kept in this browser, encrypted with a key that cannot leave it.
        Signing out offers to delete them.
      </p>
      {kept.isPending && <LoadingState label="Looking for datasets on this device…" />}
      {kept.isError && (
        <ErrorPanel error={kept.error} title="The datasets on this device could not be listed" />
      )}
      {kept.isSuccess && kept.data.length === 0 && (
        <p className="empty">No datasets are kept on this device yet.</p>
      )}
      {kept.isSuccess && kept.data.length > 0 && (
        <div className="table-scroll">
          <table className="table" aria-label="Datasets on this device">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">From</th>
                <th scope="col">Rows</th>
                <th scope="col">Columns</th>
                <th scope="col">Size</th>
                <th scope="col">Last opened</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {kept.data.map((dataset) => (
                <KeptDatasetRow key={dataset.id} ownerId={ownerId} dataset={dataset} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function DataPage() {
  useDocumentTitle('Data');
  const user = useCurrentUser();
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Data
        </h1>
        <p className="page-lead">
          Open and explore datasets in your browser: filter, sort, group and chart them in
          background workers on this device.
        </p>
      </header>
      {user.isPending && <LoadingState label="Loading…" />}
      {user.isError && <ErrorPanel error={user.error} title="Your account could not be loaded" />}
      {user.data && (
        <>
          <OpenFilePanel ownerId={user.data.id} />
          <KeptDatasetsPanel ownerId={user.data.id} />
        </>
      )}
    </article>
  );
}

/**
 * One shared dataset: its versions (each immutable, downloadable as an Arrow IPC stream), the
 * upload of a new version and the restoring of an earlier one as a new version for editors and
 * owners, and deleting it for owners.
 */
import { useNavigate } from '@tanstack/react-router';
import type { Dataset, DatasetVersion } from '../api/datasets-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { ProjectBreadcrumb } from '../projects/project-breadcrumb.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatByteSize } from '../ui/format-byte-size.ts';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { UploadVersionForm } from './upload-version-form.tsx';
import { useDataset } from './use-dataset.ts';
import { useDeleteDataset } from './use-delete-dataset.ts';
import { useDownloadDatasetVersion } from './use-download-dataset-version.ts';
import { useRestoreDatasetVersion } from './use-restore-dataset-version.ts';

const formatLabels: Record<DatasetVersion['sourceFormat'], string> = {
  csv: 'CSV',
  arrow: 'Arrow',
};

const NAMED_COLUMNS = 4;

/** The first few column names, and how many more there are. */
function columnSummary(columns: DatasetVersion['columns']): string {
  const named = columns.slice(0, NAMED_COLUMNS).map((column) => column.name);
  const more = columns.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${String(more)} more` : named.join(', ');
}

function VersionTable({ dataset, mayRestore }: { dataset: Dataset; mayRestore: boolean }) {
  const download = useDownloadDatasetVersion(dataset);
  const restore = useRestoreDatasetVersion(dataset.projectId, dataset.id);
  if (dataset.versions.length === 0) {
    return <p className="empty">No versions yet.</p>;
  }
  const newestFirst = [...dataset.versions].reverse();
  return (
    <>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Uploaded</th>
              <th scope="col">By</th>
              <th scope="col">From</th>
              <th scope="col">Rows</th>
              <th scope="col">Columns</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((version) => (
              <tr key={version.number}>
                <td>{version.number}</td>
                <td>{formatDateTime(version.createdAt)}</td>
                <td>{version.createdBy?.name ?? 'Removed user'}</td>
                <td>{formatLabels[version.sourceFormat]}</td>
                <td>{version.rowCount.toLocaleString()}</td>
                <td className="cell-text">{columnSummary(version.columns)}</td>
                <td>{formatByteSize(version.byteSize)}</td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="button button-small button-secondary"
                    disabled={download.isPending}
                    onClick={() => download.mutate(version.number)}
                  >
                    Download<span className="visually-hidden"> version {version.number}</span>
                  </button>
                  {mayRestore && version.number !== dataset.latestVersion && (
                    <ConfirmButton
                      label="Restore as new version"
                      subject={`from version ${String(version.number)}`}
                      question={`Copy version ${String(version.number)} as version ${String(dataset.latestVersion + 1)}? No version is changed.`}
                      confirmLabel="Yes, restore it"
                      tone="neutral"
                      pending={restore.isPending}
                      onConfirm={() => restore.mutate(version.number)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {download.isError && (
        <ErrorPanel error={download.error} title="The version could not be downloaded" />
      )}
      {restore.isError && <ErrorPanel error={restore.error} title="The version was not restored" />}
      {restore.isSuccess && (
        <p className="note" role="status">
          Version {restore.variables} was restored as version {restore.data.number}.
        </p>
      )}
    </>
  );
}

function DeleteDataset({ dataset }: { dataset: Dataset }) {
  const remove = useDeleteDataset(dataset.projectId);
  const navigate = useNavigate();
  return (
    <section className="panel panel-wide" aria-labelledby="delete-dataset-title">
      <h2 id="delete-dataset-title" className="panel-title">
        Delete
      </h2>
      <p className="note">Deleting the dataset removes every version, for every member.</p>
      <ConfirmButton
        label="Delete dataset"
        subject={dataset.name}
        question={`Delete “${dataset.name}” with every version?`}
        confirmLabel="Yes, delete it"
        pending={remove.isPending}
        onConfirm={() =>
          remove.mutate(dataset.id, {
            onSuccess: () =>
              void navigate({
                to: '/projects/$projectId',
                params: { projectId: dataset.projectId },
              }),
          })
        }
      />
      {remove.isError && <ErrorPanel error={remove.error} title="The dataset was not deleted" />}
    </section>
  );
}

export function DatasetPage({ projectId, datasetId }: { projectId: string; datasetId: string }) {
  const dataset = useDataset(datasetId);
  useDocumentTitle(dataset.data?.name ?? 'Dataset');
  const may = (action: string) => dataset.data?.allowedActions.includes(action) ?? false;
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <ProjectBreadcrumb projectId={projectId} />
        <h1 id="page-title" tabIndex={-1}>
          {dataset.data?.name ?? 'Dataset'}
        </h1>
        {dataset.data?.description && <p className="page-lead">{dataset.data.description}</p>}
      </header>
      {dataset.isPending && <LoadingState label="Loading the dataset…" />}
      {dataset.isError && (
        <ErrorPanel
          error={dataset.error}
          title="The dataset could not be loaded"
          onRetry={() => void dataset.refetch()}
        />
      )}
      {dataset.isSuccess && (
        <>
          {may('dataset.upload') && (
            <section className="panel panel-wide" aria-labelledby="upload-title">
              <h2 id="upload-title" className="panel-title">
                Upload a new version
              </h2>
              <p className="note">
                The file is checked, stored as an Arrow IPC stream and encrypted on the server.
                Earlier versions stay as they are.
              </p>
              <UploadVersionForm projectId={projectId} datasetId={datasetId} />
            </section>
          )}
          <section className="panel panel-wide" aria-labelledby="versions-title">
            <h2 id="versions-title" className="panel-title">
              Versions
            </h2>
            <VersionTable dataset={dataset.data} mayRestore={may('dataset.upload')} />
          </section>
          {may('dataset.delete') && <DeleteDataset dataset={dataset.data} />}
        </>
      )}
    </article>
  );
}

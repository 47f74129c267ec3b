/**
 * A project's shared datasets: open one, create one (editors and owners), delete one (owners).
 * Versions are uploaded and downloaded on the dataset's own page.
 */
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { useCreateDataset } from './use-create-dataset.ts';
import { useDeleteDataset } from './use-delete-dataset.ts';
import { useProjectDatasets } from './use-project-datasets.ts';

function CreateDatasetForm({ projectId }: { projectId: string }) {
  const create = useCreateDataset(projectId);
  const [name, setName] = useState('');
  const nameId = useId();
  return (
    <form
      className="inline-form"
      aria-label="Create a dataset"
      onSubmit={(event) => {
        event.preventDefault();
        const submitted = name;
        create.mutate(
          { name: name.trim() },
          // Keeps whatever was typed meanwhile.
          { onSuccess: () => setName((current) => (current === submitted ? '' : current)) },
        );
      }}
    >
      <div className="field field-grow">
        <label htmlFor={nameId}>New dataset name</label>
        <input
          id={nameId}
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={200}
        />
      </div>
      <button type="submit" className="button" disabled={create.isPending || !name.trim()}>
        {create.isPending ? 'Creating…' : 'Create dataset'}
      </button>
      {create.isError && (
        <ErrorPanel error={create.error} title="The dataset could not be created" />
      )}
    </form>
  );
}

export function ProjectDatasetsSection({
  projectId,
  mayCreate,
}: {
  projectId: string;
  mayCreate: boolean;
}) {
  const datasets = useProjectDatasets(projectId);
  const remove = useDeleteDataset(projectId);
  return (
    <section className="panel panel-wide" aria-labelledby="datasets-title">
      <h2 id="datasets-title" className="panel-title">
        Shared datasets
      </h2>
      {datasets.isPending && <LoadingState label="Loading datasets…" />}
      {datasets.isError && (
        <ErrorPanel
          error={datasets.error}
          title="The datasets could not be loaded"
          onRetry={() => void datasets.refetch()}
        />
      )}
      {datasets.isSuccess && datasets.data.length === 0 && (
        <p className="empty">No shared datasets in this project yet.</p>
      )}
      {datasets.isSuccess && datasets.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Latest version</th>
              <th scope="col">Last changed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {datasets.data.map((dataset) => (
              <tr key={dataset.id}>
                <td>
                  <Link
                    to="/projects/$projectId/datasets/$datasetId"
                    params={{ projectId, datasetId: dataset.id }}
                  >
                    {dataset.name}
                  </Link>
                </td>
                <td>{dataset.latestVersion === 0 ? 'None yet' : dataset.latestVersion}</td>
                <td>{formatDateTime(dataset.updatedAt)}</td>
                <td className="cell-actions">
                  {dataset.allowedActions.includes('dataset.delete') && (
                    <ConfirmButton
                      label="Delete"
                      subject={dataset.name}
                      question={`Delete “${dataset.name}” with every version?`}
                      confirmLabel="Delete dataset"
                      pending={remove.isPending}
                      onConfirm={() => remove.mutate(dataset.id)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {remove.isError && <ErrorPanel error={remove.error} title="The dataset was not deleted" />}
      {mayCreate && <CreateDatasetForm projectId={projectId} />}
    </section>
  );
}

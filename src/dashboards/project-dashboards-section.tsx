/**
 * A project's dashboards: open one, create one with a title (editors and owners), delete one
 * (owners). What each user may do with each dashboard comes with it from the server.
 */
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { useCreateDashboard } from './use-create-dashboard.ts';
import { useDeleteDashboard } from './use-delete-dashboard.ts';
import { useProjectDashboards } from './use-project-dashboards.ts';

function CreateDashboardForm({ projectId }: { projectId: string }) {
  const create = useCreateDashboard(projectId);
  const [title, setTitle] = useState('');
  const titleId = useId();
  return (
    <form
      className="inline-form"
      aria-label="Create a dashboard"
      onSubmit={(event) => {
        event.preventDefault();
        const submitted = title;
        create.mutate(title.trim(), {
          // Keeps whatever was typed meanwhile.
          onSuccess: () => setTitle((current) => (current === submitted ? '' : current)),
        });
      }}
    >
      <div className="field field-grow">
        <label htmlFor={titleId}>New dashboard title</label>
        <input
          id={titleId}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          required
          maxLength={200}
        />
      </div>
      <button type="submit" className="button" disabled={create.isPending || !title.trim()}>
        {create.isPending ? 'Creating…' : 'Create dashboard'}
      </button>
      {create.isError && (
        <ErrorPanel error={create.error} title="The dashboard could not be created" />
      )}
    </form>
  );
}

export function ProjectDashboardsSection({
  projectId,
  mayCreate,
}: {
  projectId: string;
  mayCreate: boolean;
}) {
  const dashboards = useProjectDashboards(projectId);
  const remove = useDeleteDashboard(projectId);
  return (
    <section className="panel panel-wide" aria-labelledby="dashboards-title">
      <h2 id="dashboards-title" className="panel-title">
        Dashboards
      </h2>
      {dashboards.isPending && <LoadingState label="Loading dashboards…" />}
      {dashboards.isError && (
        <ErrorPanel
          error={dashboards.error}
          title="The dashboards could not be loaded"
          onRetry={() => void dashboards.refetch()}
        />
      )}
      {dashboards.isSuccess && dashboards.data.length === 0 && (
        <p className="empty">No dashboards in this project yet.</p>
      )}
      {dashboards.isSuccess && dashboards.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Views</th>
              <th scope="col">Last changed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {dashboards.data.map((dashboard) => (
              <tr key={dashboard.id}>
                <td>
                  <Link
                    to="/projects/$projectId/dashboards/$dashboardId"
                    params={{ projectId, dashboardId: dashboard.id }}
                  >
                    {dashboard.title}
                  </Link>
                </td>
                <td>{dashboard.viewCount}</td>
                <td>{formatDateTime(dashboard.updatedAt)}</td>
                <td className="cell-actions">
                  {dashboard.allowedActions.includes('dashboard.delete') && (
                    <ConfirmButton
                      label="Delete"
                      subject={dashboard.title}
                      question={`Delete “${dashboard.title}”?`}
                      confirmLabel="Delete dashboard"
                      pending={remove.isPending}
                      onConfirm={() => remove.mutate(dashboard.id)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {remove.isError && <ErrorPanel error={remove.error} title="The dashboard was not deleted" />}
      {mayCreate && <CreateDashboardForm projectId={projectId} />}
    </section>
  );
}

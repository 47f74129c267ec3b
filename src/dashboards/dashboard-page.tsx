/**
 * One dashboard: its title and its views, each drawn in this browser from the data it reads (see
 * `dashboard-view-panel.tsx`). Owners may delete it here.
 */
import { useNavigate } from '@tanstack/react-router';
import type { Dashboard } from '../api/dashboards-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { ProjectBreadcrumb } from '../projects/project-breadcrumb.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { useDashboard } from './use-dashboard.ts';
import { useDeleteDashboard } from './use-delete-dashboard.ts';
import { DashboardViewPanel } from './dashboard-view-panel.tsx';

function ViewList({ views }: { views: Dashboard['spec']['views'] }) {
  if (views.length === 0) {
    return <p className="empty">This dashboard has no views yet.</p>;
  }
  return (
    <div className="dashboard-views">
      {views.map((view) => (
        <DashboardViewPanel key={view.id} view={view} />
      ))}
    </div>
  );
}

function DeleteDashboard({ dashboard }: { dashboard: Dashboard }) {
  const remove = useDeleteDashboard(dashboard.projectId);
  const navigate = useNavigate();
  return (
    <section className="panel panel-wide" aria-labelledby="delete-dashboard-title">
      <h2 id="delete-dashboard-title" className="panel-title">
        Delete
      </h2>
      <p className="note">Deleting the dashboard removes it for every member of the project.</p>
      <ConfirmButton
        label="Delete dashboard"
        subject={dashboard.title}
        question={`Delete “${dashboard.title}”?`}
        confirmLabel="Yes, delete it"
        pending={remove.isPending}
        onConfirm={() =>
          remove.mutate(dashboard.id, {
            onSuccess: () =>
              void navigate({
                to: '/projects/$projectId',
                params: { projectId: dashboard.projectId },
              }),
          })
        }
      />
      {remove.isError && <ErrorPanel error={remove.error} title="The dashboard was not deleted" />}
    </section>
  );
}

export function DashboardPage({
  projectId,
  dashboardId,
}: {
  projectId: string;
  dashboardId: string;
}) {
  const dashboard = useDashboard(dashboardId);
  useDocumentTitle(dashboard.data?.title ?? 'Dashboard');
  return (
    <article className="page page-wide" aria-labelledby="page-title">
      <header className="page-header">
        <ProjectBreadcrumb projectId={projectId} />
        <h1 id="page-title" tabIndex={-1}>
          {dashboard.data?.title ?? 'Dashboard'}
        </h1>
        {dashboard.data && (
          <p className="page-lead">Last changed {formatDateTime(dashboard.data.updatedAt)}.</p>
        )}
      </header>
      {dashboard.isPending && <LoadingState label="Loading the dashboard…" />}
      {dashboard.isError && (
        <ErrorPanel
          error={dashboard.error}
          title="The dashboard could not be loaded"
          onRetry={() => void dashboard.refetch()}
        />
      )}
      {dashboard.isSuccess && (
        <>
          <section aria-labelledby="views-title">
            <h2 id="views-title" className="section-title">
              Views
            </h2>
            <ViewList views={dashboard.data.spec.views} />
          </section>
          {dashboard.data.allowedActions.includes('dashboard.delete') && (
            <DeleteDashboard dashboard={dashboard.data} />
          )}
        </>
      )}
    </article>
  );
}

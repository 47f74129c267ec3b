/**
 * The Dashboards page: every dashboard the signed-in user may open, in all their projects. A
 * dashboard is made and deleted on its project's page, where its members and roles are.
 */
import { Link } from '@tanstack/react-router';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { useDashboards } from './use-dashboards.ts';

function DashboardTable() {
  const dashboards = useDashboards();
  if (dashboards.isPending) return <LoadingState label="Loading dashboards…" />;
  if (dashboards.isError) {
    return (
      <ErrorPanel
        error={dashboards.error}
        title="The dashboards could not be loaded"
        onRetry={() => void dashboards.refetch()}
      />
    );
  }
  if (dashboards.data.length === 0) {
    return (
      <p className="empty">
        No dashboards you may open yet. Dashboards are created on a project’s page, in{' '}
        <Link to="/projects">Projects</Link>.
      </p>
    );
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Project</th>
          <th scope="col">Views</th>
          <th scope="col">Last changed</th>
        </tr>
      </thead>
      <tbody>
        {dashboards.data.map((dashboard) => (
          <tr key={dashboard.id}>
            <td>
              <Link
                to="/projects/$projectId/dashboards/$dashboardId"
                params={{ projectId: dashboard.projectId, dashboardId: dashboard.id }}
              >
                {dashboard.title}
              </Link>
            </td>
            <td>
              <Link to="/projects/$projectId" params={{ projectId: dashboard.projectId }}>
                {dashboard.projectName}
              </Link>
            </td>
            <td>{dashboard.viewCount}</td>
            <td>{formatDateTime(dashboard.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DashboardListPage() {
  useDocumentTitle('Dashboards');
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Dashboards
        </h1>
        <p className="page-lead">
          Views of shared datasets and connections, kept in projects: whoever may open a project may
          open its dashboards. Opening one never grants the connection behind it.
        </p>
      </header>
      <section aria-labelledby="dashboard-list-title">
        <h2 id="dashboard-list-title" className="section-title">
          Your dashboards
        </h2>
        <DashboardTable />
      </section>
    </article>
  );
}

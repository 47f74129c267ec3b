/**
 * The dashboard routes: all the caller's dashboards (`/dashboards`), a project's
 * (`/projects/{id}/dashboards`) and each one
 * (`/dashboards/{id}`). A dashboard is a title plus a spec of views; it inherits its project's
 * grants, and carries the actions the caller may take on it.
 */
import { api, call } from './client.ts';

/**
 * Every dashboard the caller may open, in all their projects, without their specs
 * (`GET /dashboards`).
 *
 * @example
 * const { dashboards } = await listDashboards();
 */
export async function listDashboards() {
  const response = await call(() => api.dashboards.$get());
  return response.json();
}

/**
 * The dashboards of a project, without their specs (`GET /projects/{id}/dashboards`).
 *
 * @example
 * const { dashboards } = await listProjectDashboards(projectId);
 */
export async function listProjectDashboards(projectId: string) {
  const response = await call(() =>
    api.projects[':id'].dashboards.$get({ param: { id: projectId } }),
  );
  return response.json();
}

/**
 * Creates a dashboard with a title and no views yet (`POST /projects/{id}/dashboards`).
 *
 * @example
 * const dashboard = await createDashboard(projectId, 'Dose response');
 */
export async function createDashboard(projectId: string, title: string) {
  const response = await call(() =>
    api.projects[':id'].dashboards.$post({
      param: { id: projectId },
      json: { title, spec: { version: 1, views: [] } },
    }),
  );
  return response.json();
}

/**
 * One dashboard with its spec (`GET /dashboards/{id}`).
 *
 * @example
 * const { title, spec } = await fetchDashboard(id);
 */
export async function fetchDashboard(id: string) {
  const response = await call(() => api.dashboards[':id'].$get({ param: { id } }));
  return response.json();
}

export type Dashboard = Awaited<ReturnType<typeof fetchDashboard>>;
export type DashboardView = Dashboard['spec']['views'][number];

/**
 * Deletes a dashboard (`DELETE /dashboards/{id}`).
 *
 * @example
 * await deleteDashboard(id);
 */
export async function deleteDashboard(id: string): Promise<void> {
  await call(() => api.dashboards[':id'].$delete({ param: { id } }));
}

/**
 * Adds a view to a dashboard (`PATCH /dashboards/{id}` with `If-Match`), so a change someone
 * made in between is not overwritten: that answers 409 and nothing is saved.
 *
 * @example
 * await addDashboardView(dashboardId, (taken) => dashboardView({ ...options, takenIds: taken }));
 */
export async function addDashboardView(
  id: string,
  makeView: (takenIds: readonly string[]) => DashboardView,
) {
  const current = await call(() => api.dashboards[':id'].$get({ param: { id } }));
  const etag = current.headers.get('etag');
  const dashboard = await current.json();
  const view = makeView(dashboard.spec.views.map((existing) => existing.id));
  const response = await call(() =>
    api.dashboards[':id'].$patch({
      param: { id },
      header: etag ? { 'if-match': etag } : {},
      json: { spec: { version: 1, views: [...dashboard.spec.views, view] } },
    }),
  );
  return response.json();
}

/**
 * Dashboards: a title and a validated spec of views over datasets and connections, living in a
 * project and inheriting its grants. A view's source is a reference only; opening a dashboard
 * grants nothing on what it references. See README.md.
 */
export { DashboardSchema, SpecTooLargeError, dashboardRoutes } from './dashboard-routes.ts';
export { dashboardReverters } from './dashboard-reverters.ts';
export {
  DASHBOARD_MAX_VIEWS,
  DASHBOARD_SPEC_MAX_BYTES,
  DashboardSpecSchema,
  ViewSchema,
  type DashboardSpec,
  type DashboardView,
} from './dashboard-spec.ts';

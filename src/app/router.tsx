/**
 * The app's routes, defined in code: the overview, projects (with their dashboards and
 * datasets), groups, connections, the access explainer, the plugins, the audit trail, the admin
 * page, a placeholder page per area still to come, a not-found page, and the two pages of the
 * sign-in flow that the issuer sends people back to. Every page but those two is behind the sign-in gate (see `AuthRoot`). A
 * page that throws shows the route error view inside the layout.
 *
 * Pages take their path parameters as props; only this file reads them from the router.
 */
import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { AccessExplainerPage } from '../access/access-explainer-page.tsx';
import { explainerSearch } from '../access/explainer-search.ts';
import { AdminPage } from '../admin/admin-page.tsx';
import { AuditPage } from '../audit/index.ts';
import { AuthRoot } from '../auth/auth-root.tsx';
import { SIGNED_OUT_PATH, SIGN_IN_CALLBACK_PATH } from '../auth/oidc-client.ts';
import { SignInCallbackPage } from '../auth/sign-in-callback-page.tsx';
import { SignedOutPage } from '../auth/signed-out-page.tsx';
import { ConnectionListPage } from '../connections/connection-list-page.tsx';
import { DashboardListPage } from '../dashboards/dashboard-list-page.tsx';
import { DataPage } from '../data/data-page.tsx';
import { DatasetWorkbenchPage } from '../data/dataset-workbench-page.tsx';
import { ConnectionPage } from '../connections/connection-page.tsx';
import { DashboardPage } from '../dashboards/dashboard-page.tsx';
import { DatasetPage } from '../datasets/dataset-page.tsx';
import { NotFoundPage } from '../errors/not-found-page.tsx';
import { RouteError } from '../errors/route-error.tsx';
import { GroupListPage } from '../groups/group-list-page.tsx';
import { GroupPage } from '../groups/group-page.tsx';
import { HomePage } from '../home/home-page.tsx';
import { AppLayout } from '../layout/app-layout.tsx';
import { PluginsPage } from '../plugins/index.ts';
import { ProjectListPage } from '../projects/project-list-page.tsx';
import { ProjectPage } from '../projects/project-page.tsx';

const rootRoute = createRootRoute({
  component: function Root() {
    return (
      <AuthRoot>
        <AppLayout />
      </AuthRoot>
    );
  },
  notFoundComponent: NotFoundPage,
});

const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: HomePage });

const dataRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/data',
  component: DataPage,
});

const dataWorkbenchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/data/$datasetId',
  component: function DataWorkbenchRoute() {
    const { datasetId } = dataWorkbenchRoute.useParams();
    return <DatasetWorkbenchPage key={datasetId} datasetId={datasetId} />;
  },
});

const dashboardListRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards',
  component: DashboardListPage,
});

const projectListRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects',
  component: ProjectListPage,
});

const projectRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects/$projectId',
  component: function ProjectRoute() {
    const { projectId } = projectRoute.useParams();
    return <ProjectPage key={projectId} projectId={projectId} />;
  },
});

const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects/$projectId/dashboards/$dashboardId',
  component: function DashboardRoute() {
    const { projectId, dashboardId } = dashboardRoute.useParams();
    return <DashboardPage key={dashboardId} projectId={projectId} dashboardId={dashboardId} />;
  },
});

const datasetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects/$projectId/datasets/$datasetId',
  component: function DatasetRoute() {
    const { projectId, datasetId } = datasetRoute.useParams();
    return <DatasetPage key={datasetId} projectId={projectId} datasetId={datasetId} />;
  },
});

const groupListRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/groups',
  component: GroupListPage,
});

const groupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/groups/$groupId',
  component: function GroupRoute() {
    const { groupId } = groupRoute.useParams();
    return <GroupPage key={groupId} groupId={groupId} />;
  },
});

const connectionListRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/connections',
  component: ConnectionListPage,
});

const connectionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/connections/$connectionId',
  component: function ConnectionRoute() {
    const { connectionId } = connectionRoute.useParams();
    return <ConnectionPage key={connectionId} connectionId={connectionId} />;
  },
});

const accessRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/access',
  validateSearch: explainerSearch,
  component: function AccessRoute() {
    return <AccessExplainerPage initial={accessRoute.useSearch()} />;
  },
});

const pluginsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/plugins',
  component: PluginsPage,
});

const auditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/audit',
  component: AuditPage,
});

const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin',
  component: AdminPage,
});

const signInCallbackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SIGN_IN_CALLBACK_PATH,
  component: SignInCallbackPage,
  staticData: { signInFlow: true },
});

const signedOutRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: SIGNED_OUT_PATH,
  component: SignedOutPage,
  staticData: { signInFlow: true },
});

export const router = createRouter({
  routeTree: rootRoute.addChildren([
    homeRoute,
    dataRoute,
    dataWorkbenchRoute,
    dashboardListRoute,
    projectListRoute,
    projectRoute,
    dashboardRoute,
    datasetRoute,
    groupListRoute,
    groupRoute,
    connectionListRoute,
    connectionRoute,
    accessRoute,
    pluginsRoute,
    auditRoute,
    adminRoute,
    signInCallbackRoute,
    signedOutRoute,
  ]),
  defaultErrorComponent: RouteError,
  defaultNotFoundComponent: NotFoundPage,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

/**
 * The app's routes, defined in code: the overview, one page per area, and a not-found page. A
 * page that throws shows the route error view inside the layout.
 */
import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { AreaPage } from '../areas/area-page.tsx';
import { areas } from '../areas/areas.ts';
import { NotFoundPage } from '../errors/not-found-page.tsx';
import { RouteError } from '../errors/route-error.tsx';
import { HomePage } from '../home/home-page.tsx';
import { AppLayout } from '../layout/app-layout.tsx';

const rootRoute = createRootRoute({ component: AppLayout, notFoundComponent: NotFoundPage });

const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: HomePage });

const areaRoutes = areas.map((area) =>
  createRoute({
    getParentRoute: () => rootRoute,
    path: area.path,
    component: function AreaRoute() {
      return <AreaPage area={area} />;
    },
  }),
);

export const router = createRouter({
  routeTree: rootRoute.addChildren([homeRoute, ...areaRoutes]),
  defaultErrorComponent: RouteError,
  defaultNotFoundComponent: NotFoundPage,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

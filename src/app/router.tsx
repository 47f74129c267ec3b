/**
 * The app's routes, defined in code: the overview, one page per area, a not-found page, and the
 * two pages of the sign-in flow that the issuer sends people back to. Every page but those two is
 * behind the sign-in gate (see `AuthRoot`). A page that throws shows the route error view inside
 * the layout.
 */
import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { AreaPage } from '../areas/area-page.tsx';
import { areas } from '../areas/areas.ts';
import { AuthRoot } from '../auth/auth-root.tsx';
import { SIGNED_OUT_PATH, SIGN_IN_CALLBACK_PATH } from '../auth/oidc-client.ts';
import { SignInCallbackPage } from '../auth/sign-in-callback-page.tsx';
import { SignedOutPage } from '../auth/signed-out-page.tsx';
import { NotFoundPage } from '../errors/not-found-page.tsx';
import { RouteError } from '../errors/route-error.tsx';
import { HomePage } from '../home/home-page.tsx';
import { AppLayout } from '../layout/app-layout.tsx';

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

const areaRoutes = areas.map((area) =>
  createRoute({
    getParentRoute: () => rootRoute,
    path: area.path,
    component: function AreaRoute() {
      return <AreaPage area={area} />;
    },
  }),
);

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
  routeTree: rootRoute.addChildren([homeRoute, ...areaRoutes, signInCallbackRoute, signedOutRoute]),
  defaultErrorComponent: RouteError,
  defaultNotFoundComponent: NotFoundPage,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

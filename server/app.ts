/**
 * The composition root of the HTTP server: middleware in the order every request meets it, then
 * the routes. Features plug their routes in here; nothing else wires them.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './app-env.ts';
import { accessReverters, accessRoutes } from './authz/index.ts';
import { auditRoutes, revertRoutes, type AuditTrail } from './audit/index.ts';
import { clientAddress } from './client-address/index.ts';
import { dashboardReverters, dashboardRoutes } from './dashboards/index.ts';
import { datasetReverters, datasetRoutes, isDatasetUpload } from './datasets/index.ts';
import type { Config } from './config/index.ts';
import {
  PayloadTooLargeError,
  createErrorHandler,
  validationHook,
  notFoundHandler,
} from './errors/index.ts';
import { groupReverters, groupRoutes } from './groups/index.ts';
import { healthRoutes } from './health/index.ts';
import { meRoutes, type Identity } from './identity/index.ts';
import type { Keyring } from './keyring/index.ts';
import type { Logger } from './logging/index.ts';
import { metaRoutes, type PublicConfig } from './meta/index.ts';
import { projectReverters, projectRoutes } from './projects/index.ts';
import { connectionReverters, connectionRoutes } from './connections/index.ts';
import { originGuard } from './origin-guard/index.ts';
import {
  createPluginRegistry,
  isPluginUpload,
  pluginReverters,
  pluginRoutes,
  type PluginRegistry,
} from './plugins/index.ts';
import { securityHeaders } from './security-headers/index.ts';
import { staticSite } from './static/index.ts';
import type { Store } from './store/index.ts';
import { userReverters, userRoutes } from './users/index.ts';

export interface AppDependencies {
  config: Config;
  store: Store;
  audit: AuditTrail;
  logger: Logger;
  identity: Identity;
  keyring: Keyring;
  version: string;
  /**
   * The plugins the API offers; the process shares it with the plugin site. Left out, the app
   * makes its own over `config.pluginsDir` (the registry holds no state of its own beyond the
   * bundled plugins it reads from there, so two over the same folder and store agree).
   */
  plugins?: PluginRegistry | undefined;
}

export type { AppEnv };
export { validationHook };

/** The versioned JSON API; its routes' types give the SPA its typed client. */
function createApi(deps: AppDependencies, registry: PluginRegistry) {
  const publicConfig: PublicConfig = {
    version: deps.version,
    publicUrl: deps.config.publicUrl,
    oidcIssuer: deps.config.oidcIssuer,
    allowedOrigins: [...new Set([new URL(deps.config.oidcIssuer).origin])].filter(
      (origin) => origin !== new URL(deps.config.publicUrl).origin,
    ),
    auth: deps.identity.publicAuth,
  };
  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  api.use('*', deps.identity.authenticate);
  api.openAPIRegistry.registerComponent('securitySchemes', 'DPoP', {
    type: 'http',
    scheme: 'DPoP',
    description: 'A DPoP-bound access token (RFC 9449) with a `DPoP` proof header per request.',
  });
  const routes = api
    .route('/', metaRoutes(publicConfig))
    .route('/', meRoutes())
    .route('/', groupRoutes())
    .route('/', userRoutes())
    .route('/', projectRoutes())
    .route('/', dashboardRoutes())
    .route('/', datasetRoutes({ maxUploadBytes: deps.config.maxUploadBytes }))
    .route(
      '/',
      connectionRoutes({
        statementTimeoutMs: deps.config.connectionStatementTimeoutMs,
        rowLimit: deps.config.connectionRowLimit,
        allowedHosts: deps.config.connectionAllowedHosts,
      }),
    )
    .route('/', accessRoutes())
    .route('/', auditRoutes())
    .route(
      '/',
      revertRoutes({
        reverters: [
          ...projectReverters,
          ...dashboardReverters,
          ...datasetReverters,
          ...connectionReverters,
          ...groupReverters,
          ...userReverters,
          ...accessReverters,
          ...pluginReverters,
        ],
      }),
    )
    .route(
      '/',
      pluginRoutes({
        registry,
        pluginOrigin: deps.config.pluginOrigin,
        maxUploadBytes: deps.config.maxUploadBytes,
      }),
    );
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Enclave API', version: deps.version },
    servers: [{ url: `${deps.config.publicUrl}/api/v1` }],
  });
  return routes;
}

export type ApiType = ReturnType<typeof createApi>;

/**
 * Builds the application for the given dependencies.
 *
 * @example
 * const app = createApp({ config, store, audit, logger, version: '0.1.0' });
 * serve({ fetch: app.fetch, port: config.port });
 */
export function createApp(deps: AppDependencies) {
  const { config, logger } = deps;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    c.set('store', deps.store);
    c.set('audit', deps.audit);
    c.set('keyring', deps.keyring);
    c.set('clientIp', clientAddress(c, config.trustProxyHops));
    await next();
    logger.info(
      {
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use(
    securityHeaders({
      oidcIssuer: config.oidcIssuer,
      tls: Boolean(config.tls),
      pluginOrigin: config.pluginOrigin,
    }),
  );
  app.use('/api/*', originGuard({ allowedOrigin: new URL(config.publicUrl).origin }));
  const apiBodyLimit = bodyLimit({
    maxSize: config.maxRequestBodyBytes,
    onError: () => {
      throw new PayloadTooLargeError(config.maxRequestBodyBytes);
    },
  });
  // Dataset and plugin uploads carry their own, larger limit (MAX_UPLOAD_MB) on their route.
  app.use('/api/*', (c, next) =>
    isDatasetUpload(c.req.method, c.req.path) || isPluginUpload(c.req.method, c.req.path)
      ? next()
      : apiBodyLimit(c, next),
  );
  app.route('/', healthRoutes({ ping: () => deps.store.ping() }));
  if (deps.identity.routes) app.route('/', deps.identity.routes);
  const registry =
    deps.plugins ??
    createPluginRegistry({ pluginsDir: config.pluginsDir, db: deps.store.db, logger });
  app.route('/api/v1', createApi(deps, registry));
  app.route('/', staticSite({ root: config.staticDir }));
  app.notFound(notFoundHandler);
  app.onError(createErrorHandler(logger));
  return app;
}

/**
 * The SPA's one client of the server, typed from the server's own route definitions (Hono RPC):
 * a changed route or response shape is a type error here, not a surprise at run time. UI code
 * calls these functions only through query hooks.
 *
 * Two clients: `publicApi` for what is needed before anyone signs in (the configuration, the
 * health check), and `api`, whose every request carries the session's DPoP-bound token and a
 * fresh proof (see `src/auth/authenticated-fetch.ts`).
 */
import { hc, type ClientResponse } from 'hono/client';
import type { SuccessStatusCode } from 'hono/utils/http-status';
import type { ApiType } from '../../server/app.ts';
import type { healthRoutes } from '../../server/health/index.ts';
import { authenticatedFetch } from '../auth/auth-session.ts';
import { ApiRequestError, errorFromResponse, unreachableError } from './api-request-error.ts';

const publicApi = hc<ApiType>('/api/v1');
/** The authenticated client; the per-resource modules beside this one call it through `call`. */
export const api = hc<ApiType>('/api/v1', { fetch: authenticatedFetch });
const root = hc<ReturnType<typeof healthRoutes>>('/');

/** The answers of a typed call that are not errors: what `call` resolves to. */
type Succeeded<T> =
  T extends ClientResponse<infer Body, infer Status, infer Format>
    ? Status extends SuccessStatusCode
      ? ClientResponse<Body, Status, Format>
      : never
    : T;

/**
 * Makes the call, turning "no response" and error statuses into `ApiRequestError`s.
 *
 * @example
 * const response = await call(() => api.projects.$get());
 */
export async function call<T extends Response>(request: () => Promise<T>): Promise<Succeeded<T>> {
  let response: T;
  try {
    response = await request();
  } catch (cause) {
    // The authenticated fetch already says precisely why (the session ended); keep that.
    if (cause instanceof ApiRequestError) throw cause;
    throw unreachableError(cause);
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response as Succeeded<T>;
}

/**
 * The public client configuration (`GET /api/v1/config`).
 *
 * @example
 * const { version, oidcIssuer } = await fetchPublicConfig();
 */
export async function fetchPublicConfig() {
  const response = await call(() => publicApi.config.$get());
  return response.json();
}

/**
 * The server's health (`GET /healthz`): resolves when the server and its store answer.
 *
 * @example
 * const { status } = await fetchHealth(); // 'ok'
 */
export async function fetchHealth() {
  const response = await call(() => root.healthz.$get());
  return response.json();
}

/**
 * The signed-in user (`GET /api/v1/me`).
 *
 * @example
 * const { displayName, systemRole } = await fetchCurrentUser();
 */
export async function fetchCurrentUser() {
  const response = await call(() => api.me.$get());
  return response.json();
}

/** The signed-in user, as `GET /api/v1/me` describes them. */
export type CurrentUser = Awaited<ReturnType<typeof fetchCurrentUser>>;

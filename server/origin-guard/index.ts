/**
 * Refuses API requests that a browser sent from any origin but the app's own.
 *
 * Browsers send `Origin` on cross-origin requests and on same-origin ones that change state;
 * a sandboxed plugin frame sends `Origin: null`. But so does the app itself: under our
 * `Referrer-Policy: no-referrer`, a same-origin POST carries `Origin: null` too (Fetch standard,
 * "serializing a request origin"). The two are told apart by Fetch Metadata: the browser stamps
 * `Sec-Fetch-Site`, which page code cannot set, `same-origin` only on the app's own requests and
 * `cross-site` on an opaque-origin frame's. Requests without `Origin` (same-origin reads,
 * command-line clients) pass: their authority comes from the bearer token, never from a cookie.
 * No response ever carries `Access-Control-Allow-Origin`, so no other origin can read one.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/index.ts';

export class ForbiddenOriginError extends ApiError {
  constructor(origin: string) {
    super(
      403,
      'forbidden_origin',
      `Requests from origin ${JSON.stringify(origin)} are not accepted.`,
    );
  }
}

/**
 * Whether a request's `Origin` and `Sec-Fetch-Site` headers show it came from the app itself
 * (or from no browser page at all).
 *
 * @example
 * isOwnOrigin({ origin: 'null', fetchSite: 'same-origin' }, 'http://127.0.0.1:8080'); // true
 * isOwnOrigin({ origin: 'null', fetchSite: 'cross-site' }, 'http://127.0.0.1:8080');  // false
 */
export function isOwnOrigin(
  request: { origin: string | undefined; fetchSite: string | undefined },
  allowedOrigin: string,
): boolean {
  if (request.origin === undefined) return true;
  if (request.origin === allowedOrigin) return request.fetchSite !== 'cross-site';
  return request.origin === 'null' && request.fetchSite === 'same-origin';
}

/**
 * Middleware for the API routes.
 *
 * @example
 * app.use('/api/*', originGuard({ allowedOrigin: new URL(config.publicUrl).origin }));
 */
export function originGuard(options: { allowedOrigin: string }): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('Origin');
    if (
      !isOwnOrigin({ origin, fetchSite: c.req.header('Sec-Fetch-Site') }, options.allowedOrigin)
    ) {
      throw new ForbiddenOriginError(origin ?? '');
    }
    await next();
    c.res.headers.delete('Access-Control-Allow-Origin');
    c.res.headers.delete('Access-Control-Allow-Credentials');
  };
}

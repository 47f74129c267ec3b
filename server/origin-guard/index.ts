/**
 * Refuses API requests that a browser sent from any origin but the app's own.
 *
 * Browsers send `Origin` on cross-origin requests and on same-origin ones that change state;
 * a sandboxed plugin frame sends `Origin: null`. Requests without the header (same-origin reads,
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
 * Middleware for the API routes.
 *
 * @example
 * app.use('/api/*', originGuard({ allowedOrigin: new URL(config.publicUrl).origin }));
 */
export function originGuard(options: { allowedOrigin: string }): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('Origin');
    if (origin !== undefined && origin !== options.allowedOrigin) {
      throw new ForbiddenOriginError(origin);
    }
    await next();
    c.res.headers.delete('Access-Control-Allow-Origin');
    c.res.headers.delete('Access-Control-Allow-Credentials');
  };
}

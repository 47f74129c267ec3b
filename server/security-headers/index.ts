/**
 * Security headers on every response. The app's pages get a strict Content Security Policy
 * (scripts only from our origin, Trusted Types required for DOM script sinks, the network only to
 * ourselves and the configured issuer, frames only from the plugin site); API responses, which are never rendered, get an even
 * narrower one. HSTS is sent only when the server itself speaks TLS.
 */
import type { MiddlewareHandler } from 'hono';

/** Name of the one Trusted Types policy the SPA creates (see `src/security/trusted-types.ts`). */
export const TRUSTED_TYPES_POLICY = 'enclave';

export interface SecurityHeadersOptions {
  /** The issuer the page may talk to besides its own origin. */
  oidcIssuer: string;
  /** Whether responses travel over TLS (turns on HSTS and upgrade-insecure-requests). */
  tls: boolean;
  /**
   * The plugin site's origin (`PLUGIN_ORIGIN`): the only thing the app's pages may frame. Left
   * out (the provider's own pages), nothing may be framed.
   */
  pluginOrigin?: string | undefined;
}

/** Powerful features the app never uses, switched off for it and any frame. */
const disabledFeatures = [
  'accelerometer',
  'autoplay',
  'camera',
  'display-capture',
  'encrypted-media',
  'geolocation',
  'gyroscope',
  'hid',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
] as const;

/**
 * The Content-Security-Policy of the app's documents and scripts.
 *
 * @example
 * appContentSecurityPolicy({ oidcIssuer: 'https://id.example.com/realms/lab', tls: true });
 * // "default-src 'self'; script-src 'self'; ... connect-src 'self' https://id.example.com; ..."
 */
export function appContentSecurityPolicy(options: SecurityHeadersOptions): string {
  const issuerOrigin = new URL(options.oidcIssuer).origin;
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'", issuerOrigin],
    ['worker-src', "'self'"],
    ['manifest-src', "'self'"],
    ['media-src', "'none'"],
    // A plugin frame that navigates itself anywhere but the plugin site is blocked here.
    ['frame-src', options.pluginOrigin ? new URL(options.pluginOrigin).origin : "'none'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'", issuerOrigin],
    ['frame-ancestors', "'none'"],
    ['require-trusted-types-for', "'script'"],
    ['trusted-types', TRUSTED_TYPES_POLICY],
  ];
  if (options.tls) directives.push(['upgrade-insecure-requests']);
  return directives.map((directive) => [...new Set(directive)].join(' ')).join('; ');
}

/** The policy of responses that are data, not documents: nothing may load from them. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function isDataPath(path: string): boolean {
  return path === '/healthz' || path === '/api' || path.startsWith('/api/');
}

/**
 * Every security header a response gets, as one record per kind of path, built once: the
 * middleware below sets them on our own responses, and the OpenID provider's mount sets them on
 * the responses it writes itself.
 *
 * @example
 * const headersFor = securityHeaderValues({ oidcIssuer, tls: false });
 * headersFor('/api/v1/me')['Content-Security-Policy'];
 * // "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
 */
export function securityHeaderValues(
  options: SecurityHeadersOptions,
): (path: string) => Readonly<Record<string, string>> {
  const common = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Origin-Agent-Cluster': '?1',
    'Referrer-Policy': 'no-referrer',
    ...(options.tls ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
    'X-Content-Type-Options': 'nosniff',
    'X-DNS-Prefetch-Control': 'off',
    'X-Download-Options': 'noopen',
    'X-Frame-Options': 'DENY',
    'X-Permitted-Cross-Domain-Policies': 'none',
    'X-XSS-Protection': '0',
    'Permissions-Policy': disabledFeatures.map((feature) => `${feature}=()`).join(', '),
  };
  const forData = { 'Content-Security-Policy': API_CONTENT_SECURITY_POLICY, ...common };
  const forDocuments = { 'Content-Security-Policy': appContentSecurityPolicy(options), ...common };
  return (path) => (isDataPath(path) ? forData : forDocuments);
}

/**
 * Middleware that sets the security headers on every response.
 *
 * @example
 * app.use(securityHeaders({ oidcIssuer: config.oidcIssuer, tls: Boolean(config.tls) }));
 */
export function securityHeaders(options: SecurityHeadersOptions): MiddlewareHandler {
  const headersFor = securityHeaderValues(options);
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(headersFor(c.req.path))) {
      c.res.headers.set(name, value);
    }
    c.res.headers.delete('X-Powered-By');
  };
}

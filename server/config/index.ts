/**
 * Runtime configuration, read once from the environment and validated.
 *
 * Every setting has an embedded default so that `npm start` runs with no setup; a bad value stops
 * the server at start with the variable's name and the reason, never later at first use.
 */
import path from 'node:path';
import { z } from 'zod';
import { HostAllowList, HostAllowListError } from '../data-sources/index.ts';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    DATA_DIR: z.string().min(1).default('./.enclave'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    OIDC_ISSUER_URL: z.url({ protocol: /^https?$/ }).optional(),
    OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
    OIDC_AUDIENCE: z.string().min(1).max(500).optional(),
    OIDC_GROUPS_CLAIM: z
      .string()
      .regex(/^[\w.:/-]{1,100}$/, 'a claim name: letters, digits and . _ : / -')
      .default('groups'),
    OIDC_ADMIN_GROUP: z.string().min(1).max(200).optional(),
    OIDC_SCOPE: z
      .string()
      .regex(
        /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/,
        'space-separated scope values',
      )
      .refine((scope) => scope.split(' ').includes('openid'), 'must include openid')
      .optional(),
    OIDC_REQUIRE_DPOP: booleanFromEnv.default(true),
    JWT_ACCESS_TOKEN_EXPIRE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    JWT_REFRESH_TOKEN_EXPIRE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    TLS_CERT_PATH: z.string().min(1).optional(),
    TLS_KEY_PATH: z.string().min(1).optional(),
    MAX_REQUEST_BODY_KB: z.coerce.number().int().positive().default(1024),
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    AUDIT_LOG_ENABLED: booleanFromEnv.default(true),
    AUDIT_RETENTION_DAYS: z
      .string()
      .regex(/^\d+$/, 'a whole number of days (leave it unset to keep audit events forever)')
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, 'at least 1 day (leave it unset to keep audit events forever)')
          .max(36_500, 'at most 36500 days (leave it unset to keep audit events forever)'),
      )
      .optional(),
    AUDIT_ARCHIVE_DIR: z.string().min(1).optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    LOG_FORMAT: z.enum(['json', 'text']).default('json'),
    STATIC_DIR: z.string().min(1).default('./dist'),
    PLUGIN_ORIGIN: z
      .url({ protocol: /^https?$/ })
      .refine((value) => {
        const url = new URL(value);
        return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      }, 'must be an origin only (scheme, host and port; no path, query or credentials)')
      .optional(),
    PLUGINS_DIR: z.string().min(1).default('./dist/plugins'),
    ENCLAVE_SEED: z.enum(['demo']).optional(),
    JWT_PRIVATE_KEY_PATH: z.string().min(1).optional(),
    ENCLAVE_MASTER_KEY_PATH: z.string().min(1).optional(),
    MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(10240).default(200),
    CONNECTION_STATEMENT_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(24 * 60 * 60 * 1000)
      .default(30_000),
    CONNECTION_ROW_LIMIT: z.coerce.number().int().min(1).max(100_000_000).default(100_000),
    CONNECTION_ALLOWED_HOSTS: z
      .string()
      .optional()
      .transform((value, context) => {
        try {
          return HostAllowList.parse(value);
        } catch (error) {
          if (!(error instanceof HostAllowListError)) throw error;
          context.addIssue({ code: 'custom', message: error.message, input: value });
          return z.NEVER;
        }
      }),
  })
  .refine((env) => Boolean(env.TLS_CERT_PATH) === Boolean(env.TLS_KEY_PATH), {
    message: 'TLS_CERT_PATH and TLS_KEY_PATH must be set together',
    path: ['TLS_CERT_PATH'],
  })
  .refine((env) => Boolean(env.OIDC_ISSUER_URL) === Boolean(env.OIDC_CLIENT_ID), {
    message:
      'OIDC_ISSUER_URL and OIDC_CLIENT_ID must be set together (the external issuer and the client id Enclave has there)',
    path: ['OIDC_ISSUER_URL'],
  })
  .refine((env) => env.OIDC_ISSUER_URL || !env.OIDC_SCOPE, {
    message: 'OIDC_SCOPE applies to an external issuer only; set OIDC_ISSUER_URL too',
    path: ['OIDC_SCOPE'],
  })
  .refine((env) => !env.OIDC_AUDIENCE || env.OIDC_AUDIENCE !== env.OIDC_CLIENT_ID, {
    message:
      'OIDC_AUDIENCE must not be the client id: ID tokens are issued for the client id, and the API must never take one for an access token',
    path: ['OIDC_AUDIENCE'],
  })
  .refine((env) => env.OIDC_ISSUER_URL || !env.OIDC_AUDIENCE, {
    message: 'OIDC_AUDIENCE applies to an external issuer only; set OIDC_ISSUER_URL too',
    path: ['OIDC_AUDIENCE'],
  })
  .refine((env) => env.ENCLAVE_SEED !== 'demo' || isLoopbackHost(env.HOST), {
    message:
      'ENCLAVE_SEED=demo creates users with published passwords and is refused unless HOST is a loopback address (127.0.0.1, ::1, localhost)',
    path: ['ENCLAVE_SEED'],
  });

/**
 * Whether a listen address only accepts connections from this machine.
 *
 * @example
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0');   // false
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    bare === 'localhost' ||
    bare === '::1' ||
    /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(bare) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)
  );
}

export type LogLevel = z.infer<typeof environmentSchema>['LOG_LEVEL'];
export type LogFormat = z.infer<typeof environmentSchema>['LOG_FORMAT'];

/** An OpenID Connect issuer of the organisation's that Enclave trusts instead of its own. */
export interface ExternalIssuerConfig {
  /** The issuer identifier (`iss`), e.g. `https://id.example.org/realms/lab`. */
  url: string;
  /** The public client the SPA is registered as at that issuer. */
  clientId: string;
  /** The access token claim listing the user's groups. */
  groupsClaim: string;
  /** Members of this group (by the claim) are Enclave administrators. */
  adminGroup: string | undefined;
  /** Refuse access tokens that are not DPoP-bound (issuers that cannot bind tokens need false). */
  requireDpop: boolean;
}

/** The validated settings the server runs with. */
export interface Config {
  port: number;
  host: string;
  /** Origin and path prefix under which users reach the app, without a trailing slash. */
  publicUrl: string;
  dataDir: string;
  /** PostgreSQL server to use instead of the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** The OpenID Connect issuer the app trusts; the page may connect to its origin. */
  oidcIssuer: string;
  /** The client id of the SPA at that issuer. */
  oidcClientId: string;
  /** The scopes the SPA asks that issuer for. */
  oidcScope: string;
  /** The audience (`aud`) the API's access tokens must be issued for. */
  apiAudience: string;
  /** Set when an external issuer replaces the built-in provider. */
  externalIssuer: ExternalIssuerConfig | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  tls: { certPath: string; keyPath: string } | undefined;
  maxRequestBodyBytes: number;
  /** How many reverse proxies in front append to `X-Forwarded-For`; 0 trusts none. */
  trustProxyHops: number;
  auditLogEnabled: boolean;
  /** Audit events older than this many days are archived to files; undefined keeps them all. */
  auditRetentionDays: number | undefined;
  /** Where archived audit events go: `AUDIT_ARCHIVE_DIR`, by default `<dataDir>/audit-archive`. */
  auditArchiveDir: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Folder holding the built SPA. */
  staticDir: string;
  /** PEM private key that signs tokens; generated into `dataDir/keys` when absent. */
  jwtPrivateKeyPath: string | undefined;
  /** The keyring's master key file; generated there on first start when missing. */
  masterKeyPath: string;
  /** Largest file upload (a dataset) the server accepts. */
  maxUploadBytes: number;
  /** How long one query through a connection may run before the data source cancels it. */
  connectionStatementTimeoutMs: number;
  /** Most rows one query through a connection returns; the rest are cut off. */
  connectionRowLimit: number;
  /** The hosts connections may reach; `allowsAnyHost` when the setting is unset (development). */
  connectionAllowedHosts: HostAllowList;
  /** `demo`: create the demo users (loopback hosts only). */
  seed: 'demo' | undefined;
  /**
   * The origin plugin frames are served from (the second listener), e.g. `http://localhost:8081`:
   * always a different site than `publicUrl`, so a plugin runs in a process of its own.
   */
  pluginOrigin: string;
  /** The port the plugin listener binds on `host`: the one `pluginOrigin` names. */
  pluginPort: number;
  /** Folder of the bundled plugins, one folder with a `manifest.json` each, read at start. */
  pluginsDir: string;
  /** Folder of the SDK's frame runtime (`enclave-runtime.js`, `.css`): `<staticDir>/plugin-runtime`. */
  pluginRuntimeDir: string;
}

/** The client id of the SPA at the built-in provider. */
export const BUILT_IN_CLIENT_ID = 'enclave-web';

/** What the SPA asks the built-in provider for; refresh tokens come without `offline_access`. */
export const BUILT_IN_SCOPE = 'openid profile email';

/** Raised when the environment holds a value the server cannot run with. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The part of a host name that decides its *site*: an IP address or a single-label name is its
 * own site; a domain name is approximated by its last two labels. Without the public suffix list
 * this can only merge sites (`a.example.co.uk` and `b.other.co.uk` both give `co.uk`), never
 * split one, so a refusal may be overcautious but a same-site pair is never let through.
 *
 * @example
 * siteOf('enclave.example.org'); // 'example.org'
 * siteOf('127.0.0.1');           // '127.0.0.1'
 */
export function siteOf(host: string): string {
  const bare = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (ipv4.test(bare) || bare.includes(':')) return bare;
  return bare.split('.').slice(-2).join('.');
}

/**
 * Reads the configuration from environment variables.
 *
 * @example
 * const config = loadConfig(process.env);
 * console.log(config.publicUrl); // http://127.0.0.1:8080
 */
export function loadConfig(environment: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`)
      .join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const env = parsed.data;
  const tls =
    env.TLS_CERT_PATH && env.TLS_KEY_PATH
      ? { certPath: env.TLS_CERT_PATH, keyPath: env.TLS_KEY_PATH }
      : undefined;
  const scheme = tls ? 'https' : 'http';
  const dataDir = path.resolve(env.DATA_DIR);
  const publicUrl = (env.PUBLIC_URL ?? `${scheme}://${env.HOST}:${env.PORT}`).replace(/\/+$/, '');
  const appHost = env.PUBLIC_URL ? new URL(env.PUBLIC_URL).hostname : env.HOST;
  // The default is another site than the app's: localhost, or 127.0.0.1 when the app is on localhost.
  const pluginOriginUrl = new URL(
    env.PLUGIN_ORIGIN ??
      (siteOf(appHost) === 'localhost' ? 'http://127.0.0.1:8081' : 'http://localhost:8081'),
  );
  if (siteOf(pluginOriginUrl.hostname) === siteOf(appHost)) {
    throw new ConfigError(
      `Invalid configuration: PLUGIN_ORIGIN: ${pluginOriginUrl.origin} is the same site as the app (${appHost}, site "${siteOf(appHost)}"); plugins must be served from another site (e.g. http://localhost:8081 when the app is at http://127.0.0.1:8080) so that they run in a process of their own`,
    );
  }
  const pluginPort = Number(
    pluginOriginUrl.port || (pluginOriginUrl.protocol === 'https:' ? 443 : 80),
  );
  // Port 0 (tests) lets the system pick a free port for each listener.
  if (pluginPort === env.PORT && pluginPort !== 0) {
    throw new ConfigError(
      `Invalid configuration: PLUGIN_ORIGIN: its port ${String(pluginPort)} is PORT, the app's own listener; the plugin listener needs a port of its own`,
    );
  }
  // The issuer identifier is compared byte for byte with `iss` (some issuers end it with a
  // slash, most do not), so it is kept exactly as given.
  const externalIssuer: ExternalIssuerConfig | undefined =
    env.OIDC_ISSUER_URL && env.OIDC_CLIENT_ID
      ? {
          url: env.OIDC_ISSUER_URL,
          clientId: env.OIDC_CLIENT_ID,
          groupsClaim: env.OIDC_GROUPS_CLAIM,
          adminGroup: env.OIDC_ADMIN_GROUP,
          requireDpop: env.OIDC_REQUIRE_DPOP,
        }
      : undefined;
  return {
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    oidcIssuer: externalIssuer?.url ?? `${publicUrl}/oidc`,
    oidcClientId: externalIssuer?.clientId ?? BUILT_IN_CLIENT_ID,
    oidcScope:
      env.OIDC_SCOPE ?? (externalIssuer ? 'openid profile email offline_access' : BUILT_IN_SCOPE),
    apiAudience: env.OIDC_AUDIENCE ?? `${publicUrl}/api`,
    externalIssuer,
    accessTokenTtlSeconds: env.JWT_ACCESS_TOKEN_EXPIRE_MINUTES * 60,
    refreshTokenTtlSeconds: env.JWT_REFRESH_TOKEN_EXPIRE_DAYS * 24 * 60 * 60,
    tls,
    maxRequestBodyBytes: env.MAX_REQUEST_BODY_KB * 1024,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    auditLogEnabled: env.AUDIT_LOG_ENABLED,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    auditArchiveDir: env.AUDIT_ARCHIVE_DIR
      ? path.resolve(env.AUDIT_ARCHIVE_DIR)
      : path.join(dataDir, 'audit-archive'),
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    staticDir: path.resolve(env.STATIC_DIR),
    pluginOrigin: pluginOriginUrl.origin,
    pluginPort,
    pluginsDir: path.resolve(env.PLUGINS_DIR),
    pluginRuntimeDir: path.join(path.resolve(env.STATIC_DIR), 'plugin-runtime'),
    jwtPrivateKeyPath: env.JWT_PRIVATE_KEY_PATH
      ? path.resolve(env.JWT_PRIVATE_KEY_PATH)
      : undefined,
    masterKeyPath: env.ENCLAVE_MASTER_KEY_PATH
      ? path.resolve(env.ENCLAVE_MASTER_KEY_PATH)
      : path.join(dataDir, 'keys', 'master.key'),
    maxUploadBytes: env.MAX_UPLOAD_MB * 1024 * 1024,
    connectionStatementTimeoutMs: env.CONNECTION_STATEMENT_TIMEOUT_MS,
    connectionRowLimit: env.CONNECTION_ROW_LIMIT,
    connectionAllowedHosts: env.CONNECTION_ALLOWED_HOSTS,
    seed: env.ENCLAVE_SEED,
  };
}

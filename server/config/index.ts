/**
 * Runtime configuration, read once from the environment and validated.
 *
 * Every setting has an embedded default so that `npm start` runs with no setup; a bad value stops
 * the server at start with the variable's name and the reason, never later at first use.
 */
import path from 'node:path';
import { z } from 'zod';

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
    OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
    TLS_CERT_PATH: z.string().min(1).optional(),
    TLS_KEY_PATH: z.string().min(1).optional(),
    MAX_REQUEST_BODY_KB: z.coerce.number().int().positive().default(1024),
    AUDIT_LOG_ENABLED: booleanFromEnv.default(true),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    LOG_FORMAT: z.enum(['json', 'text']).default('json'),
    STATIC_DIR: z.string().min(1).default('./dist'),
    ENCLAVE_SEED: z.enum(['demo']).optional(),
    JWT_PRIVATE_KEY_PATH: z.string().min(1).optional(),
  })
  .refine((env) => Boolean(env.TLS_CERT_PATH) === Boolean(env.TLS_KEY_PATH), {
    message: 'TLS_CERT_PATH and TLS_KEY_PATH must be set together',
    path: ['TLS_CERT_PATH'],
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
  tls: { certPath: string; keyPath: string } | undefined;
  maxRequestBodyBytes: number;
  auditLogEnabled: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Folder holding the built SPA. */
  staticDir: string;
  /** PEM private key that signs tokens; generated into `dataDir/keys` when absent. */
  jwtPrivateKeyPath: string | undefined;
  /** `demo`: create the demo users (loopback hosts only). */
  seed: 'demo' | undefined;
}

/** Raised when the environment holds a value the server cannot run with. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
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
  const publicUrl = (env.PUBLIC_URL ?? `${scheme}://${env.HOST}:${env.PORT}`).replace(/\/+$/, '');
  return {
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    dataDir: path.resolve(env.DATA_DIR),
    databaseUrl: env.DATABASE_URL,
    oidcIssuer: (env.OIDC_ISSUER ?? `${publicUrl}/oidc`).replace(/\/+$/, ''),
    tls,
    maxRequestBodyBytes: env.MAX_REQUEST_BODY_KB * 1024,
    auditLogEnabled: env.AUDIT_LOG_ENABLED,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    staticDir: path.resolve(env.STATIC_DIR),
    jwtPrivateKeyPath: env.JWT_PRIVATE_KEY_PATH
      ? path.resolve(env.JWT_PRIVATE_KEY_PATH)
      : undefined,
    seed: env.ENCLAVE_SEED,
  };
}

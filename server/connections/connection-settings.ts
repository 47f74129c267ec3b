/**
 * What a connection is made of, as the API accepts it: where the database is (host, port,
 * database, user, TLS) and the password. The showable part is kept in `settings`; the password
 * only ever sealed. Input is held tight because it ends up in a network connection the server
 * opens: a host is a hostname or an IP address and nothing else (no URL, no `user@`, no `/` that
 * the PostgreSQL client would take for a Unix socket), a port is 1–65535.
 */
import { z } from '@hono/zod-openapi';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/** One DNS label: letters, digits, `-` inside, `_` tolerated (container service names use it). */
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const isIpv4 = (value: string) => z.ipv4().safeParse(value).success;
const isIpv6 = (value: string) => z.ipv6().safeParse(value).success;

/**
 * A hostname, an IPv4 address or a bare IPv6 address (no brackets, no port, no scheme).
 *
 * @example
 * HostSchema.parse('db.lab.example.org'); // ok
 * HostSchema.parse('postgres://db');       // throws
 */
export const HostSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .refine(
    (value) => HOSTNAME.test(value) || isIpv4(value) || isIpv6(value),
    'must be a hostname or an IP address (no scheme, port, user or path)',
  )
  .openapi({ example: 'db.lab.example.org' });

export const PortSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1 to 65535')
  .max(65535, 'must be 1 to 65535')
  .openapi({ example: 5432 });

/** A PostgreSQL database or role name: at most 63 characters (PostgreSQL cuts longer ones). */
export const PgNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .refine((value) => !controlCharacters.test(value), 'must not contain control characters');

/**
 * The password: write-only. Messages about it never quote it (zod's built-in messages for
 * length do not either), since a validation message is returned and may be logged.
 */
export const PasswordSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters')
  .refine((value) => !value.includes('\u0000'), 'must not contain NUL')
  .openapi({ format: 'password', writeOnly: true });

export const SslSchema = z.boolean().openapi({
  description:
    'Connect over TLS and verify the server certificate (default true). `false` connects in the clear.',
});

/** The showable part of a connection, stored as `connections.settings`. */
export interface ConnectionSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  ssl: boolean;
}

/** Settings read back from the database; anything unexpected there is a server fault. */
const StoredSettingsSchema = z.object({
  host: z.string(),
  port: z.number(),
  database: z.string(),
  user: z.string(),
  ssl: z.boolean(),
});

/**
 * Reads `connections.settings` as stored.
 *
 * @example
 * const settings = storedSettings(row.settings); // { host, port, database, user, ssl }
 */
export function storedSettings(value: unknown): ConnectionSettings {
  const { host, port, database, user, ssl } = StoredSettingsSchema.parse(value);
  return { host, port, database, user, ssl };
}

/**
 * The settings whose change would send the stored password somewhere it was not entered for (or
 * over a weaker channel); such a change must carry the password again.
 */
export const SETTINGS_BOUND_TO_PASSWORD = ['host', 'port', 'user', 'ssl'] as const;

/**
 * The keyring context a connection's password is sealed under, so a sealed secret copied onto
 * another connection's row does not open there.
 *
 * @example
 * keyring.sealText(wrappedKey, password, secretContext(id));
 */
export function secretContext(connectionId: string): string {
  return `connection:${connectionId}:secret`;
}

/**
 * Replaces every occurrence of the secret in a text meant for a caller or a log: defence in depth
 * for messages that come from outside our code (a driver's, a remote server's).
 *
 * @example
 * redactSecret('auth failed for hunter2', 'hunter2'); // 'auth failed for [redacted]'
 */
export function redactSecret(text: string, secret: string): string {
  if (secret.length === 0) return text;
  return text.split(secret).join('[redacted]');
}

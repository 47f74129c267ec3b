/**
 * Signing in against an LDAP directory: bind as the user with the password they typed, read their
 * name and mail while bound as them, and list the groups whose `member` is their DN.
 *
 * Why it is built this way:
 * - The bind is the password check; no service account is configured, so a leaked setting cannot
 *   read the directory, and everything the server reads it reads with the user's own rights.
 * - The username is attacker-chosen text placed into a DN and (as part of the DN) into a search
 *   filter. It is first held to a conservative pattern, then escaped anyway (RFC 4514 for the DN;
 *   the filter is built as an `EqualityFilter` object, whose value travels as raw BER octets and
 *   cannot change the filter's structure). Either defence alone stops injection.
 * - An empty password is refused before any connection: many servers treat a bind with a DN and
 *   no password as an anonymous bind and answer "success" (RFC 4513 §5.1.2).
 * - "Wrong password" and "directory down" are different answers: the first is `null` (the login
 *   form says so), the second a 503 `directory_unavailable`, so an outage never looks like a
 *   wrong password and lockout counters are not fed by it.
 * - One short-lived connection per sign-in, closed on every path, with timeouts on connect and on
 *   each operation, so a hung directory cannot hold a request (or a socket) forever.
 */
import type { ConnectionOptions } from 'node:tls';
import {
  AndFilter,
  Client,
  EqualityFilter,
  InappropriateAuthError,
  InvalidCredentialsError,
  InvalidDNSyntaxError,
  NoSuchObjectError,
  UnwillingToPerformError,
  type Entry,
  type Filter,
} from 'ldapts';
import { ConfigError } from '../../config/index.ts';
import { ApiError } from '../../errors/index.ts';

/** How to reach the directory and where users and groups live. */
export interface LdapSettings {
  /** `ldap://host:389` or `ldaps://host:636`. */
  url: string;
  /** The user's DN with `{username}` as an attribute value, e.g. `uid={username},ou=people,dc=example,dc=org`. */
  userDnTemplate: string;
  /** Where to look for `groupOfNames` entries; without it users have no directory groups. */
  groupBase?: string;
  /** Limit for connecting and for each operation; default `DEFAULT_LDAP_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** Passed to Node's TLS layer for `ldaps://` (e.g. `ca` for a private certificate authority). */
  tlsOptions?: ConnectionOptions;
}

/** Who the directory says the user is. */
export interface LdapIdentity {
  /** The username as validated (lower case). */
  username: string;
  /** The user's entry DN as the directory names it. */
  dn: string;
  /** `displayName`, else `cn`, else the username. */
  displayName: string;
  email: string | null;
  /** `cn` of each group under `groupBase` that lists the user as `member`; sorted, unique. */
  groups: string[];
}

/** The directory could not be reached, timed out or failed; not the user's fault. */
export class LdapUnavailableError extends ApiError {
  override readonly name = 'LdapUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(503, 'directory_unavailable', message, options);
  }
}

export const DEFAULT_LDAP_TIMEOUT_MS = 5_000;

/** More groups than this is treated as a directory problem rather than silently cut short. */
export const MAX_LDAP_GROUPS = 500;

/** Longer passwords are refused unread; no real password is this long, a DoS payload may be. */
export const MAX_LDAP_PASSWORD_LENGTH = 1024;

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const USERNAME_PLACEHOLDER = '{username}';

/**
 * Reads the LDAP settings from the environment; `undefined` when `LDAP_URL` is unset (LDAP off).
 * A half-configured or malformed setup throws a `ConfigError` naming the variable, so the server
 * stops at start instead of failing every login later.
 *
 * @example
 * loadLdapSettings({
 *   LDAP_URL: 'ldaps://ldap.example.org',
 *   LDAP_USER_DN_TEMPLATE: 'uid={username},ou=people,dc=example,dc=org',
 *   LDAP_GROUP_BASE: 'ou=groups,dc=example,dc=org',
 * });
 * // { url: 'ldaps://ldap.example.org', userDnTemplate: 'uid={username},...', groupBase: 'ou=groups,...' }
 */
export function loadLdapSettings(
  environment: Record<string, string | undefined>,
): LdapSettings | undefined {
  // Empty counts as unset, as in loadConfig: `LDAP_URL=` in a compose file means "off".
  const read = (name: string) => environment[name]?.trim() || undefined;
  const url = read('LDAP_URL');
  const userDnTemplate = read('LDAP_USER_DN_TEMPLATE');
  const groupBase = read('LDAP_GROUP_BASE');
  if (!url) {
    if (userDnTemplate || groupBase) {
      const name = userDnTemplate ? 'LDAP_USER_DN_TEMPLATE' : 'LDAP_GROUP_BASE';
      throw new ConfigError(`${name} is set but LDAP_URL is not; set LDAP_URL to enable LDAP.`);
    }
    return undefined;
  }
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new ConfigError(`LDAP_URL is not a URL: expected ldap://host:port or ldaps://host:port.`);
  }
  if (scheme !== 'ldap:' && scheme !== 'ldaps:') {
    throw new ConfigError(`LDAP_URL must start with ldap:// or ldaps://.`);
  }
  if (!userDnTemplate) {
    throw new ConfigError(
      'LDAP_USER_DN_TEMPLATE is required with LDAP_URL, e.g. uid={username},ou=people,dc=example,dc=org.',
    );
  }
  // The placeholder must be a whole attribute value exactly once, so escaping it per RFC 4514
  // yields one RDN value and nothing else.
  const placeholders = userDnTemplate.split(USERNAME_PLACEHOLDER).length - 1;
  if (placeholders !== 1 || !/=\{username\}(,|$)/.test(userDnTemplate)) {
    throw new ConfigError(
      'LDAP_USER_DN_TEMPLATE must contain {username} exactly once as an attribute value, ' +
        'e.g. uid={username},ou=people,dc=example,dc=org.',
    );
  }
  return { url, userDnTemplate, ...(groupBase ? { groupBase } : {}) };
}

/**
 * The username in canonical form, or `null` when it is not acceptable. Lower-cased first, then
 * held to `^[a-z0-9][a-z0-9._-]{0,63}$`: no LDAP special character can pass.
 *
 * @example
 * normalizeLdapUsername('Alice');     // 'alice'
 * normalizeLdapUsername(')(uid=*');   // null
 */
export function normalizeLdapUsername(username: string): string | null {
  // The length check comes first so a huge input costs nothing more.
  if (typeof username !== 'string' || username.length === 0 || username.length > 64) return null;
  const lower = username.toLowerCase();
  return USERNAME_PATTERN.test(lower) ? lower : null;
}

/**
 * Escapes text for use as an attribute value in a DN string (RFC 4514 §2.4). Besides the
 * required characters it escapes `=` and every control character, which the RFC allows.
 *
 * @example
 * escapeDnValue('admin,ou=x');   // 'admin\\,ou\\=x'
 * escapeDnValue(' #lead');       // '\\ #lead'
 */
export function escapeDnValue(value: string): string {
  let out = '';
  const last = value.length - 1;
  for (let i = 0; i <= last; i += 1) {
    const char = value.charAt(i);
    const code = char.charCodeAt(0);
    if ('"+,;<>\\='.includes(char)) {
      out += `\\${char}`;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).padStart(2, '0')}`;
    } else if ((i === 0 && (char === ' ' || char === '#')) || (i === last && char === ' ')) {
      out += `\\${char}`;
    } else {
      out += char;
    }
  }
  return out;
}

/**
 * The user's DN: the template with `{username}` replaced by the escaped username.
 *
 * @example
 * userDnFor('uid={username},ou=people,dc=example,dc=org', 'alice');
 * // 'uid=alice,ou=people,dc=example,dc=org'
 */
export function userDnFor(userDnTemplate: string, username: string): string {
  return userDnTemplate.replace(USERNAME_PLACEHOLDER, () => escapeDnValue(username));
}

/**
 * The filter for the groups a DN belongs to. Built from filter objects, never by pasting text,
 * so the DN is one opaque value whatever it contains; `toString()` shows it RFC 4515-escaped.
 *
 * @example
 * groupFilterFor('uid=alice,ou=people,dc=example,dc=org').toString();
 * // '(&(objectClass=groupOfNames)(member=uid=alice,ou=people,dc=example,dc=org))'
 */
export function groupFilterFor(userDn: string): Filter {
  return new AndFilter({
    filters: [
      new EqualityFilter({ attribute: 'objectClass', value: 'groupOfNames' }),
      new EqualityFilter({ attribute: 'member', value: userDn }),
    ],
  });
}

/** Bind answers that mean "these credentials do not sign anyone in", not "the server is broken". */
function isRejectedBind(error: unknown): boolean {
  return (
    error instanceof InvalidCredentialsError ||
    error instanceof InvalidDNSyntaxError ||
    error instanceof NoSuchObjectError ||
    error instanceof InappropriateAuthError ||
    // Some servers (389-ds, OpenLDAP ppolicy) answer a locked or disabled account this way.
    error instanceof UnwillingToPerformError
  );
}

function unavailable(error: unknown): LdapUnavailableError {
  if (error instanceof LdapUnavailableError) return error;
  return new LdapUnavailableError('The sign-in directory (LDAP) is unavailable; try again later.', {
    cause: error,
  });
}

/** First value of an attribute as text; attribute names compare case-insensitively in LDAP. */
function firstText(entry: Entry, attribute: string): string | null {
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  if (!key || key === 'dn') return null;
  const raw = entry[key];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return null;
  const text = (typeof value === 'string' ? value : value.toString('utf8')).trim();
  return text === '' ? null : text;
}

async function readOwnEntry(client: Client, dn: string, timeLimit: number): Promise<Entry> {
  const { searchEntries } = await client.search(dn, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['cn', 'displayName', 'mail'],
    sizeLimit: 1,
    timeLimit,
    derefAliases: 'never',
  });
  const entry = searchEntries[0];
  // Fails closed: a bind that cannot see its own entry may not be the user's (a lenient server
  // turns some binds anonymous), and a directory whose ACLs hide users from themselves is
  // misconfigured; either way nobody is signed in on its word.
  if (!entry) {
    throw new LdapUnavailableError(
      'The sign-in directory (LDAP) did not show the user their own entry; ask an admin to check its access rules.',
    );
  }
  return entry;
}

async function readGroups(
  client: Client,
  groupBase: string,
  userDn: string,
  timeLimit: number,
): Promise<string[]> {
  const { searchEntries } = await client.search(groupBase, {
    scope: 'sub',
    filter: groupFilterFor(userDn),
    attributes: ['cn'],
    // One more than allowed, so "exactly the limit" and "cut short" can be told apart.
    sizeLimit: MAX_LDAP_GROUPS + 1,
    timeLimit,
    derefAliases: 'never',
  });
  if (searchEntries.length > MAX_LDAP_GROUPS) {
    throw new LdapUnavailableError(
      `The directory lists more than ${MAX_LDAP_GROUPS} groups for this user; ask an admin to narrow LDAP_GROUP_BASE.`,
    );
  }
  const names = searchEntries.map((entry) => firstText(entry, 'cn')).filter((n) => n !== null);
  return [...new Set(names)].sort();
}

/**
 * Checks a username and password against the directory and returns who the user is, or `null`
 * when they do not sign in (unknown user, wrong or empty password, unacceptable username).
 * Throws `LdapUnavailableError` (503 `directory_unavailable`) when the directory cannot answer.
 *
 * @example
 * const identity = await authenticateWithLdap(settings, 'alice', password);
 * if (!identity) throw new UnauthorizedError('Wrong username or password.');
 * identity.groups; // ['chemistry', 'oncology']
 */
export async function authenticateWithLdap(
  settings: LdapSettings,
  username: string,
  password: string,
): Promise<LdapIdentity | null> {
  const name = normalizeLdapUsername(username);
  if (name === null) return null;
  // Refused before any connection: with an empty password the bind would be anonymous and succeed.
  if (typeof password !== 'string' || password.length === 0) return null;
  if (password.length > MAX_LDAP_PASSWORD_LENGTH) return null;

  const timeoutMs = settings.timeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS;
  const timeLimit = Math.max(1, Math.ceil(timeoutMs / 1000));
  const boundDn = userDnFor(settings.userDnTemplate, name);
  let client: Client;
  try {
    client = new Client({
      url: settings.url,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      ...(settings.tlsOptions ? { tlsOptions: settings.tlsOptions } : {}),
    });
  } catch (error) {
    throw unavailable(error);
  }
  try {
    try {
      await client.bind(boundDn, password);
    } catch (error) {
      if (isRejectedBind(error)) return null;
      throw error;
    }
    const entry = await readOwnEntry(client, boundDn, timeLimit);
    const dn = entry.dn || boundDn;
    const groups = settings.groupBase
      ? await readGroups(client, settings.groupBase, dn, timeLimit)
      : [];
    return {
      username: name,
      dn,
      displayName: (entry && (firstText(entry, 'displayName') ?? firstText(entry, 'cn'))) ?? name,
      email: entry ? firstText(entry, 'mail') : null,
      groups,
    };
  } catch (error) {
    throw unavailable(error);
  } finally {
    // Unbind only sends a message and closes the socket; its failure must not mask the answer.
    await client.unbind().catch(() => undefined);
  }
}

/**
 * The principal: who a request acts for, loaded fresh from the database on every request (so a
 * disabled account, a changed role or a changed membership applies at once), plus the two ways
 * to get there from verified token claims: the built-in provider's (subject = account id, and the
 * grant must still exist) and an external issuer's (the account is created or updated from the
 * token's claims, its groups from the groups claim, on every request).
 */
import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { AuditTrail } from '../../audit/index.ts';
import type { ExternalIssuerConfig } from '../../config/index.ts';
import { schema, type Database } from '../../store/index.ts';
import type { SystemRole } from '../accounts.ts';
import { DirectoryAccountConflictError, upsertDirectoryAccount } from '../directory-accounts.ts';
import type { AccessTokenClaims } from './access-token-verifier.ts';
import type { RequestContext } from './authenticate.ts';

const { users, groups, groupMembers, oidcModels } = schema;

/** The caller of an API request. */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  email: string | null;
  systemRole: SystemRole;
  source: 'local' | 'ldap' | 'oidc';
  /** Groups the account is a direct member of. */
  groups: { id: string; name: string }[];
  /** The OAuth client the token was issued to (the acting app). */
  clientId: string | null;
  /** The token's `jti`, when it has one. */
  tokenId: string | null;
  /**
   * The sign-in session the token belongs to (its `sid`): the same for every token of one
   * sign-in, refreshes included. Null when the token names none or names it in a form we do not
   * keep (see `sessionIdFrom`).
   */
  sessionId: string | null;
}

/** What a principal takes from its token rather than from the account. */
export type TokenFields = Pick<Principal, 'clientId' | 'tokenId' | 'sessionId'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Session ids as issuers write them (our provider's nanoids, Keycloak's UUIDs, Entra's GUIDs,
 * Auth0's opaque strings): printable ASCII without spaces, quotes, commas or backslashes, so one
 * goes into a query string, a CSV cell and a log line as it is.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._~:@/+=-]{1,128}$/;

/**
 * The token's sign-in session (`sid`), or null when it has none or one outside `SESSION_ID_PATTERN`:
 * an issuer's odd value then attributes nothing rather than failing the request.
 *
 * @example
 * sessionIdFrom({ sid: 'gTL2wHBMu3ysLQ5S7oOXr' }); // 'gTL2wHBMu3ysLQ5S7oOXr'
 * sessionIdFrom({ sid: 'a,b\n' }); // null
 */
export function sessionIdFrom(claims: Record<string, unknown>): string | null {
  const { sid } = claims;
  return typeof sid === 'string' && SESSION_ID_PATTERN.test(sid) ? sid : null;
}

function tokenFields(claims: AccessTokenClaims): TokenFields {
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : null;
  const azp = typeof claims.azp === 'string' ? claims.azp : null;
  return {
    clientId: clientId ?? azp,
    tokenId: typeof claims.jti === 'string' ? claims.jti : null,
    sessionId: sessionIdFrom(claims),
  };
}

/**
 * Loads an enabled account and its groups; null when it does not exist or is disabled.
 *
 * @example
 * const principal = await loadPrincipal(db, userId, {
 *   clientId: 'enclave-web', tokenId: null, sessionId: null,
 * });
 */
export async function loadPrincipal(
  db: Database,
  userId: string,
  token: TokenFields,
): Promise<Principal | null> {
  if (!UUID.test(userId)) return null;
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user || user.disabled) return null;
  const memberships = await db
    .select({ id: groups.id, name: groups.name })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groupMembers.userId, userId))
    .orderBy(groups.name);
  return {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    systemRole: user.systemRole as SystemRole,
    source: user.source as Principal['source'],
    groups: memberships,
    ...token,
  };
}

/**
 * The resolver for tokens of the built-in provider: the subject is the account id, and the
 * token's grant (`gid`) must still be stored, so sign-out, revocation and a reused refresh
 * token stop every access token of that sign-in at once, not only at expiry.
 *
 * @example
 * authenticate({ ..., resolvePrincipal: builtInPrincipalResolver({ db }) });
 */
export function builtInPrincipalResolver(options: { db: Database; now?: () => Date }) {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  return async (claims: AccessTokenClaims): Promise<Principal | null> => {
    if (typeof claims.gid !== 'string' || claims.gid.length > 255) return null;
    const [grant] = await db
      .select({ id: oidcModels.id })
      .from(oidcModels)
      .where(
        and(
          eq(oidcModels.kind, 'Grant'),
          eq(oidcModels.id, claims.gid),
          or(isNull(oidcModels.expiresAt), gt(oidcModels.expiresAt, now())),
        ),
      );
    if (!grant) return null;
    return loadPrincipal(db, claims.sub, tokenFields(claims));
  };
}

/** A login name from an issuer's claims: lower case, plain characters, at most 64 long. */
function usernameFrom(claims: AccessTokenClaims): string {
  const candidates = [claims.preferred_username, claims.email, claims.sub];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const cleaned = candidate
      .toLowerCase()
      .replace(/[^a-z0-9._@-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 64);
    if (cleaned !== '') return cleaned;
  }
  return 'user';
}

/**
 * The group names a token lists under the configured claim: an array of strings (a single
 * string counts as one group); Keycloak's full paths (`/lab/oncology`) lose the leading slash.
 *
 * @example
 * groupsFromClaim({ groups: ['/oncology', 'chemistry'] }, 'groups'); // ['oncology', 'chemistry']
 */
export function groupsFromClaim(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  const listed = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return listed
    .filter((entry): entry is string => typeof entry === 'string')
    .map((entry) => entry.replace(/^\/+/, '').trim())
    .filter((entry) => entry !== '' && entry.length <= 200);
}

/**
 * The resolver for tokens of an external issuer: the account is found by issuer and subject
 * (created at first sight), its name, mail and groups follow the token on every request.
 *
 * @example
 * authenticate({ ..., resolvePrincipal: externalPrincipalResolver({ db, audit, issuer }) });
 */
export function externalPrincipalResolver(options: {
  db: Database;
  audit: AuditTrail;
  issuer: ExternalIssuerConfig;
}) {
  const { db, audit, issuer } = options;
  return async (claims: AccessTokenClaims, request: RequestContext): Promise<Principal | null> => {
    const username = usernameFrom(claims);
    const listedGroups = groupsFromClaim(claims, issuer.groupsClaim);
    const token = tokenFields(claims);
    const upsert = () =>
      upsertDirectoryAccount(
        { db, audit, requestId: request.requestId, ip: request.ip, sessionId: token.sessionId },
        {
          source: 'oidc',
          username,
          displayName:
            typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : username,
          email: typeof claims.email === 'string' ? claims.email : null,
          externalSubject: `${claims.iss} ${claims.sub}`,
          groups: listedGroups,
          directoryAdmin: issuer.adminGroup ? listedGroups.includes(issuer.adminGroup) : undefined,
        },
      );
    // Two first requests of one new person race to create the account (or a free username);
    // the loser finds the winner's row on a second try.
    const account = await upsert().catch((error: unknown) => {
      if (error instanceof DirectoryAccountConflictError) return upsert();
      throw error;
    });
    return loadPrincipal(db, account.id, token);
  };
}

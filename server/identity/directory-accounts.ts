/**
 * Accounts that a directory vouches for: an LDAP directory at sign-in, or an external OpenID
 * issuer on every request. The directory owns the person's name, mail and group memberships, so
 * they are written here each time it speaks; Enclave owns the system role and the account id.
 *
 * Groups are matched by name, and only groups of the same source are managed: a local group that
 * happens to share a name with a directory group is never filled from the directory (that would
 * let whoever names groups in the directory grant access to local groups).
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { AuditTrail } from '../audit/index.ts';
import { schema, type Database } from '../store/index.ts';
import type { SystemRole } from './accounts.ts';

const { users, groups, groupMembers } = schema;

export type DirectorySource = 'ldap' | 'oidc';

/** What the directory says about a person. */
export interface DirectoryIdentity {
  source: DirectorySource;
  /** Lower-case; for LDAP the login name, for an issuer its `preferred_username` (or the subject). */
  username: string;
  displayName: string;
  email: string | null;
  /** For an external issuer: `<issuer> <sub>`; the key the account is found by. */
  externalSubject?: string | undefined;
  /** Group names, as the directory lists them. */
  groups: readonly string[];
  /**
   * Whether the directory makes the person an administrator (an issuer's admin group): true
   * grants Admin, false takes it away again; undefined leaves the stored role as it is.
   */
  directoryAdmin?: boolean | undefined;
}

/** Why a directory identity could not be given an account. */
export class DirectoryAccountConflictError extends Error {
  override readonly name = 'DirectoryAccountConflictError';
}

export interface DirectoryAccount {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  systemRole: SystemRole;
  disabled: boolean;
  /** The account was created by this call. */
  created: boolean;
}

export interface DirectoryAccountOptions {
  db: Database;
  audit: AuditTrail;
  requestId?: string | null | undefined;
  ip?: string | null | undefined;
  /** The sign-in session of the token that brought the account (an external issuer's `sid`). */
  sessionId?: string | null | undefined;
  now?: () => Date;
}

type UserRow = typeof users.$inferSelect;

async function findExisting(db: Database, identity: DirectoryIdentity): Promise<UserRow | null> {
  const [row] = await db
    .select()
    .from(users)
    .where(
      identity.externalSubject
        ? eq(users.externalSubject, identity.externalSubject)
        : eq(users.username, identity.username),
    );
  return row ?? null;
}

/** A username not taken yet: the directory's, or with the shortest free numeric suffix. */
async function freeUsername(db: Database, wanted: string): Promise<string> {
  const taken = new Set(
    (
      await db
        .select({ username: users.username })
        .from(users)
        .where(
          inArray(users.username, [
            wanted,
            ...Array.from({ length: 20 }, (_, i) => `${wanted}-${i + 2}`),
          ]),
        )
    ).map((row) => row.username),
  );
  if (!taken.has(wanted)) return wanted;
  for (let suffix = 2; suffix <= 21; suffix += 1) {
    if (!taken.has(`${wanted}-${suffix}`)) return `${wanted}-${suffix}`;
  }
  return `${wanted}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Creates or updates the account of a directory identity and brings its directory-managed group
 * memberships in line with what the directory listed. Writes (and audits) only what changed.
 * An LDAP identity whose username belongs to a local or issuer account is refused with
 * `DirectoryAccountConflictError`: a directory must not take over an account it does not own.
 *
 * @example
 * const account = await upsertDirectoryAccount({ db, audit }, {
 *   source: 'ldap', username: 'alice', displayName: 'Alice L.', email: null, groups: ['oncology'],
 * });
 */
export async function upsertDirectoryAccount(
  options: DirectoryAccountOptions,
  identity: DirectoryIdentity,
): Promise<DirectoryAccount> {
  const { db, audit } = options;
  const now = (options.now ?? (() => new Date()))();
  const auditContext = {
    actorClient: 'server',
    requestId: options.requestId ?? null,
    ip: options.ip ?? null,
    sessionId: options.sessionId ?? null,
  };
  let row = await findExisting(db, identity);
  let created = false;
  if (row && row.source !== identity.source) {
    throw new DirectoryAccountConflictError(
      `The ${identity.source} account "${identity.username}" would take over an existing ${row.source} account.`,
    );
  }
  if (!row) {
    const account = {
      id: crypto.randomUUID(),
      username: identity.externalSubject
        ? await freeUsername(db, identity.username)
        : identity.username,
      displayName: identity.displayName,
      email: identity.email,
      systemRole: (identity.directoryAdmin ? 'admin' : 'user') as SystemRole,
      source: identity.source,
      externalSubject: identity.externalSubject ?? null,
    };
    const inserted = await db
      .insert(users)
      .values({ ...account, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) {
      row = inserted[0];
      created = true;
      await audit.record({
        ...auditContext,
        action: 'user.create',
        resourceType: 'user',
        resourceId: row.id,
        outcome: 'ok',
        actorUserId: row.id,
        before: null,
        after: publicView(row),
        details: { via: identity.source },
      });
    } else {
      // Another request created it a moment ago; continue with theirs.
      row = await findExisting(db, identity);
      if (!row || row.source !== identity.source) {
        throw new DirectoryAccountConflictError(
          `The ${identity.source} account "${identity.username}" could not be created.`,
        );
      }
    }
  }
  const stored = row.systemRole as SystemRole;
  const wanted = {
    displayName: identity.displayName,
    email: identity.email,
    systemRole: identity.directoryAdmin
      ? 'admin'
      : identity.directoryAdmin === false && stored === 'admin'
        ? 'user'
        : stored,
  };
  if (
    !created &&
    (row.displayName !== wanted.displayName ||
      row.email !== wanted.email ||
      row.systemRole !== wanted.systemRole)
  ) {
    const [updated] = await db
      .update(users)
      .set({ ...wanted, updatedAt: now })
      .where(eq(users.id, row.id))
      .returning();
    if (updated) {
      await audit.record({
        ...auditContext,
        action: 'user.update',
        resourceType: 'user',
        resourceId: row.id,
        outcome: 'ok',
        actorUserId: row.id,
        before: publicView(row),
        after: publicView(updated),
        details: { via: identity.source },
      });
      row = updated;
    }
  }
  await syncDirectoryGroups(options, row.id, identity.source, identity.groups);
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    email: row.email,
    systemRole: row.systemRole as SystemRole,
    disabled: row.disabled,
    created,
  };
}

function publicView(row: UserRow) {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    email: row.email,
    systemRole: row.systemRole,
    source: row.source,
    disabled: row.disabled,
  };
}

/** At most this many groups are taken from a directory; more is a misconfiguration. */
export const MAX_DIRECTORY_GROUPS = 500;

/**
 * Makes the user a member of exactly the listed groups among those the directory source manages,
 * creating missing ones. Memberships of local groups are left alone.
 *
 * @example
 * await syncDirectoryGroups({ db, audit }, userId, 'oidc', ['oncology', 'chemistry']);
 */
export async function syncDirectoryGroups(
  options: DirectoryAccountOptions,
  userId: string,
  source: DirectorySource,
  listed: readonly string[],
): Promise<void> {
  const { db, audit } = options;
  const names = [...new Set(listed.map((name) => name.trim()).filter((name) => name !== ''))]
    .filter((name) => name.length <= 200)
    .slice(0, MAX_DIRECTORY_GROUPS);
  const current = await db
    .select({ id: groups.id, name: groups.name })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.userId, userId), eq(groups.source, source)));
  const currentNames = new Set(current.map((group) => group.name));
  const toAdd = names.filter((name) => !currentNames.has(name));
  const toRemove = current.filter((group) => !names.includes(group.name));
  if (toAdd.length === 0 && toRemove.length === 0) return;

  const now = (options.now ?? (() => new Date()))();
  let added: string[] = [];
  if (toAdd.length > 0) {
    await db
      .insert(groups)
      .values(toAdd.map((name) => ({ id: crypto.randomUUID(), name, source, createdAt: now })))
      .onConflictDoNothing({ target: groups.name });
    const targets = await db
      .select({ id: groups.id, name: groups.name })
      .from(groups)
      .where(and(inArray(groups.name, toAdd), eq(groups.source, source)));
    if (targets.length > 0) {
      // Only what this call changed is recorded: a concurrent sync may have done it first.
      const joined = await db
        .insert(groupMembers)
        .values(targets.map((group) => ({ groupId: group.id, userId })))
        .onConflictDoNothing()
        .returning({ groupId: groupMembers.groupId });
      const joinedIds = new Set(joined.map((row) => row.groupId));
      added = targets.filter((group) => joinedIds.has(group.id)).map((group) => group.name);
    }
  }
  let leftIds = new Set<string>();
  if (toRemove.length > 0) {
    const left = await db
      .delete(groupMembers)
      .where(
        and(
          eq(groupMembers.userId, userId),
          inArray(
            groupMembers.groupId,
            toRemove.map((group) => group.id),
          ),
        ),
      )
      .returning({ groupId: groupMembers.groupId });
    leftIds = new Set(left.map((row) => row.groupId));
  }
  const removed = new Set(
    toRemove.filter((group) => leftIds.has(group.id)).map((group) => group.name),
  );
  const after = [...[...currentNames].filter((name) => !removed.has(name)), ...added].sort();
  if (added.length === 0 && removed.size === 0) return;
  await audit.record({
    action: 'user.groups.sync',
    resourceType: 'user',
    resourceId: userId,
    outcome: 'ok',
    actorUserId: userId,
    actorClient: 'server',
    requestId: options.requestId ?? null,
    ip: options.ip ?? null,
    sessionId: options.sessionId ?? null,
    before: { groups: [...currentNames].sort() },
    after: { groups: after },
    details: { via: source },
  });
}

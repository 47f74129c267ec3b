/**
 * User administration: the list every signed-in user picks grantees from (names only, unless the
 * caller may manage users), and the Admin's changes to an account (system role, disabled, display
 * name, a temporary password). Every handler first asks the policy (`requireAccess`), then
 * touches data as the caller (`store.asUser`) and records each change in the same transaction.
 *
 * Two rules keep at least one admin: an admin may not demote or disable themselves (409
 * `self_lockout`), and changes to accounts serialise on one advisory lock and re-check, under it,
 * that the caller is still an enabled admin. So whoever makes a change remains an admin after it,
 * and two admins demoting each other at the same moment cannot both succeed.
 */
import { randomBytes } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { asc, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { isAllowed, refuseAccess, requestActor, requireAccess } from '../authz/index.ts';
import { ConflictError, NotFoundError, validationHook } from '../errors/index.ts';
import { endSignInsOf, hashPassword } from '../identity/index.ts';
import { IdParamsSchema, NameSchema, errorResponses } from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';

const { users } = schema;

type UserRow = typeof users.$inferSelect;

const ACCOUNTS_LOCK = sql`pg_advisory_xact_lock(hashtext('enclave.users.admin'))`;

const SystemRoleSchema = z.enum(['admin', 'user', 'viewer']);

export const UserSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    systemRole: SystemRoleSchema.optional(),
    disabled: z.boolean().optional(),
    source: z.enum(['local', 'ldap', 'oidc']).optional(),
    email: z.string().nullable().optional(),
    mustChangePassword: z.boolean().optional(),
  })
  .openapi('User', {
    description:
      'id, username and displayName for everyone; the other fields only for those who may manage users (Admins).',
  });

const UserListSchema = z.object({ users: z.array(UserSchema) }).openapi('UserList');

const UpdateUserSchema = z
  .object({
    systemRole: SystemRoleSchema.optional(),
    disabled: z.boolean().optional(),
    displayName: NameSchema.optional(),
  })
  .strict()
  .refine(
    (body) =>
      body.systemRole !== undefined ||
      body.disabled !== undefined ||
      body.displayName !== undefined,
    { message: 'systemRole, disabled or displayName is required' },
  )
  .openapi('UpdateUser');

const PasswordResetSchema = z
  .object({
    userId: z.uuid(),
    username: z.string(),
    temporaryPassword: z.string().openapi({
      description: 'Shown this once; the user must choose a new password when signing in with it.',
    }),
    mustChangePassword: z.literal(true),
  })
  .openapi('PasswordReset');

type PublicUser = z.infer<typeof UserSchema>;

function basicView(row: UserRow): PublicUser {
  return { id: row.id, username: row.username, displayName: row.displayName };
}

/** What an admin sees of an account; also the state audit events record (never the hash). */
export function adminView(row: UserRow) {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    systemRole: row.systemRole as z.infer<typeof SystemRoleSchema>,
    disabled: row.disabled,
    source: row.source as 'local' | 'ldap' | 'oidc',
    email: row.email,
    mustChangePassword: row.mustChangePassword,
  };
}

/**
 * What `user.update` records before and after: the fields an Admin changes, and nothing a
 * password reset or a sign-in changes, so that reverting an edit is not blocked by them.
 */
export function accountState(row: UserRow) {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    systemRole: row.systemRole as z.infer<typeof SystemRoleSchema>,
    disabled: row.disabled,
  };
}

/** 144 random bits in URL-safe characters: strong, and easy to pass on without mistakes. */
function temporaryPassword(): string {
  return randomBytes(18).toString('base64url');
}

function directoryName(source: string) {
  return source === 'ldap' ? 'The LDAP directory' : 'The identity provider';
}

/**
 * Takes the accounts lock and checks that the caller is still an enabled admin: the policy
 * decided on what it read before this transaction, and another admin may have demoted or
 * disabled the caller since.
 */
async function lockAsAdmin(db: Database, callerId: string): Promise<string | null> {
  await db.execute(sql`select ${ACCOUNTS_LOCK}`);
  const [caller] = await db
    .select({ role: users.systemRole, disabled: users.disabled })
    .from(users)
    .where(eq(users.id, callerId));
  if (!caller || caller.disabled || caller.role !== 'admin') {
    return 'Only admins may manage users; your account is no longer one.';
  }
  return null;
}

async function lockUser(db: Database, id: string): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).for('update');
  if (!row) throw new NotFoundError('No user with this id, or you may not see it.');
  return row;
}

/** What an Admin may change on an account; an update and its revert both go through it. */
export interface AccountChanges {
  systemRole?: 'admin' | 'user' | 'viewer' | undefined;
  disabled?: boolean | undefined;
  displayName?: string | undefined;
}

/**
 * Changes an account under the accounts lock, with the rules that keep an enabled admin: the
 * caller must still be one (else a refusal to record as denied), may not demote or disable
 * themselves (409 `self_lockout`), and a directory's account keeps its name (409
 * `directory_managed`). `after` is undefined when nothing changed.
 *
 * @example
 * const change = await changeAccount(db, callerId, id, { disabled: true });
 */
export async function changeAccount(
  db: Database,
  callerId: string,
  id: string,
  changes: AccountChanges,
): Promise<Refusal | { before: UserRow; after: UserRow | undefined }> {
  const stale = await lockAsAdmin(db, callerId);
  if (stale) return { refused: stale };
  const before = await lockUser(db, id);
  const demotes = changes.systemRole !== undefined && changes.systemRole !== 'admin';
  if (id === callerId && (demotes || changes.disabled === true)) {
    throw new ConflictError(
      'You cannot demote or disable yourself; ask another admin.',
      'self_lockout',
    );
  }
  const renames = changes.displayName !== undefined && changes.displayName !== before.displayName;
  if (renames && before.source !== 'local') {
    throw new ConflictError(
      `${directoryName(before.source)} keeps this account's name; change it there.`,
      'directory_managed',
    );
  }
  const set = {
    ...(changes.systemRole !== undefined ? { systemRole: changes.systemRole } : {}),
    ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
    ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
  };
  const changed = Object.entries(set).some(
    ([key, value]) => before[key as keyof UserRow] !== value,
  );
  if (!changed) return { before, after: undefined };
  const [after] = await db
    .update(users)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  if (!after) throw new NotFoundError('The user is gone.');
  return { before, after };
}

const tags = ['users'];
const security = [{ DPoP: [] }];

const listUsersRoute = createRoute({
  method: 'get',
  path: '/users',
  tags,
  security,
  summary: 'Every account (names only, unless the caller is an Admin)',
  responses: {
    200: { description: 'The users.', content: { 'application/json': { schema: UserListSchema } } },
  },
});

const updateUserRoute = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags,
  security,
  summary: "Change an account's system role, disabled flag or display name (Admins)",
  description:
    'Disabling takes effect on the account’s very next request. An admin cannot demote or disable themselves.',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateUserSchema } } },
  },
  responses: {
    200: {
      description: 'The account after the change.',
      content: { 'application/json': { schema: UserSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
  },
});

const resetPasswordRoute = createRoute({
  method: 'post',
  path: '/users/{id}/password-reset',
  tags,
  security,
  summary: 'Give a local account a temporary password, shown once (Admins)',
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The temporary password; it is not stored in the clear and not shown again.',
      content: { 'application/json': { schema: PasswordResetSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
  },
});

/** A refusal decided inside a transaction; recorded and answered after it. */
export interface Refusal {
  refused: string;
}

/**
 * Ends the account's sign-ins after its change committed, so that a re-enabled account does not
 * find its old tokens working again and a reset password is the only way back in.
 */
async function endSignIns(c: Context<AppEnv>, userId: string, reason: string) {
  const ended = await endSignInsOf(c.var.store.db, userId);
  await c.var.audit.record({
    ...requestActor(c),
    action: 'user.sign-ins.end',
    resourceType: 'user',
    resourceId: userId,
    outcome: 'ok',
    details: { reason, recordsRemoved: ended },
  });
}

/**
 * The user routes, to mount under `/api/v1` behind authentication.
 *
 * @example
 * api.route('/', userRoutes());
 */
export function userRoutes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listUsersRoute, async (c) => {
      const { subject, rules } = await requireAccess(c, 'user.list', { type: 'system' });
      const full = isAllowed(subject, 'user.manage', { type: 'system' }, rules);
      const rows = await c.var.store.asUser(subject.userId, (db) =>
        db.select().from(users).orderBy(asc(users.username)),
      );
      c.header('Cache-Control', 'no-store');
      return c.json({ users: rows.map((row) => (full ? adminView(row) : basicView(row))) }, 200);
    })
    .openapi(updateUserRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject } = await requireAccess(c, 'user.manage', { type: 'system' });
      const result = await c.var.store.asUser(
        subject.userId,
        async (db): Promise<UserRow | Refusal> => {
          const change = await changeAccount(db, subject.userId, id, body);
          if ('refused' in change) return change;
          const { before, after } = change;
          if (!after) return before;
          await c.var.audit.record(
            {
              ...requestActor(c),
              action: 'user.update',
              resourceType: 'user',
              resourceId: id,
              outcome: 'ok',
              before: accountState(before),
              after: accountState(after),
            },
            db,
          );
          return after;
        },
      );
      if ('refused' in result)
        return refuseAccess(c, 'user.manage', { type: 'user', id }, result.refused);
      if (body.disabled === true) await endSignIns(c, id, 'account disabled');
      return c.json(adminView(result), 200);
    })
    .openapi(resetPasswordRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'user.manage', { type: 'system' });
      const password = temporaryPassword();
      // Hashed before the transaction: scrypt takes tens of milliseconds, locks need not wait.
      const passwordHash = await hashPassword(password);
      const result = await c.var.store.asUser(
        subject.userId,
        async (db): Promise<UserRow | Refusal> => {
          const stale = await lockAsAdmin(db, subject.userId);
          if (stale) return { refused: stale };
          const before = await lockUser(db, id);
          if (before.source !== 'local') {
            throw new ConflictError(
              `${directoryName(before.source)} keeps this account's password; reset it there.`,
              'directory_managed',
            );
          }
          const [after] = await db
            .update(users)
            .set({ passwordHash, mustChangePassword: true, updatedAt: new Date() })
            .where(eq(users.id, id))
            .returning();
          if (!after) throw new NotFoundError('The user is gone.');
          // The state, not the secret: neither the password nor its hash goes into the trail.
          await c.var.audit.record(
            {
              ...requestActor(c),
              action: 'user.password.reset',
              resourceType: 'user',
              resourceId: id,
              outcome: 'ok',
              before: { id, mustChangePassword: before.mustChangePassword },
              after: { id, mustChangePassword: true },
            },
            db,
          );
          return after;
        },
      );
      if ('refused' in result)
        return refuseAccess(c, 'user.manage', { type: 'user', id }, result.refused);
      await endSignIns(c, id, 'password reset');
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          userId: result.id,
          username: result.username,
          temporaryPassword: password,
          mustChangePassword: true as const,
        },
        200,
      );
    });
}

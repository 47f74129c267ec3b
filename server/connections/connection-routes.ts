/**
 * Connections to external databases and their grants. Every handler first asks the policy
 * (`requireAccess`), then touches data as the caller (`store.asUser`), and records each change in
 * the same transaction. The password is accepted and sealed here and never leaves: responses say
 * `hasPassword: true`, audit events record the settings and `passwordChanged`, never the secret;
 * a deletion or a password change snapshots the sealed row (`details.snapshotId`) so that a revert
 * can put the secret back without it ever appearing in an event.
 */
import { createHash } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import {
  allowedActions,
  currentSubject,
  isAllowed,
  keepsAnEnabledHolder,
  loadResourceFacts,
  granteeOf,
  loadRules,
  requestActor,
  requireAccess,
  type AccessRule,
  type ConnectionGrant,
  type ConnectionPermission,
  type ResourceFacts,
  type Subject,
} from '../authz/index.ts';
import { captureRows } from '../audit/index.ts';
import { ALLOWED_HOSTS_SETTING } from '../data-sources/index.ts';
import { ApiError, ConflictError, NotFoundError, validationHook } from '../errors/index.ts';
import {
  IdParamsSchema,
  NameSchema,
  PrincipalRefSchema,
  errorResponses,
} from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';
import {
  HostSchema,
  PasswordSchema,
  PgNameSchema,
  PortSchema,
  SETTINGS_BOUND_TO_PASSWORD,
  SslSchema,
  secretContext,
  storedSettings,
  type ConnectionSettings,
} from './connection-settings.ts';
import { connectionQueryRoutes, type ConnectionRoutesOptions } from './query-route.ts';

const { connections, connectionGrants, users, groups } = schema;

type ConnectionFacts = Extract<ResourceFacts, { type: 'connection' }>;
type ConnectionRow = typeof connections.$inferSelect;

const PermissionSchema = z.enum(['use', 'edit']);

/**
 * A connection as every response shows it: the settings and `hasPassword`, never the password.
 *
 * @example
 * const connection: z.infer<typeof ConnectionSchema> = await (await fetch(url)).json();
 */
export const ConnectionSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['postgres']),
    host: z.string(),
    port: z.number().int(),
    database: z.string(),
    user: z.string(),
    ssl: z.boolean(),
    hasPassword: z.literal(true).openapi({
      description: 'A password is stored. It is write-only: no response ever carries it.',
    }),
    tags: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    myPermission: PermissionSchema.nullable().openapi({
      description: "The caller's strongest grant on the connection (null for none, e.g. Admins).",
    }),
    allowedActions: z.array(z.string()).openapi({
      description: 'What the caller may do with this connection, for the UI to offer only that.',
    }),
  })
  .openapi('Connection');

const ConnectionListSchema = z
  .object({ connections: z.array(ConnectionSchema) })
  .openapi('ConnectionList');

const CreateConnectionSchema = z
  .object({
    name: NameSchema,
    kind: z.enum(['postgres']),
    host: HostSchema,
    port: PortSchema,
    database: PgNameSchema,
    user: PgNameSchema,
    password: PasswordSchema,
    ssl: SslSchema.optional(),
  })
  .strict()
  .openapi('CreateConnection');

const UpdateConnectionSchema = z
  .object({
    name: NameSchema.optional(),
    host: HostSchema.optional(),
    port: PortSchema.optional(),
    database: PgNameSchema.optional(),
    user: PgNameSchema.optional(),
    password: PasswordSchema.optional(),
    ssl: SslSchema.optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'at least one field is required',
  })
  .openapi('UpdateConnection', {
    description:
      'Changing host, port, user or ssl needs `password` in the same request: the stored password is never sent anywhere it was not entered for.',
  });

/**
 * One grant on a connection, with the name of who holds it.
 *
 * @example
 * { principal: { type: 'group', id, name: 'chemists' }, permission: 'use' }
 */
export const ConnectionGrantSchema = z
  .object({
    principal: z.object({ type: z.enum(['user', 'group']), id: z.uuid(), name: z.string() }),
    permission: PermissionSchema,
  })
  .openapi('ConnectionGrant');

const GrantListSchema = z
  .object({ grants: z.array(ConnectionGrantSchema) })
  .openapi('ConnectionGrantList');

const PutGrantSchema = z
  .object({
    principal: PrincipalRefSchema,
    permission: PermissionSchema.nullable().openapi({
      description: '`use` runs queries, `edit` also changes the connection; null removes.',
    }),
  })
  .strict()
  .openapi('PutConnectionGrant');

/**
 * A change of where the password goes that did not carry the password again.
 *
 * @example
 * if (hostChanged && body.password === undefined) throw new PasswordRequiredError(['host']);
 */
export class PasswordRequiredError extends ApiError {
  constructor(fields: readonly string[]) {
    super(
      400,
      'password_required',
      `Changing ${fields.join(', ')} needs the password in the same request: the stored password is only ever sent where it was entered for.`,
    );
  }
}

/**
 * A host the administrator's allow-list can never let a query reach: a name no entry matches
 * when the list has no address entries, or an address outside every entry. (A name that only
 * an address entry could allow is accepted; where it resolves decides at query time.)
 *
 * @example
 * if (!allowedHosts.mayAllow(body.host)) throw new HostNotAllowedError(body.host);
 */
export class HostNotAllowedError extends ApiError {
  constructor(host: string) {
    super(
      400,
      'host_not_allowed',
      `Connections may not reach "${host}": it is not in ${ALLOWED_HOSTS_SETTING}, the administrator's list of hosts connections may reach.`,
    );
  }
}

const connectionMissing = () =>
  new NotFoundError('No connection with this id, or you may not see it.');

/** The caller's own strongest grant (directly or through a group), whatever the system role. */
function heldPermission(subject: Subject, facts: ConnectionFacts): ConnectionPermission | null {
  let held: ConnectionPermission | null = null;
  for (const grant of facts.grants) {
    const mine =
      grant.grantee.type === 'user'
        ? grant.grantee.id === subject.userId
        : subject.groups.some((group) => group.id === grant.grantee.id);
    if (mine && (held === null || grant.permission === 'edit')) held = grant.permission;
  }
  return held;
}

function connectionView(
  row: ConnectionRow,
  subject: Subject,
  facts: ConnectionFacts,
  rules: readonly AccessRule[],
): z.infer<typeof ConnectionSchema> {
  const settings = storedSettings(row.settings);
  return {
    id: row.id,
    name: row.name,
    kind: 'postgres',
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    ssl: settings.ssl,
    hasPassword: true,
    tags: row.tags,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    myPermission: heldPermission(subject, facts),
    allowedActions: allowedActions(subject, facts, rules),
  };
}

/**
 * Names the stored password without revealing it: a digest of the sealed bytes (sealed under a
 * fresh key and nonce each time), so it changes whenever the password is replaced and a state
 * with it tells a revert whether the password is still the one an event left.
 */
function passwordStamp(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** The state an audit event records for a connection: everything but the secret. */
export function connectionState(row: ConnectionRow) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    settings: storedSettings(row.settings),
    passwordStamp: passwordStamp(row.secret),
    tags: row.tags,
  };
}

/** The grants of some connections, with the names of who holds them. */
async function loadGrants(db: Database, connectionIds: string[]) {
  if (connectionIds.length === 0) return [];
  const rows = await db
    .select({
      connectionId: connectionGrants.connectionId,
      permission: connectionGrants.permission,
      userId: users.id,
      username: users.username,
      groupId: groups.id,
      groupName: groups.name,
    })
    .from(connectionGrants)
    .leftJoin(users, eq(users.id, connectionGrants.userId))
    .leftJoin(groups, eq(groups.id, connectionGrants.groupId))
    .where(inArray(connectionGrants.connectionId, connectionIds))
    .orderBy(asc(connectionGrants.createdAt));
  return rows.map((row) => ({
    connectionId: row.connectionId,
    principal: granteeOf(row),
    permission: row.permission as ConnectionPermission,
  }));
}

export async function grantsOf(db: Database, connectionId: string) {
  return (await loadGrants(db, [connectionId])).map(({ principal, permission }) => ({
    principal,
    permission,
  }));
}

async function freshView(c: Context<AppEnv>, row: ConnectionRow) {
  const subject = await currentSubject(c);
  const [facts, rules] = await Promise.all([
    loadResourceFacts(c.var.store.db, { type: 'connection', id: row.id }),
    loadRules(c.var.store.db),
  ]);
  if (!facts || facts.type !== 'connection') throw connectionMissing();
  return connectionView(row, subject, facts, rules);
}

const tags = ['connections'];
const security = [{ DPoP: [] }];

const listConnectionsRoute = createRoute({
  method: 'get',
  path: '/connections',
  tags,
  security,
  summary: 'Connections the caller holds a grant on (Admins: all)',
  responses: {
    200: {
      description: 'The connections.',
      content: { 'application/json': { schema: ConnectionListSchema } },
    },
  },
});

const createConnectionRoute = createRoute({
  method: 'post',
  path: '/connections',
  tags,
  security,
  summary: 'Create a connection (the caller gets an `edit` grant on it)',
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateConnectionSchema } } },
  },
  responses: {
    201: {
      description: 'Created.',
      content: { 'application/json': { schema: ConnectionSchema } },
    },
    ...errorResponses(400, 403),
  },
});

const getConnectionRoute = createRoute({
  method: 'get',
  path: '/connections/{id}',
  tags,
  security,
  summary: 'One connection (needs a `use` grant)',
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The connection.',
      content: { 'application/json': { schema: ConnectionSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const updateConnectionRoute = createRoute({
  method: 'patch',
  path: '/connections/{id}',
  tags,
  security,
  summary: 'Change a connection or replace its password (needs `edit`)',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateConnectionSchema } } },
  },
  responses: {
    200: {
      description: 'The changed connection.',
      content: { 'application/json': { schema: ConnectionSchema } },
    },
    ...errorResponses(400, 403, 404),
  },
});

const deleteConnectionRoute = createRoute({
  method: 'delete',
  path: '/connections/{id}',
  tags,
  security,
  summary: 'Delete a connection with its grants and stored password (needs `edit`)',
  request: { params: IdParamsSchema },
  responses: { 204: { description: 'Deleted.' }, ...errorResponses(400, 403, 404) },
});

const listGrantsRoute = createRoute({
  method: 'get',
  path: '/connections/{id}/grants',
  tags,
  security,
  summary: "A connection's grants (needs `use`)",
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The grants.',
      content: { 'application/json': { schema: GrantListSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const putGrantRoute = createRoute({
  method: 'put',
  path: '/connections/{id}/grants',
  tags,
  security,
  summary: 'Grant, change or remove (`permission: null`) a grant (needs `edit`)',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: PutGrantSchema } } },
  },
  responses: {
    200: {
      description: 'The grants after the change.',
      content: { 'application/json': { schema: GrantListSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
  },
});

export async function principalName(db: Database, type: 'user' | 'group', id: string) {
  if (type === 'user') {
    const [user] = await db.select({ name: users.username }).from(users).where(eq(users.id, id));
    return user?.name;
  }
  const [group] = await db.select({ name: groups.name }).from(groups).where(eq(groups.id, id));
  return group?.name;
}

/**
 * Refuses a change to a grant that would leave no enabled user who may edit the connection (see
 * `keepsAnEnabledHolder`: an `edit` grant to an empty group or a disabled account counts for
 * nobody).
 */
export async function ensureAnEditorRemains(
  db: Database,
  grants: Awaited<ReturnType<typeof grantsOf>>,
  target: { type: 'user' | 'group'; id: string },
  permission: ConnectionPermission | null,
) {
  const levels = grants.map((grant) => ({ grantee: grant.principal, level: grant.permission }));
  if (await keepsAnEnabledHolder(db, 'edit', levels, { grantee: target, level: permission })) {
    return;
  }
  throw new ConflictError(
    'A connection needs an enabled user who may edit it (directly or through a group with members): give someone else `edit` first.',
    'last_editor',
  );
}

/** The connection row, locked for the rest of the transaction; 404 when it is gone. */
export async function lockedConnection(db: Database, id: string): Promise<ConnectionRow> {
  const [row] = await db.select().from(connections).where(eq(connections.id, id)).for('update');
  if (!row) throw connectionMissing();
  return row;
}

/**
 * The connection routes, to mount under `/api/v1` behind authentication; the limits bound every
 * query run through a connection, and `allowedHosts` says where connections may point (checked
 * when a host is set, and again before every query).
 *
 * @example
 * api.route('/', connectionRoutes({ statementTimeoutMs: 30_000, rowLimit: 100_000, allowedHosts }));
 */
export function connectionRoutes(options: ConnectionRoutesOptions) {
  const { allowedHosts } = options;
  /** Refuses, before anything is stored, a host no query could ever be allowed to reach. */
  const requireAllowedHost = (host: string) => {
    if (!allowedHosts.mayAllow(host)) throw new HostNotAllowedError(host);
  };
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listConnectionsRoute, async (c) => {
      await requireAccess(c, 'connection.list', { type: 'system' });
      const subject = await currentSubject(c);
      const rules = await loadRules(c.var.store.db);
      const { rows, grants } = await c.var.store.asUser(subject.userId, async (db) => {
        const rows = await db.select().from(connections).orderBy(asc(connections.name));
        return {
          rows,
          grants: await loadGrants(
            db,
            rows.map((row) => row.id),
          ),
        };
      });
      const visible = [];
      for (const row of rows) {
        const facts: ConnectionFacts = {
          type: 'connection',
          id: row.id,
          name: row.name,
          tags: row.tags,
          grants: grants
            .filter((grant) => grant.connectionId === row.id)
            .map((grant): ConnectionGrant => ({
              grantee: grant.principal,
              permission: grant.permission,
            })),
        };
        if (!isAllowed(subject, 'connection.view', facts, rules)) continue;
        visible.push(connectionView(row, subject, facts, rules));
      }
      return c.json({ connections: visible }, 200);
    })
    .openapi(createConnectionRoute, async (c) => {
      await requireAccess(c, 'connection.create', { type: 'system' });
      const body = c.req.valid('json');
      requireAllowedHost(body.host);
      const userId = c.var.principal.userId;
      const id = crypto.randomUUID();
      const now = new Date();
      const settings: ConnectionSettings = {
        host: body.host,
        port: body.port,
        database: body.database,
        user: body.user,
        ssl: body.ssl ?? true,
      };
      const wrappedKey = c.var.keyring.createDataKey();
      const secret = c.var.keyring.sealText(wrappedKey, body.password, secretContext(id));
      const row = await c.var.store.asUser(userId, async (db) => {
        const [created] = await db
          .insert(connections)
          .values({
            id,
            name: body.name,
            kind: body.kind,
            settings,
            wrappedKey: Buffer.from(wrappedKey),
            secret: Buffer.from(secret),
            createdBy: userId,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (!created) throw new Error('the new connection was not stored');
        await db.insert(connectionGrants).values({
          id: crypto.randomUUID(),
          connectionId: id,
          userId,
          permission: 'edit',
          createdAt: now,
        });
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'connection.create',
            resourceType: 'connection',
            resourceId: id,
            outcome: 'ok',
            after: {
              ...connectionState(created),
              hasPassword: true,
              grants: [{ type: 'user', id: userId, permission: 'edit' }],
            },
          },
          db,
        );
        return created;
      });
      return c.json(await freshView(c, row), 201);
    })
    .openapi(getConnectionRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, facts, rules } = await requireAccess(c, 'connection.view', {
        type: 'connection',
        id,
      });
      const [row] = await c.var.store.asUser(subject.userId, (db) =>
        db.select().from(connections).where(eq(connections.id, id)),
      );
      if (!row) throw connectionMissing();
      return c.json(connectionView(row, subject, facts, rules), 200);
    })
    .openapi(updateConnectionRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject } = await requireAccess(c, 'connection.update', { type: 'connection', id });
      const row = await c.var.store.asUser(subject.userId, async (db) => {
        const before = await lockedConnection(db, id);
        const current = storedSettings(before.settings);
        const next: ConnectionSettings = {
          host: body.host ?? current.host,
          port: body.port ?? current.port,
          database: body.database ?? current.database,
          user: body.user ?? current.user,
          ssl: body.ssl ?? current.ssl,
        };
        // Before the password rule: a host that can never work is the first thing to hear about.
        if (next.host !== current.host) requireAllowedHost(next.host);
        const moved = SETTINGS_BOUND_TO_PASSWORD.filter((field) => next[field] !== current[field]);
        if (moved.length > 0 && body.password === undefined) throw new PasswordRequiredError(moved);
        // The sealed password it replaces, kept for a revert of this change (never in the event).
        const snapshotId =
          body.password === undefined
            ? undefined
            : await captureRows(db, [{ table: 'connections', where: sql`id = ${id}` }]);
        const sealed =
          body.password === undefined
            ? {}
            : (() => {
                // A new password gets a new data key: nothing sealed before opens with it.
                const wrappedKey = c.var.keyring.createDataKey();
                const secret = c.var.keyring.sealText(wrappedKey, body.password, secretContext(id));
                return { wrappedKey: Buffer.from(wrappedKey), secret: Buffer.from(secret) };
              })();
        const [after] = await db
          .update(connections)
          .set({
            ...(body.name !== undefined ? { name: body.name } : {}),
            settings: next,
            ...sealed,
            updatedAt: new Date(),
          })
          .where(eq(connections.id, id))
          .returning();
        if (!after) throw connectionMissing();
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'connection.update',
            resourceType: 'connection',
            resourceId: id,
            outcome: 'ok',
            details: { passwordChanged: body.password !== undefined, snapshotId },
            before: connectionState(before),
            after: connectionState(after),
          },
          db,
        );
        return after;
      });
      return c.json(await freshView(c, row), 200);
    })
    .openapi(deleteConnectionRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'connection.delete', { type: 'connection', id });
      await c.var.store.asUser(subject.userId, async (db) => {
        const before = await lockedConnection(db, id);
        const grants = await grantsOf(db, id);
        // Parents first: restoring the snapshot re-inserts in this order.
        const snapshotId = await captureRows(db, [
          { table: 'connections', where: sql`id = ${id}` },
          { table: 'connection_grants', where: sql`connection_id = ${id}` },
        ]);
        await db.delete(connections).where(eq(connections.id, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'connection.delete',
            resourceType: 'connection',
            resourceId: id,
            outcome: 'ok',
            details: { snapshotId },
            before: { ...connectionState(before), grants },
          },
          db,
        );
      });
      return c.body(null, 204);
    })
    .openapi(listGrantsRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'connection.view', { type: 'connection', id });
      const grants = await c.var.store.asUser(subject.userId, (db) => grantsOf(db, id));
      return c.json({ grants }, 200);
    })
    .openapi(putGrantRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { principal, permission } = c.req.valid('json');
      const { subject } = await requireAccess(c, 'connection.grants.manage', {
        type: 'connection',
        id,
      });
      const grants = await c.var.store.asUser(subject.userId, async (db) => {
        // Serialises grant changes of one connection, so two removals cannot both pass the
        // last-editor check.
        await lockedConnection(db, id);
        const name = await principalName(db, principal.type, principal.id);
        if (name === undefined) throw new NotFoundError(`No ${principal.type} with this id.`);
        const before = await grantsOf(db, id);
        const existing = before.find(
          (grant) => grant.principal.type === principal.type && grant.principal.id === principal.id,
        );
        if (!existing && permission === null) {
          throw new NotFoundError(`The ${principal.type} holds no grant on this connection.`);
        }
        await ensureAnEditorRemains(db, before, principal, permission);
        const column =
          principal.type === 'user' ? connectionGrants.userId : connectionGrants.groupId;
        const target = and(eq(connectionGrants.connectionId, id), eq(column, principal.id));
        if (permission === null) {
          await db.delete(connectionGrants).where(target);
        } else if (existing) {
          await db.update(connectionGrants).set({ permission }).where(target);
        } else {
          await db.insert(connectionGrants).values({
            id: crypto.randomUUID(),
            connectionId: id,
            ...(principal.type === 'user' ? { userId: principal.id } : { groupId: principal.id }),
            permission,
            createdAt: new Date(),
          });
        }
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: permission === null ? 'connection.grants.remove' : 'connection.grants.update',
            resourceType: 'connection_grant',
            resourceId: `${id}/${principal.type}/${principal.id}`,
            outcome: 'ok',
            before: existing ?? null,
            after: permission === null ? null : { principal: { ...principal, name }, permission },
          },
          db,
        );
        return grantsOf(db, id);
      });
      return c.json({ grants }, 200);
    })
    .route('/', connectionQueryRoutes(options));
}

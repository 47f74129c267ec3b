/**
 * How the audit trail's revert undoes connection changes (see server/audit/reverter.ts): a
 * creation by deleting the connection, a deletion by putting it back from its snapshot (same id,
 * sealed password and grants), an update by writing the recorded settings back, and a grant
 * change by setting the grant as it was. The states read and returned are exactly those the
 * routes record.
 *
 * Passwords never appear in a state; `passwordStamp` (a digest of the sealed bytes) says which
 * one is stored. An update that replaced the password snapshots the sealed row first
 * (`details.snapshotId`), and its revert puts that sealed secret back together with the settings
 * it was entered for. Without that snapshot the revert is refused (422): writing the old host back
 * with the new password would send a password where it was not entered for.
 *
 * `current`/`restore` run in the revert's own transaction on the server's role; `authorize` asks
 * the policy for the undoing change as if the caller made it by hand now.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import {
  NotRevertibleError,
  captureRevertedRows,
  restoreRows,
  undoingKind,
  type JsonValue,
  type Reverter,
  type RevertibleChange,
} from '../audit/index.ts';
import { requireAccess } from '../authz/index.ts';
import { ConflictError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import {
  connectionState,
  ensureAnEditorRemains,
  grantsOf,
  principalName,
} from './connection-routes.ts';
import { SETTINGS_BOUND_TO_PASSWORD, storedSettings } from './connection-settings.ts';

const { connections, connectionGrants } = schema;

type ConnectionRow = typeof connections.$inferSelect;
type PrincipalType = 'user' | 'group';
type Permission = 'use' | 'edit';

function isRecord(value: JsonValue | null | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function gone(what: string): ConflictError {
  return new ConflictError(
    `${what} no longer exists: it was deleted after this change. Revert its deletion first.`,
    'revert_conflict',
  );
}

async function requireExistingConnection(c: Context<AppEnv>, id: string) {
  const [row] = await c.var.store.db
    .select({ id: connections.id })
    .from(connections)
    .where(eq(connections.id, id));
  if (!row) throw gone(`Connection ${id}`);
}

async function lockedRow(db: Database, id: string): Promise<ConnectionRow | undefined> {
  const [row] = await db.select().from(connections).where(eq(connections.id, id)).for('update');
  return row;
}

function requireSnapshot(change: RevertibleChange, what: string): string {
  if (!change.snapshotId) {
    throw new NotRevertibleError(
      `Event ${change.event.id} kept no snapshot of ${what}, so it cannot be brought back.`,
    );
  }
  return change.snapshotId;
}

/** The state in the shape `action` records it (see the routes). */
async function stateFor(db: Database, action: string, row: ConnectionRow): Promise<JsonValue> {
  if (action === 'connection.update') return connectionState(row) as unknown as JsonValue;
  if (action === 'connection.delete') {
    return { ...connectionState(row), grants: await grantsOf(db, row.id) } as unknown as JsonValue;
  }
  const grants = await db
    .select()
    .from(connectionGrants)
    .where(eq(connectionGrants.connectionId, row.id))
    .orderBy(connectionGrants.createdAt);
  return {
    ...connectionState(row),
    hasPassword: true,
    grants: grants.map((grant) => ({
      type: grant.userId !== null ? 'user' : 'group',
      id: grant.userId ?? grant.groupId ?? '',
      permission: grant.permission,
    })),
  } as unknown as JsonValue;
}

/** The connection and its grants, parents first, as a snapshot restores them. */
function connectionRows(id: string) {
  return [
    { table: 'connections', where: sql`id = ${id}` },
    { table: 'connection_grants', where: sql`connection_id = ${id}` },
  ];
}

function stampOf(state: JsonValue | null): string | undefined {
  return isRecord(state) && typeof state.passwordStamp === 'string'
    ? state.passwordStamp
    : undefined;
}

/** Puts back the sealed password (and its wrapped key) a snapshot kept of the connection's row. */
async function restoreSecret(db: Database, id: string, snapshotId: string) {
  await db.execute(sql`
    update connections set wrapped_key = kept.wrapped_key, secret = kept.secret
    from revert_snapshot_rows r, jsonb_populate_record(null::connections, r.row_data) kept
    where r.snapshot_id = ${snapshotId} and r.table_name = 'connections'
      and kept.id = ${id} and connections.id = ${id}`);
}

/** Principals named in a recorded `grants` list that no longer exist. */
async function missingPrincipals(db: Database, grants: JsonValue | undefined) {
  const missing: string[] = [];
  for (const grant of Array.isArray(grants) ? grants : []) {
    const principal = isRecord(grant) && isRecord(grant.principal) ? grant.principal : null;
    if (!principal) continue;
    const { type, id } = principal;
    if ((type !== 'user' && type !== 'group') || typeof id !== 'string') continue;
    if ((await principalName(db, type, id)) === undefined) missing.push(`${type} ${id}`);
  }
  return missing;
}

/** Writes an update's `before` back, the sealed password with it when the update replaced it. */
async function updateBack(db: Database, change: RevertibleChange): Promise<void> {
  const id = change.resourceId;
  const row = await lockedRow(db, id);
  if (!row || !isRecord(change.before)) throw gone(`Connection ${id}`);
  const target = change.before;
  const settings = storedSettings(target.settings);
  const wanted = stampOf(target);
  const stored = connectionState(row).passwordStamp;
  if (wanted !== undefined && wanted !== stored) {
    const snapshotId = requireSnapshot(change, 'the password it replaced');
    // Kept for reverting this revert: the password it is about to replace.
    await captureRevertedRows(db, change, [{ table: 'connections', where: sql`id = ${id}` }]);
    await restoreSecret(db, id, snapshotId);
    const [restored] = await db.select().from(connections).where(eq(connections.id, id));
    if (!restored || connectionState(restored).passwordStamp !== wanted) {
      throw new NotRevertibleError(
        `The snapshot of event ${change.event.id} does not hold the password the connection had; edit the connection and enter it again.`,
      );
    }
  } else if (wanted === undefined) {
    const now = storedSettings(row.settings);
    const moved = SETTINGS_BOUND_TO_PASSWORD.filter((field) => settings[field] !== now[field]);
    if (moved.length > 0) {
      throw new NotRevertibleError(
        `Writing back ${moved.join(', ')} needs the password entered for them, which event ${change.event.id} did not keep.`,
      );
    }
  }
  await db
    .update(connections)
    .set({
      name: typeof target.name === 'string' ? target.name : row.name,
      settings,
      updatedAt: new Date(),
    })
    .where(eq(connections.id, id));
}

/** Creation, update and deletion of a connection. */
const connectionReverter: Reverter = {
  resourceType: 'connection',
  actions: ['connection.create', 'connection.update', 'connection.delete'],
  async authorize(c, change) {
    const id = change.resourceId;
    switch (undoingKind(change)) {
      case 'remove':
        await requireExistingConnection(c, id);
        await requireAccess(c, 'connection.delete', { type: 'connection', id });
        return;
      case 'recreate':
        requireSnapshot(change, 'the connection and its sealed password');
        await requireAccess(c, 'connection.create', { type: 'system' });
        return;
      case 'update':
        await requireExistingConnection(c, id);
        await requireAccess(c, 'connection.update', { type: 'connection', id });
        if (stampOf(change.before) !== stampOf(change.after)) {
          requireSnapshot(change, 'the password it replaced');
        }
    }
  },
  async current(db, change) {
    const row = await lockedRow(db, change.resourceId);
    return row ? stateFor(db, change.action, row) : null;
  },
  async restore(db, change) {
    const id = change.resourceId;
    switch (undoingKind(change)) {
      case 'remove':
        await captureRevertedRows(db, change, connectionRows(id));
        await db.delete(connections).where(eq(connections.id, id));
        return null;
      case 'recreate': {
        const grants = isRecord(change.before) ? change.before.grants : undefined;
        const missing = await missingPrincipals(db, grants);
        if (missing.length > 0) {
          throw new ConflictError(
            `The connection's grants name ${missing.join(', ')}, which no longer exist; it cannot be put back with them.`,
            'revert_conflict',
          );
        }
        const snapshotId = requireSnapshot(change, 'the connection and its sealed password');
        if ((await restoreRows(db, snapshotId)) === 0) {
          throw new NotRevertibleError(`The snapshot of connection ${id} is gone.`);
        }
        break;
      }
      case 'update':
        await updateBack(db, change);
    }
    const restored = await lockedRow(db, id);
    if (!restored) throw new Error('the restored connection is not there');
    return stateFor(db, change.action, restored);
  },
};

interface GrantTarget {
  connectionId: string;
  principal: { type: PrincipalType; id: string };
}

/** `<connection id>/<user|group>/<principal id>`, the grant events' resource id. */
function grantTarget(resourceId: string): GrantTarget {
  const [connectionId, type, id] = resourceId.split('/');
  if (!connectionId || (type !== 'user' && type !== 'group') || !id) {
    throw new NotRevertibleError(`"${resourceId}" does not name a connection grant.`);
  }
  return { connectionId, principal: { type, id } };
}

function recordedPermission(state: JsonValue | null): Permission | null {
  if (!isRecord(state)) return null;
  return state.permission === 'use' || state.permission === 'edit' ? state.permission : null;
}

async function grantState(db: Database, target: GrantTarget): Promise<JsonValue | null> {
  const found = (await grantsOf(db, target.connectionId)).find(
    (grant) =>
      grant.principal.type === target.principal.type && grant.principal.id === target.principal.id,
  );
  return (found ?? null) as JsonValue | null;
}

/** Giving, changing and removing a grant on a connection. */
const grantReverter: Reverter = {
  resourceType: 'connection_grant',
  actions: ['connection.grants.update', 'connection.grants.remove'],
  async authorize(c, change) {
    const { connectionId } = grantTarget(change.resourceId);
    await requireExistingConnection(c, connectionId);
    await requireAccess(c, 'connection.grants.manage', { type: 'connection', id: connectionId });
  },
  async current(db, change) {
    const target = grantTarget(change.resourceId);
    if (!(await lockedRow(db, target.connectionId))) {
      throw gone(`Connection ${target.connectionId}`);
    }
    return grantState(db, target);
  },
  async restore(db, change) {
    const target = grantTarget(change.resourceId);
    const { principal, connectionId } = target;
    const permission = recordedPermission(change.before);
    if (change.before !== null && permission === null) {
      throw new NotRevertibleError(`Event ${change.event.id} does not record the permission.`);
    }
    if (
      permission !== null &&
      (await principalName(db, principal.type, principal.id)) === undefined
    ) {
      throw gone(`The ${principal.type} ${principal.id}`);
    }
    await ensureAnEditorRemains(db, await grantsOf(db, connectionId), principal, permission);
    const column = principal.type === 'user' ? connectionGrants.userId : connectionGrants.groupId;
    const where = and(eq(connectionGrants.connectionId, connectionId), eq(column, principal.id));
    const [existing] = await db.select().from(connectionGrants).where(where);
    if (permission === null) {
      await db.delete(connectionGrants).where(where);
    } else if (existing) {
      await db.update(connectionGrants).set({ permission }).where(where);
    } else {
      await db.insert(connectionGrants).values({
        id: crypto.randomUUID(),
        connectionId,
        ...(principal.type === 'user' ? { userId: principal.id } : { groupId: principal.id }),
        permission,
        createdAt: new Date(),
      });
    }
    return grantState(db, target);
  },
};

/**
 * The reverters of connection and connection-grant changes, for the audit trail's revert engine.
 *
 * @example
 * revertRoutes({ reverters: [...datasetReverters, ...connectionReverters] });
 */
export const connectionReverters: readonly Reverter[] = [connectionReverter, grantReverter];

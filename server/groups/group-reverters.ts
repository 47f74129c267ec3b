/**
 * How the audit trail undoes the group changes it recorded: a group's creation, rename and
 * deletion (`group`), a membership (`group_member`) and a nesting (`group_nesting`). The revert
 * engine (server/audit) finds the event, asks `authorize`, then calls `current` and `restore` in
 * one transaction on the server's own role; the rules the group routes hold (directory groups,
 * names in any case, no cycles, no project left without an owner) hold here as well.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import {
  captureRevertedRows,
  restoreRows,
  type Reverter,
  type RevertibleChange,
} from '../audit/index.ts';
import { requireAccess } from '../authz/index.ts';
import { ConflictError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import {
  NESTING_LOCK,
  countLeftWithoutHolder,
  ensureLocal,
  ensureNameFree,
  grantsOnConnectionsOf,
  grantsOnProjectsOf,
  groupRecord,
  groupState,
  pgCode,
  wouldCloseCycle,
  type GroupRecord,
} from './group-routes.ts';

const {
  groups,
  groupMembers,
  groupNesting,
  users,
  projects,
  projectMembers,
  connections,
  connectionGrants,
  accessRules,
  accessRuleGroups,
} = schema;

type GroupRow = typeof groups.$inferSelect;

interface MemberState {
  groupId: string;
  userId: string;
  admin: boolean;
}

interface NestingState {
  parentGroupId: string;
  childGroupId: string;
}

async function findGroup(db: Database, id: string, lock = false): Promise<GroupRow | undefined> {
  const query = db.select().from(groups).where(eq(groups.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** The group a revert works in, which must still be there (a 409 names what is missing). */
async function requireGroup(db: Database, id: string, lock = false): Promise<GroupRow> {
  const row = await findGroup(db, id, lock);
  if (!row) {
    throw new ConflictError(
      `The group ${id} no longer exists; revert its deletion first.`,
      'revert_blocked',
    );
  }
  return row;
}

/** Ids among `ids` that have no row in `table` any more. */
async function missingIds(
  db: Database,
  table: typeof users | typeof groups | typeof projects | typeof connections | typeof accessRules,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await db
    .select({ id: table.id })
    .from(table)
    .where(inArray(table.id, [...ids]));
  return ids.filter((id) => !found.some((row) => row.id === id));
}

/**
 * Refuses to bring a group back when something it referred to has gone since (a member's
 * account, a nested group, a project, a connection, a rule): the revert would put back only half
 * of it. The answer names what is missing, so the caller can revert that first.
 */
async function ensureReferencesExist(db: Database, record: GroupRecord) {
  const checks = [
    ['account', users, record.members.map((member) => member.userId)],
    ['group', groups, [...record.subgroupIds, ...record.parentGroupIds]],
    ['project', projects, record.projectGrants.map((grant) => grant.projectId)],
    ['connection', connections, record.connectionGrants.map((grant) => grant.connectionId)],
    ['access rule', accessRules, record.accessRuleIds],
  ] as const;
  for (const [kind, table, ids] of checks) {
    const missing = await missingIds(db, table, ids);
    if (missing.length > 0) {
      throw new ConflictError(
        `The group referred to the ${kind} ${missing.join(', ')}, which no longer exists; restore it first.`,
        'revert_blocked',
      );
    }
  }
}

/** Refuses a change that would leave the nesting with a cycle through `groupId`. */
async function ensureNoCycleThrough(db: Database, record: GroupRecord) {
  for (const childId of record.subgroupIds) {
    for (const parentId of record.parentGroupIds) {
      if (childId === parentId || (await wouldCloseCycle(db, parentId, childId))) {
        throw new ConflictError(
          `Restoring the group would close a nesting cycle (${childId} now contains ${parentId}).`,
          'group_cycle',
        );
      }
    }
  }
}

/**
 * Puts a deleted group back with its id: first the rows its deletion kept (`snapshotId`), then
 * whatever the state names that the snapshot lacks (project grants the deleting caller could not
 * see, or everything, for a state recorded by a revert, which keeps no snapshot).
 */
async function restoreGroup(db: Database, record: GroupRecord, snapshotId: string | null) {
  await db.execute(sql`select ${NESTING_LOCK}`);
  await ensureNameFree(db, record.name);
  await ensureReferencesExist(db, record);
  await ensureNoCycleThrough(db, record);
  const id = record.id;
  try {
    if (snapshotId) await restoreRows(db, snapshotId);
    await db
      .insert(groups)
      .values({ id, name: record.name, source: record.source, createdAt: new Date() })
      .onConflictDoNothing();
    const now = new Date();
    const links = [
      ...record.members.map((member) =>
        db
          .insert(groupMembers)
          .values({ groupId: id, userId: member.userId, admin: member.admin })
          .onConflictDoNothing(),
      ),
      ...record.subgroupIds.map((childId) =>
        db
          .insert(groupNesting)
          .values({ parentGroupId: id, childGroupId: childId })
          .onConflictDoNothing(),
      ),
      ...record.parentGroupIds.map((parentId) =>
        db
          .insert(groupNesting)
          .values({ parentGroupId: parentId, childGroupId: id })
          .onConflictDoNothing(),
      ),
      ...record.projectGrants.map((grant) =>
        db
          .insert(projectMembers)
          .values({
            id: crypto.randomUUID(),
            projectId: grant.projectId,
            groupId: id,
            role: grant.role,
            createdAt: now,
          })
          .onConflictDoNothing(),
      ),
      ...record.connectionGrants.map((grant) =>
        db
          .insert(connectionGrants)
          .values({
            id: crypto.randomUUID(),
            connectionId: grant.connectionId,
            groupId: id,
            permission: grant.permission,
            createdAt: now,
          })
          .onConflictDoNothing(),
      ),
      ...record.accessRuleIds.map((ruleId) =>
        db.insert(accessRuleGroups).values({ ruleId, groupId: id }).onConflictDoNothing(),
      ),
    ];
    for (const link of links) await link;
  } catch (error) {
    if (pgCode(error) === '23505') {
      throw new ConflictError(
        `Another group took the name "${record.name}" or the group's id meanwhile.`,
        'name_taken',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Deletes a group as the delete route does, refusing what it refuses, and keeps its rows for
 * the revert of this revert.
 */
async function removeGroup(db: Database, change: RevertibleChange, row: GroupRow) {
  ensureLocal(row, 'delete it');
  const ownerless = await countLeftWithoutHolder(
    db,
    row.id,
    await grantsOnProjectsOf(db, row.id),
    'owner',
  );
  if (ownerless > 0) {
    throw new ConflictError(
      `Removing the group would leave ${ownerless} project(s) without an owner who is an enabled user; make someone else owner first.`,
      'last_owner',
    );
  }
  const uneditable = await countLeftWithoutHolder(
    db,
    row.id,
    await grantsOnConnectionsOf(db, row.id),
    'edit',
  );
  if (uneditable > 0) {
    throw new ConflictError(
      `Removing the group would leave ${uneditable} connection(s) without an enabled user who may edit them; give someone else \`edit\` first.`,
      'last_editor',
    );
  }
  const id = row.id;
  await captureRevertedRows(db, change, [
    { table: 'groups', where: sql`id = ${id}` },
    { table: 'group_members', where: sql`group_id = ${id}` },
    { table: 'group_nesting', where: sql`parent_group_id = ${id} or child_group_id = ${id}` },
    { table: 'project_members', where: sql`group_id = ${id}` },
    { table: 'connection_grants', where: sql`group_id = ${id}` },
    { table: 'access_rule_groups', where: sql`group_id = ${id}` },
  ]);
  await db.delete(groups).where(eq(groups.id, id));
}

async function groupExists(c: Context<AppEnv>, id: string) {
  return (await findGroup(c.var.store.db, id)) !== undefined;
}

/**
 * `group`: creation and deletion record the whole `groupRecord`, a rename the group's own state.
 * Undoing a creation is a deletion (`group.delete` on it), undoing a deletion a creation
 * (`group.create`), undoing a rename a rename (`group.update`).
 */
const groupReverter: Reverter = {
  resourceType: 'group',
  actions: ['group.create', 'group.update', 'group.delete'],
  async authorize(c, change) {
    // The engine has found the group as the event left it: present unless that was a deletion.
    const id = change.resourceId;
    if (change.before === null) await requireAccess(c, 'group.delete', { type: 'group', id });
    else if (change.after === null) await requireAccess(c, 'group.create', { type: 'system' });
    else await requireAccess(c, 'group.update', { type: 'group', id });
  },
  async current(db, change) {
    if (change.action !== 'group.update') return groupRecordJson(db, change.resourceId);
    const row = await findGroup(db, change.resourceId, true);
    return row ? groupState(row) : null;
  },
  async restore(db, change) {
    const id = change.resourceId;
    const row = await findGroup(db, id, true);
    if (change.before === null) {
      if (row) await removeGroup(db, change, row);
      return null;
    }
    if (change.action === 'group.update') {
      const target = change.before as { name: string };
      const current = await requireGroup(db, id, true);
      ensureLocal(current, 'rename it');
      await ensureNameFree(db, target.name, id);
      const [after] = await db
        .update(groups)
        .set({ name: target.name })
        .where(eq(groups.id, id))
        .returning();
      return after ? groupState(after) : null;
    }
    if (!row) await restoreGroup(db, change.before as unknown as GroupRecord, change.snapshotId);
    return groupRecordJson(db, id);
  },
};

async function groupRecordJson(db: Database, id: string) {
  await db.select({ id: groups.id }).from(groups).where(eq(groups.id, id)).for('update');
  return (await groupRecord(db, id)) as unknown as RevertibleChange['after'];
}

function memberState(change: RevertibleChange): MemberState {
  return (change.before ?? change.after) as unknown as MemberState;
}

/**
 * `group_member` (`group.members.update`, `group.members.remove`): undoing needs
 * `group.members.manage` on the group, and `group.admins.manage` (Admins) when a group admin's
 * flag is granted, revoked or leaves with the membership, unless it is the caller stepping down.
 */
const memberReverter: Reverter = {
  resourceType: 'group_member',
  actions: ['group.members.update', 'group.members.remove'],
  async authorize(c, change) {
    const { groupId, userId } = memberState(change);
    if (!(await groupExists(c, groupId))) {
      throw new ConflictError(
        `The group ${groupId} no longer exists; revert its deletion first.`,
        'revert_blocked',
      );
    }
    const ref = { type: 'group', id: groupId } as const;
    await requireAccess(c, 'group.members.manage', ref);
    const before = change.before as unknown as MemberState | null;
    const after = change.after as unknown as MemberState | null;
    const touchesAdmin = (before?.admin ?? false) || (after?.admin ?? false);
    const stepsDown = before === null && userId === c.var.principal.userId;
    if (touchesAdmin && !stepsDown) await requireAccess(c, 'group.admins.manage', ref);
  },
  async current(db, change) {
    const { groupId, userId } = memberState(change);
    const [row] = await db
      .select()
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
      .for('update');
    return row ? { groupId, userId, admin: row.admin } : null;
  },
  async restore(db, change) {
    const { groupId, userId } = memberState(change);
    ensureLocal(await requireGroup(db, groupId, true), 'change its members');
    const where = and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId));
    const target = change.before as unknown as MemberState | null;
    if (target === null) {
      await db.delete(groupMembers).where(where);
      return null;
    }
    if ((await missingIds(db, users, [userId])).length > 0) {
      throw new ConflictError(`The account ${userId} no longer exists.`, 'revert_blocked');
    }
    await db
      .insert(groupMembers)
      .values({ groupId, userId, admin: target.admin })
      .onConflictDoUpdate({
        target: [groupMembers.groupId, groupMembers.userId],
        set: { admin: target.admin },
      });
    return { groupId, userId, admin: target.admin };
  },
};

function nestingState(change: RevertibleChange): NestingState {
  return (change.before ?? change.after) as unknown as NestingState;
}

/**
 * `group_nesting` (`group.subgroups.add`, `group.subgroups.remove`): undoing needs
 * `group.members.manage` on the parent; putting an edge back never closes a cycle (409
 * `group_cycle`), under the same lock the routes take.
 */
const nestingReverter: Reverter = {
  resourceType: 'group_nesting',
  actions: ['group.subgroups.add', 'group.subgroups.remove'],
  async authorize(c, change) {
    const { parentGroupId } = nestingState(change);
    if (!(await groupExists(c, parentGroupId))) {
      throw new ConflictError(
        `The group ${parentGroupId} no longer exists; revert its deletion first.`,
        'revert_blocked',
      );
    }
    await requireAccess(c, 'group.members.manage', { type: 'group', id: parentGroupId });
  },
  async current(db, change) {
    const { parentGroupId, childGroupId } = nestingState(change);
    await db.execute(sql`select ${NESTING_LOCK}`);
    const [row] = await db
      .select()
      .from(groupNesting)
      .where(
        and(
          eq(groupNesting.parentGroupId, parentGroupId),
          eq(groupNesting.childGroupId, childGroupId),
        ),
      );
    return row ? { parentGroupId, childGroupId } : null;
  },
  async restore(db, change) {
    const { parentGroupId, childGroupId } = nestingState(change);
    ensureLocal(await requireGroup(db, parentGroupId, true), 'change its nested groups');
    if (change.before === null) {
      await db
        .delete(groupNesting)
        .where(
          and(
            eq(groupNesting.parentGroupId, parentGroupId),
            eq(groupNesting.childGroupId, childGroupId),
          ),
        );
      return null;
    }
    const child = await requireGroup(db, childGroupId);
    if (await wouldCloseCycle(db, parentGroupId, childGroupId)) {
      throw new ConflictError(
        `"${child.name}" contains the group ${parentGroupId} by now; nesting it again would close a cycle.`,
        'group_cycle',
      );
    }
    await db.insert(groupNesting).values({ parentGroupId, childGroupId }).onConflictDoNothing();
    return { parentGroupId, childGroupId };
  },
};

/**
 * The reverters of the group folder, for the revert engine (server/audit).
 *
 * @example
 * const reverter = groupReverters.find((r) => r.resourceType === event.resourceType);
 */
export const groupReverters: readonly Reverter[] = [groupReverter, memberReverter, nestingReverter];

/**
 * Groups, their members and their nesting. Every handler first asks the policy
 * (`requireAccess`), then touches data as the caller (`store.asUser`) and records each change
 * with its state before and after in the same transaction.
 *
 * Three things the policy cannot see are decided here, inside the transaction, on locked rows:
 * - Directory groups (`source` ldap/oidc) belong to the directory: their members, nesting, name
 *   and existence are refused with 409 `directory_managed`, since the next sync would undo them.
 * - Only Admins may grant or revoke a group's admin flag (a group admin may not make anyone,
 *   themselves included, an admin, nor remove another admin): refused with 403, audited as denied.
 * - Nesting never closes a cycle: all nesting changes serialise on one advisory lock, so two
 *   concurrent requests cannot each add half of a cycle.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, asc, count, eq, inArray, ne, sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env.ts';
import {
  allowedActions,
  authorize,
  keepsAnEnabledHolder,
  refuseAccess,
  requestActor,
  requireAccess,
  type AccessRule,
  type Action,
  type GranteeRef,
  type ResourceFacts,
  type Subject,
} from '../authz/index.ts';
import { captureRows } from '../audit/snapshots.ts';
import { ConflictError, NotFoundError, validationHook } from '../errors/index.ts';
import { IdParamsSchema, IdSchema, NameSchema, errorResponses } from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';

const {
  groups,
  groupMembers,
  groupNesting,
  users,
  projectMembers,
  connectionGrants,
  accessRuleGroups,
} = schema;

type GroupSource = 'local' | 'ldap' | 'oidc';
type GroupRow = typeof groups.$inferSelect;

/** Advisory lock keys (namespaced by `hashtext`) that serialise checks a unique index cannot. */
const NAME_LOCK = sql`pg_advisory_xact_lock(hashtext('enclave.groups.names'))`;
export const NESTING_LOCK = sql`pg_advisory_xact_lock(hashtext('enclave.groups.nesting'))`;

/** What the directory owns on its groups, so the UI should not offer it either. */
const directoryOwnedActions: ReadonlySet<Action> = new Set<Action>([
  'group.update',
  'group.delete',
  'group.members.manage',
]);

const GroupMemberSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    displayName: z.string(),
    admin: z.boolean().openapi({ description: 'Group admins may rename the group and manage it.' }),
  })
  .openapi('GroupMember');

export const GroupSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    source: z.enum(['local', 'ldap', 'oidc']).openapi({
      description: 'ldap and oidc groups are managed by the directory and read-only here.',
    }),
    memberCount: z.number().int().openapi({ description: 'Direct members (not through nesting).' }),
    members: z.array(GroupMemberSchema),
    subgroups: z
      .array(z.object({ id: z.uuid(), name: z.string() }))
      .openapi({ description: 'Groups nested directly in this one; their members are members.' }),
    allowedActions: z.array(z.string()).openapi({
      description: 'What the caller may do with this group, for the UI to offer only that.',
    }),
  })
  .openapi('Group');

const GroupListSchema = z.object({ groups: z.array(GroupSchema) }).openapi('GroupList');

const GroupNameBodySchema = z.object({ name: NameSchema }).strict().openapi('GroupName');

const PutGroupMemberSchema = z
  .object({
    admin: z.boolean().optional().openapi({
      description: 'Make the member a group admin or not (Admins only); absent keeps it as is.',
    }),
  })
  .strict()
  .openapi('PutGroupMember');

const MemberParamsSchema = z.object({
  id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }),
  userId: IdSchema.openapi({ param: { name: 'userId', in: 'path' } }),
});

const SubgroupParamsSchema = z.object({
  id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }),
  childId: IdSchema.openapi({ param: { name: 'childId', in: 'path' } }),
});

interface GroupData {
  row: GroupRow;
  members: z.infer<typeof GroupMemberSchema>[];
  subgroups: { id: string; name: string }[];
}

/** Groups with their direct members and subgroups; all of them, or those with the given ids. */
async function loadGroups(db: Database, ids?: string[]): Promise<GroupData[]> {
  if (ids?.length === 0) return [];
  const rows = await db
    .select()
    .from(groups)
    .where(ids ? inArray(groups.id, ids) : undefined)
    .orderBy(asc(groups.name));
  if (rows.length === 0) return [];
  const groupIds = rows.map((row) => row.id);
  const [memberRows, nestingRows] = await Promise.all([
    db
      .select({
        groupId: groupMembers.groupId,
        id: users.id,
        username: users.username,
        displayName: users.displayName,
        admin: groupMembers.admin,
      })
      .from(groupMembers)
      .innerJoin(users, eq(users.id, groupMembers.userId))
      .where(inArray(groupMembers.groupId, groupIds))
      .orderBy(asc(users.username)),
    db
      .select({ parentId: groupNesting.parentGroupId, id: groups.id, name: groups.name })
      .from(groupNesting)
      .innerJoin(groups, eq(groups.id, groupNesting.childGroupId))
      .where(inArray(groupNesting.parentGroupId, groupIds))
      .orderBy(asc(groups.name)),
  ]);
  return rows.map((row) => ({
    row,
    members: memberRows
      .filter((member) => member.groupId === row.id)
      .map(({ groupId: _, ...member }) => member),
    subgroups: nestingRows
      .filter((nesting) => nesting.parentId === row.id)
      .map(({ parentId: _, ...child }) => child),
  }));
}

function groupView(
  data: GroupData,
  subject: Subject,
  rules: readonly AccessRule[],
): z.infer<typeof GroupSchema> {
  const source = data.row.source as GroupSource;
  const allowed = allowedActions(
    subject,
    { type: 'group', id: data.row.id, name: data.row.name, source },
    rules,
  ).filter((action) => source === 'local' || !directoryOwnedActions.has(action));
  return {
    id: data.row.id,
    name: data.row.name,
    source,
    memberCount: data.members.length,
    members: data.members,
    subgroups: data.subgroups,
    allowedActions: allowed,
  };
}

/** The state an audit event records for a group (what a revert would restore). */
export function groupState(row: GroupRow) {
  return { id: row.id, name: row.name, source: row.source };
}

/** What `groupRecord` reads: the group and everything that goes with it when it is deleted. */
export interface GroupRecord {
  id: string;
  name: string;
  source: string;
  members: { userId: string; admin: boolean }[];
  subgroupIds: string[];
  parentGroupIds: string[];
  projectGrants: { projectId: string; role: string }[];
  connectionGrants: { connectionId: string; permission: string }[];
  accessRuleIds: string[];
}

/** The group as it stands in this transaction, for the answer to a change. */
async function reload(db: Database, id: string): Promise<GroupData> {
  const [data] = await loadGroups(db, [id]);
  if (!data) throw new NotFoundError('The group is gone.');
  return data;
}

/** Locks the group's row for the rest of the transaction; 404 when it does not exist. */
async function lockGroup(db: Database, id: string): Promise<GroupRow> {
  const [row] = await db.select().from(groups).where(eq(groups.id, id)).for('update');
  if (!row) throw new NotFoundError('No group with this id, or you may not see it.');
  return row;
}

function directoryName(source: string) {
  return source === 'ldap' ? 'the LDAP directory' : 'the identity provider';
}

/** Refuses a change to what the directory owns on its groups. */
export function ensureLocal(row: GroupRow, refused: string) {
  if (row.source === 'local') return;
  throw new ConflictError(
    `The group "${row.name}" is managed by ${directoryName(row.source)}; ${refused} there.`,
    'directory_managed',
  );
}

/**
 * Refuses a name another group has, whatever its case ("Oncology" and "oncology" would read as
 * one group in every list). The unique index is case-sensitive, so the check itself is
 * serialised on an advisory lock to hold against two concurrent requests.
 */
export async function ensureNameFree(db: Database, name: string, exceptId?: string) {
  await db.execute(sql`select ${NAME_LOCK}`);
  const [clash] = await db
    .select({ name: groups.name })
    .from(groups)
    .where(
      and(
        sql`lower(${groups.name}) = lower(${name})`,
        exceptId ? ne(groups.id, exceptId) : undefined,
      ),
    );
  if (clash) throw new ConflictError(`A group named "${clash.name}" exists already.`, 'name_taken');
}

/** The PostgreSQL error code of a failure, wherever the driver wrapped it. */
export function pgCode(error: unknown): unknown {
  for (let cause = error; cause instanceof Object; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** A directory sync may insert a name between our check and our write; the index has the say. */
function isUniqueViolation(error: unknown): boolean {
  return pgCode(error) === '23505';
}

/**
 * A user or group deleted by a concurrent request after we found it: the foreign key refuses
 * our row, and the answer is the 404 the request would have got a moment later.
 */
function goneToNotFound(error: unknown): never {
  if (pgCode(error) === '23503') {
    throw new NotFoundError('The user or group was deleted meanwhile.', { cause: error });
  }
  throw error;
}

function nameTaken(name: string) {
  return new ConflictError(`A group named "${name}" exists already.`, 'name_taken');
}

/**
 * Whether nesting `childId` into `parentId` would close a cycle: it does when the child is the
 * parent itself or already contains it (is one of the parent's ancestors). `union` (not `union
 * all`) ends the walk even on a cycle that came in some other way.
 */
export async function wouldCloseCycle(db: Database, parentId: string, childId: string) {
  if (parentId === childId) return true;
  const rows = (await db.execute(sql`
    with recursive ancestors(id) as (
      select parent_group_id from group_nesting where child_group_id = ${parentId}
      union
      select n.parent_group_id from group_nesting n join ancestors a on n.child_group_id = a.id
    )
    select 1 as found from ancestors where id = ${childId} limit 1
  `)) as unknown as { rows: unknown[] };
  return rows.rows.length > 0;
}

/** A refusal decided inside a transaction (which wrote nothing); recorded and answered after it. */
interface Refusal {
  refused: string;
}

function isRefusal(value: unknown): value is Refusal {
  return value instanceof Object && 'refused' in value;
}

/**
 * Whether the policy lets the caller change a member's admin flag (`group.admins.manage`): null
 * when it does, else the reason it gives.
 */
function adminFlagRefusal(
  subject: Subject,
  facts: ResourceFacts,
  rules: readonly AccessRule[],
): string | null {
  const decision = authorize(subject, 'group.admins.manage', facts, rules);
  return decision.allowed ? null : decision.reason;
}

export interface GrantRow {
  resourceId: string;
  grantee: GranteeRef;
  level: string;
}

/** Grant rows of `project_members` or `connection_grants`, with exactly one grantee column set. */
function grantRow(row: {
  resourceId: string;
  userId: string | null;
  groupId: string | null;
  level: string;
}): GrantRow {
  const grantee: GranteeRef =
    row.userId !== null
      ? { type: 'user', id: row.userId }
      : { type: 'group', id: row.groupId ?? '' };
  return { resourceId: row.resourceId, grantee, level: row.level };
}

/**
 * Every grant on each project the group holds a grant on, read as the server just before the
 * transaction: row-level security would hide the grants on projects the caller cannot see, yet a
 * revert needs the group's own and the last-owner rule must weigh all of them. (A grant made
 * between this read and the delete still goes with the group but is missing from the audit
 * record; the store offers no way to read past row-level security inside a request's
 * transaction.)
 */
export async function grantsOnProjectsOf(db: Database, groupId: string): Promise<GrantRow[]> {
  const rows = (await db.execute(sql`
    select p.project_id::text as "resourceId", p.user_id::text as "userId",
      p.group_id::text as "groupId", p.role as "level"
    from project_members p
    where p.project_id in (select project_id from project_members where group_id = ${groupId})
    order by p.project_id, p.id
  `)) as unknown as { rows: Parameters<typeof grantRow>[0][] };
  return rows.rows.map(grantRow);
}

/** Every grant on each connection the group holds a grant on. */
export async function grantsOnConnectionsOf(db: Database, groupId: string): Promise<GrantRow[]> {
  const rows = await db
    .select({
      resourceId: connectionGrants.connectionId,
      userId: connectionGrants.userId,
      groupId: connectionGrants.groupId,
      level: connectionGrants.permission,
    })
    .from(connectionGrants)
    .where(
      inArray(
        connectionGrants.connectionId,
        db
          .select({ id: connectionGrants.connectionId })
          .from(connectionGrants)
          .where(eq(connectionGrants.groupId, groupId)),
      ),
    )
    .orderBy(asc(connectionGrants.connectionId), asc(connectionGrants.id));
  return rows.map(grantRow);
}

/**
 * How many of the resources these grants are on would, once the group is deleted, have no
 * enabled user holding `top` (an owner grant held only by the group, or shared with empty groups,
 * disabled accounts or groups whose only members come through the deleted one).
 */
export async function countLeftWithoutHolder(
  db: Database,
  groupId: string,
  grants: readonly GrantRow[],
  top: string,
): Promise<number> {
  let orphaned = 0;
  for (const resourceId of new Set(grants.map((grant) => grant.resourceId))) {
    const onResource = grants.filter((grant) => grant.resourceId === resourceId);
    if (!(await keepsAnEnabledHolder(db, top, onResource, { deletedGroupId: groupId }))) {
      orphaned += 1;
    }
  }
  return orphaned;
}

/** The group's own grants among `grants`, as the audit record of its deletion keeps them. */
export function grantsHeldBy(groupId: string, grants: readonly GrantRow[]) {
  return grants.filter((grant) => grant.grantee.type === 'group' && grant.grantee.id === groupId);
}

/**
 * A group with everything its deletion takes along (members, nesting both ways, grants, rule
 * links): the state its creation and deletion record, and what reverting either compares and
 * puts back. Each list is sorted, so that two reads of one state compare equal. `projectGrants`
 * replaces the group's project grants as read here: a request's row-level security hides those
 * on projects the caller cannot see, so the route passes what it read as the server.
 */
export async function groupRecord(
  db: Database,
  id: string,
  projectGrants?: readonly GrantRow[],
): Promise<GroupRecord | null> {
  const [row] = await db.select().from(groups).where(eq(groups.id, id));
  if (!row) return null;
  // One query at a time: a transaction is one connection.
  const members = await db
    .select({ userId: groupMembers.userId, admin: groupMembers.admin })
    .from(groupMembers)
    .where(eq(groupMembers.groupId, id))
    .orderBy(asc(groupMembers.userId));
  const children = await db
    .select({ id: groupNesting.childGroupId })
    .from(groupNesting)
    .where(eq(groupNesting.parentGroupId, id))
    .orderBy(asc(groupNesting.childGroupId));
  const parents = await db
    .select({ id: groupNesting.parentGroupId })
    .from(groupNesting)
    .where(eq(groupNesting.childGroupId, id))
    .orderBy(asc(groupNesting.parentGroupId));
  const ownProjectGrants = projectGrants
    ? projectGrants.map((grant) => ({ projectId: grant.resourceId, role: grant.level }))
    : await db
        .select({ projectId: projectMembers.projectId, role: projectMembers.role })
        .from(projectMembers)
        .where(eq(projectMembers.groupId, id));
  const ownConnectionGrants = await db
    .select({
      connectionId: connectionGrants.connectionId,
      permission: connectionGrants.permission,
    })
    .from(connectionGrants)
    .where(eq(connectionGrants.groupId, id));
  const ruleLinks = await db
    .select({ id: accessRuleGroups.ruleId })
    .from(accessRuleGroups)
    .where(eq(accessRuleGroups.groupId, id))
    .orderBy(asc(accessRuleGroups.ruleId));
  return {
    ...groupState(row),
    members,
    subgroupIds: children.map((child) => child.id),
    parentGroupIds: parents.map((parent) => parent.id),
    projectGrants: [...ownProjectGrants].sort((a, b) => a.projectId.localeCompare(b.projectId)),
    connectionGrants: [...ownConnectionGrants].sort((a, b) =>
      a.connectionId.localeCompare(b.connectionId),
    ),
    accessRuleIds: ruleLinks.map((link) => link.id),
  };
}

const tags = ['groups'];
const security = [{ DPoP: [] }];

const listGroupsRoute = createRoute({
  method: 'get',
  path: '/groups',
  tags,
  security,
  summary: 'Every group with its members and subgroups',
  responses: {
    200: {
      description: 'The groups.',
      content: { 'application/json': { schema: GroupListSchema } },
    },
  },
});

const createGroupRoute = createRoute({
  method: 'post',
  path: '/groups',
  tags,
  security,
  summary: 'Create a local group (Admins)',
  request: {
    body: { required: true, content: { 'application/json': { schema: GroupNameBodySchema } } },
  },
  responses: {
    201: { description: 'Created.', content: { 'application/json': { schema: GroupSchema } } },
    ...errorResponses(400, 403, 409),
  },
});

const renameGroupRoute = createRoute({
  method: 'patch',
  path: '/groups/{id}',
  tags,
  security,
  summary: 'Rename a local group (Admins and its group admins)',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: GroupNameBodySchema } } },
  },
  responses: {
    200: {
      description: 'The renamed group.',
      content: { 'application/json': { schema: GroupSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
  },
});

const deleteGroupRoute = createRoute({
  method: 'delete',
  path: '/groups/{id}',
  tags,
  security,
  summary: 'Delete a local group with its memberships and grants (Admins and its group admins)',
  request: { params: IdParamsSchema },
  responses: { 204: { description: 'Deleted.' }, ...errorResponses(400, 403, 404, 409) },
});

const putMemberRoute = createRoute({
  method: 'put',
  path: '/groups/{id}/members/{userId}',
  tags,
  security,
  summary: 'Add a member or set their admin flag (Admins and group admins; the flag: Admins)',
  request: {
    params: MemberParamsSchema,
    body: { required: false, content: { 'application/json': { schema: PutGroupMemberSchema } } },
  },
  responses: {
    200: {
      description: 'The group after the change.',
      content: { 'application/json': { schema: GroupSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
  },
});

const deleteMemberRoute = createRoute({
  method: 'delete',
  path: '/groups/{id}/members/{userId}',
  tags,
  security,
  summary: 'Remove a member (group admins: plain members and themselves; Admins: anyone)',
  request: { params: MemberParamsSchema },
  responses: { 204: { description: 'Removed.' }, ...errorResponses(400, 403, 404, 409) },
});

const putSubgroupRoute = createRoute({
  method: 'put',
  path: '/groups/{id}/subgroups/{childId}',
  tags,
  security,
  summary: 'Nest a group in this one: its members become members (never a cycle)',
  request: { params: SubgroupParamsSchema },
  responses: {
    200: {
      description: 'The parent group after the change.',
      content: { 'application/json': { schema: GroupSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
  },
});

const deleteSubgroupRoute = createRoute({
  method: 'delete',
  path: '/groups/{id}/subgroups/{childId}',
  tags,
  security,
  summary: 'Take a nested group out of this one',
  request: { params: SubgroupParamsSchema },
  responses: { 204: { description: 'Removed.' }, ...errorResponses(400, 403, 404, 409) },
});

/**
 * The group routes, to mount under `/api/v1` behind authentication.
 *
 * @example
 * api.route('/', groupRoutes());
 */
export function groupRoutes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listGroupsRoute, async (c) => {
      const { subject, rules } = await requireAccess(c, 'group.list', { type: 'system' });
      const all = await c.var.store.asUser(subject.userId, (db) => loadGroups(db));
      return c.json({ groups: all.map((data) => groupView(data, subject, rules)) }, 200);
    })
    .openapi(createGroupRoute, async (c) => {
      const { name } = c.req.valid('json');
      const { subject, rules } = await requireAccess(c, 'group.create', { type: 'system' });
      const id = crypto.randomUUID();
      const data = await c.var.store
        .asUser(subject.userId, async (db) => {
          await ensureNameFree(db, name);
          const [created] = await db
            .insert(groups)
            .values({ id, name, source: 'local', createdAt: new Date() })
            .returning();
          if (!created) throw new Error('the new group was not stored');
          await c.var.audit.record(
            {
              ...requestActor(c),
              action: 'group.create',
              resourceType: 'group',
              resourceId: id,
              outcome: 'ok',
              before: null,
              after: await groupRecord(db, id),
            },
            db,
          );
          return reload(db, id);
        })
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? nameTaken(name) : error;
        });
      return c.json(groupView(data, subject, rules), 201);
    })
    .openapi(renameGroupRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { name } = c.req.valid('json');
      const { subject, rules } = await requireAccess(c, 'group.update', { type: 'group', id });
      const data = await c.var.store
        .asUser(subject.userId, async (db) => {
          const before = await lockGroup(db, id);
          ensureLocal(before, 'rename it');
          await ensureNameFree(db, name, id);
          const [after] = await db
            .update(groups)
            .set({ name })
            .where(eq(groups.id, id))
            .returning();
          if (!after) throw new NotFoundError('The group is gone.');
          if (after.name !== before.name) {
            await c.var.audit.record(
              {
                ...requestActor(c),
                action: 'group.update',
                resourceType: 'group',
                resourceId: id,
                outcome: 'ok',
                before: groupState(before),
                after: groupState(after),
              },
              db,
            );
          }
          return reload(db, id);
        })
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? nameTaken(name) : error;
        });
      return c.json(groupView(data, subject, rules), 200);
    })
    .openapi(deleteGroupRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'group.delete', { type: 'group', id });
      const projectGrants = await grantsOnProjectsOf(c.var.store.db, id);
      await c.var.store.asUser(subject.userId, async (db) => {
        const before = await lockGroup(db, id);
        ensureLocal(before, 'delete it');
        const ownerless = await countLeftWithoutHolder(db, id, projectGrants, 'owner');
        if (ownerless > 0) {
          throw new ConflictError(
            `Deleting the group would leave ${ownerless} project(s) without an owner who is an enabled user; make someone else owner first.`,
            'last_owner',
          );
        }
        const connectionGrantRows = await grantsOnConnectionsOf(db, id);
        const uneditable = await countLeftWithoutHolder(db, id, connectionGrantRows, 'edit');
        if (uneditable > 0) {
          throw new ConflictError(
            `Deleting the group would leave ${uneditable} connection(s) without an enabled user who may edit them; give someone else \`edit\` first.`,
            'last_editor',
          );
        }
        const record = await groupRecord(db, id, grantsHeldBy(id, projectGrants));
        // The rows a revert puts back, parents first. Project grants the caller may not see stay
        // out of it (row-level security); the event's `projectGrants` names them for the revert.
        const snapshotId = await captureRows(db, [
          { table: 'groups', where: sql`id = ${id}` },
          { table: 'group_members', where: sql`group_id = ${id}` },
          { table: 'group_nesting', where: sql`parent_group_id = ${id} or child_group_id = ${id}` },
          { table: 'project_members', where: sql`group_id = ${id}` },
          { table: 'connection_grants', where: sql`group_id = ${id}` },
          { table: 'access_rule_groups', where: sql`group_id = ${id}` },
        ]);
        // Memberships, nesting and grants go with the group (foreign keys cascade).
        await db.delete(groups).where(eq(groups.id, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'group.delete',
            resourceType: 'group',
            resourceId: id,
            outcome: 'ok',
            before: record,
            after: null,
            details: { snapshotId },
          },
          db,
        );
      });
      return c.body(null, 204);
    })
    .openapi(putMemberRoute, async (c) => {
      const { id, userId } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject, facts, rules } = await requireAccess(c, 'group.members.manage', {
        type: 'group',
        id,
      });
      const result = await c.var.store
        .asUser(subject.userId, async (db): Promise<GroupData | Refusal> => {
          const group = await lockGroup(db, id);
          ensureLocal(group, 'change its members');
          const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
          if (!user) throw new NotFoundError('No user with this id.');
          const [existing] = await db
            .select()
            .from(groupMembers)
            .where(and(eq(groupMembers.groupId, id), eq(groupMembers.userId, userId)));
          const admin = body.admin ?? existing?.admin ?? false;
          const refusal = adminFlagRefusal(subject, facts, rules);
          if (admin !== (existing?.admin ?? false) && refusal !== null) return { refused: refusal };
          if (!existing || existing.admin !== admin) {
            await db
              .insert(groupMembers)
              .values({ groupId: id, userId, admin })
              .onConflictDoUpdate({
                target: [groupMembers.groupId, groupMembers.userId],
                set: { admin },
              });
            await c.var.audit.record(
              {
                ...requestActor(c),
                action: 'group.members.update',
                resourceType: 'group_member',
                resourceId: `${id}/${userId}`,
                outcome: 'ok',
                before: existing ? { groupId: id, userId, admin: existing.admin } : null,
                after: { groupId: id, userId, admin },
              },
              db,
            );
          }
          return reload(db, id);
        })
        .catch(goneToNotFound);
      if (isRefusal(result))
        return refuseAccess(c, 'group.admins.manage', { type: 'group', id }, result.refused);
      return c.json(groupView(result, subject, rules), 200);
    })
    .openapi(deleteMemberRoute, async (c) => {
      const { id, userId } = c.req.valid('param');
      const { subject, facts, rules } = await requireAccess(c, 'group.members.manage', {
        type: 'group',
        id,
      });
      const result = await c.var.store.asUser(
        subject.userId,
        async (db): Promise<Refusal | null> => {
          const group = await lockGroup(db, id);
          ensureLocal(group, 'change its members');
          const [existing] = await db
            .select()
            .from(groupMembers)
            .where(and(eq(groupMembers.groupId, id), eq(groupMembers.userId, userId)));
          if (!existing) throw new NotFoundError('The user is not a member of this group.');
          // Removing another admin revokes their flag; stepping down oneself is always allowed.
          const refusal = adminFlagRefusal(subject, facts, rules);
          if (existing.admin && userId !== subject.userId && refusal !== null) {
            return { refused: refusal };
          }
          await db
            .delete(groupMembers)
            .where(and(eq(groupMembers.groupId, id), eq(groupMembers.userId, userId)));
          await c.var.audit.record(
            {
              ...requestActor(c),
              action: 'group.members.remove',
              resourceType: 'group_member',
              resourceId: `${id}/${userId}`,
              outcome: 'ok',
              before: { groupId: id, userId, admin: existing.admin },
              after: null,
            },
            db,
          );
          return null;
        },
      );
      if (isRefusal(result))
        return refuseAccess(c, 'group.admins.manage', { type: 'group', id }, result.refused);
      return c.body(null, 204);
    })
    .openapi(putSubgroupRoute, async (c) => {
      const { id, childId } = c.req.valid('param');
      const { subject, rules } = await requireAccess(c, 'group.members.manage', {
        type: 'group',
        id,
      });
      const data = await c.var.store
        .asUser(subject.userId, async (db) => {
          await db.execute(sql`select ${NESTING_LOCK}`);
          const parent = await lockGroup(db, id);
          ensureLocal(parent, 'nest groups into it');
          const [child] = await db.select().from(groups).where(eq(groups.id, childId));
          if (!child) throw new NotFoundError('No group with this id to nest.');
          const [existing] = await db
            .select({ n: count() })
            .from(groupNesting)
            .where(and(eq(groupNesting.parentGroupId, id), eq(groupNesting.childGroupId, childId)));
          if ((existing?.n ?? 0) === 0) {
            if (await wouldCloseCycle(db, id, childId)) {
              throw new ConflictError(
                childId === id
                  ? 'A group cannot contain itself.'
                  : `"${child.name}" already contains "${parent.name}"; nesting it would close a cycle.`,
                'group_cycle',
              );
            }
            await db.insert(groupNesting).values({ parentGroupId: id, childGroupId: childId });
            await c.var.audit.record(
              {
                ...requestActor(c),
                action: 'group.subgroups.add',
                resourceType: 'group_nesting',
                resourceId: `${id}/${childId}`,
                outcome: 'ok',
                before: null,
                after: { parentGroupId: id, childGroupId: childId },
              },
              db,
            );
          }
          return reload(db, id);
        })
        .catch(goneToNotFound);
      return c.json(groupView(data, subject, rules), 200);
    })
    .openapi(deleteSubgroupRoute, async (c) => {
      const { id, childId } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'group.members.manage', { type: 'group', id });
      await c.var.store.asUser(subject.userId, async (db) => {
        await db.execute(sql`select ${NESTING_LOCK}`);
        const parent = await lockGroup(db, id);
        ensureLocal(parent, 'change its nested groups');
        const removed = await db
          .delete(groupNesting)
          .where(and(eq(groupNesting.parentGroupId, id), eq(groupNesting.childGroupId, childId)))
          .returning();
        if (removed.length === 0) throw new NotFoundError('That group is not nested in this one.');
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'group.subgroups.remove',
            resourceType: 'group_nesting',
            resourceId: `${id}/${childId}`,
            outcome: 'ok',
            before: { parentGroupId: id, childGroupId: childId },
            after: null,
          },
          db,
        );
      });
      return c.body(null, 204);
    });
}

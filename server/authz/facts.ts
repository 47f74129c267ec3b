/**
 * Loads what the policy decides on: the subject (with every group it reaches through nesting),
 * the resource's grants and tags, and the attribute rules. It reads as the server, not as the
 * caller, because the policy must see the truth to decide; the routes then touch data as the
 * caller (row-level security) only after the decision.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { schema, type Database } from '../store/index.ts';
import type {
  AccessRule,
  ConnectionGrant,
  EffectiveGroup,
  Grantee,
  Named,
  ProjectFacts,
  ProjectGrant,
  ResourceFacts,
  Subject,
  SystemRole,
} from './policy.ts';

const {
  users,
  groups,
  groupMembers,
  projects,
  projectMembers,
  dashboards,
  datasets,
  connections,
  connectionGrants,
  accessRules,
  accessRuleGroups,
} = schema;

/**
 * The resource a request is about: the system itself, or one row of a type. Plugins are not
 * among them: their facts depend on the plugin registry, so server/plugins loads them and asks
 * the policy through `requireDecision`.
 */
export type ResourceRef =
  | { type: 'system' }
  | { type: Exclude<ResourceFacts['type'], 'system' | 'plugin' | 'pluginInstance'>; id: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A grant row joined to `users` and `groups`: exactly one side is set. */
export interface GranteeRow {
  userId: string | null;
  username: string | null;
  groupId: string | null;
  groupName: string | null;
}

/**
 * Who a grant row is for, named.
 *
 * @example
 * rows.map((row) => ({ grantee: granteeOf(row), role: row.role }));
 */
export function granteeOf(row: GranteeRow): Grantee {
  return row.userId !== null
    ? { type: 'user', id: row.userId, name: row.username ?? row.userId }
    : { type: 'group', id: row.groupId ?? '', name: row.groupName ?? '' };
}

/**
 * Every group the user reaches, directly or through nested groups, each with its shortest path.
 *
 * @example
 * const groups = await effectiveGroups(db, userId); // [{ id, name, path: [direct, …, this] }]
 */
export async function effectiveGroups(db: Database, userId: string): Promise<EffectiveGroup[]> {
  const rows = (await db.execute(sql`
    with recursive reach(id, path) as (
      select gm.group_id, array[gm.group_id] from group_members gm where gm.user_id = ${userId}
      union all
      select n.parent_group_id, reach.path || n.parent_group_id
      from group_nesting n join reach on n.child_group_id = reach.id
      where not n.parent_group_id = any(reach.path)
    )
    select id::text as id, path::text[] as path from reach
  `)) as unknown as { rows: { id: string; path: string[] }[] };
  const shortest = new Map<string, string[]>();
  for (const row of rows.rows) {
    const known = shortest.get(row.id);
    if (!known || row.path.length < known.length) shortest.set(row.id, row.path);
  }
  if (shortest.size === 0) return [];
  const ids = [...new Set([...shortest.values()].flat())];
  const names = new Map(
    (
      await db
        .select({ id: groups.id, name: groups.name })
        .from(groups)
        .where(inArray(groups.id, ids))
    ).map((group) => [group.id, group.name]),
  );
  const named = (id: string): Named => ({ id, name: names.get(id) ?? id });
  return [...shortest.entries()]
    .map(([id, path]) => ({ ...named(id), path: path.map(named) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The policy's view of a user; null when the account does not exist or is disabled.
 *
 * @example
 * const subject = await loadSubject(db, principal.userId);
 */
export async function loadSubject(db: Database, userId: string): Promise<Subject | null> {
  if (!isUuid(userId)) return null;
  const [user] = await db
    .select({
      id: users.id,
      username: users.username,
      role: users.systemRole,
      disabled: users.disabled,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!user || user.disabled) return null;
  const adminOf = await db
    .select({ groupId: groupMembers.groupId })
    .from(groupMembers)
    .where(and(eq(groupMembers.userId, userId), eq(groupMembers.admin, true)));
  return {
    userId: user.id,
    username: user.username,
    systemRole: user.role as SystemRole,
    groups: await effectiveGroups(db, userId),
    groupAdminOf: adminOf.map((row) => row.groupId),
  };
}

export async function loadRules(db: Database): Promise<AccessRule[]> {
  const rows = await db
    .select({
      id: accessRules.id,
      tagKey: accessRules.tagKey,
      tagValue: accessRules.tagValue,
      groupId: groups.id,
      groupName: groups.name,
    })
    .from(accessRules)
    .leftJoin(accessRuleGroups, eq(accessRuleGroups.ruleId, accessRules.id))
    .leftJoin(groups, eq(groups.id, accessRuleGroups.groupId))
    .orderBy(accessRules.tagKey, accessRules.tagValue);
  const rules = new Map<string, AccessRule>();
  for (const row of rows) {
    const rule = rules.get(row.id) ?? {
      id: row.id,
      tagKey: row.tagKey,
      tagValue: row.tagValue,
      groups: [],
    };
    if (row.groupId && row.groupName) rule.groups.push({ id: row.groupId, name: row.groupName });
    rules.set(row.id, rule);
  }
  return [...rules.values()];
}

async function projectGrants(db: Database, projectId: string): Promise<ProjectGrant[]> {
  const rows = await db
    .select({
      role: projectMembers.role,
      userId: users.id,
      username: users.username,
      groupId: groups.id,
      groupName: groups.name,
    })
    .from(projectMembers)
    .leftJoin(users, eq(users.id, projectMembers.userId))
    .leftJoin(groups, eq(groups.id, projectMembers.groupId))
    .where(eq(projectMembers.projectId, projectId));
  return rows.map((row) => ({ role: row.role as ProjectGrant['role'], grantee: granteeOf(row) }));
}

async function projectFacts(db: Database, projectId: string): Promise<ProjectFacts | null> {
  const [project] = await db
    .select({ id: projects.id, name: projects.name, tags: projects.tags })
    .from(projects)
    .where(eq(projects.id, projectId));
  if (!project) return null;
  return { ...project, grants: await projectGrants(db, project.id) };
}

async function connectionFacts(db: Database, id: string): Promise<ResourceFacts | null> {
  const [connection] = await db
    .select({ id: connections.id, name: connections.name, tags: connections.tags })
    .from(connections)
    .where(eq(connections.id, id));
  if (!connection) return null;
  const rows = await db
    .select({
      permission: connectionGrants.permission,
      userId: users.id,
      username: users.username,
      groupId: groups.id,
      groupName: groups.name,
    })
    .from(connectionGrants)
    .leftJoin(users, eq(users.id, connectionGrants.userId))
    .leftJoin(groups, eq(groups.id, connectionGrants.groupId))
    .where(eq(connectionGrants.connectionId, id));
  const grants: ConnectionGrant[] = rows.map((row) => ({
    permission: row.permission as ConnectionGrant['permission'],
    grantee: granteeOf(row),
  }));
  return { type: 'connection', ...connection, grants };
}

/**
 * The facts of one resource; null when it does not exist (or the id is not even well-formed).
 *
 * @example
 * const facts = await loadResourceFacts(db, { type: 'dashboard', id });
 */
export async function loadResourceFacts(
  db: Database,
  ref: ResourceRef,
): Promise<ResourceFacts | null> {
  if (ref.type === 'system') return { type: 'system' };
  if (!isUuid(ref.id)) return null;
  switch (ref.type) {
    case 'user': {
      const [user] = await db
        .select({ id: users.id, name: users.username })
        .from(users)
        .where(eq(users.id, ref.id));
      return user ? { type: 'user', ...user } : null;
    }
    case 'group': {
      const [group] = await db
        .select({ id: groups.id, name: groups.name, source: groups.source })
        .from(groups)
        .where(eq(groups.id, ref.id));
      return group
        ? { type: 'group', ...group, source: group.source as 'local' | 'ldap' | 'oidc' }
        : null;
    }
    case 'project': {
      const project = await projectFacts(db, ref.id);
      return project ? { type: 'project', ...project } : null;
    }
    case 'dashboard': {
      const [dashboard] = await db
        .select({
          id: dashboards.id,
          name: dashboards.title,
          tags: dashboards.tags,
          projectId: dashboards.projectId,
        })
        .from(dashboards)
        .where(eq(dashboards.id, ref.id));
      const project = dashboard && (await projectFacts(db, dashboard.projectId));
      if (!dashboard || !project) return null;
      return {
        type: 'dashboard',
        id: dashboard.id,
        name: dashboard.name,
        tags: dashboard.tags,
        project,
      };
    }
    case 'dataset': {
      const [dataset] = await db
        .select({
          id: datasets.id,
          name: datasets.name,
          tags: datasets.tags,
          projectId: datasets.projectId,
        })
        .from(datasets)
        .where(eq(datasets.id, ref.id));
      const project = dataset && (await projectFacts(db, dataset.projectId));
      if (!dataset || !project) return null;
      return { type: 'dataset', id: dataset.id, name: dataset.name, tags: dataset.tags, project };
    }
    case 'connection':
      return connectionFacts(db, ref.id);
  }
}

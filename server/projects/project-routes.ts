/**
 * Projects and their members. Every handler first asks the policy (`requireAccess`), then
 * touches data as the caller (`store.asUser`, row-level security), and records each change with
 * its state before and after in the same transaction.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, eq, asc, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { captureRows, type SnapshotPart } from '../audit/index.ts';
import {
  allowedActions,
  currentSubject,
  granteeOf,
  isAllowed,
  keepsAnEnabledHolder,
  loadResourceFacts,
  loadRules,
  projectRoleOf,
  requestActor,
  requireAccess,
  type ProjectFacts,
  type Subject,
  type AccessRule,
} from '../authz/index.ts';
import { ConflictError, NotFoundError, validationHook } from '../errors/index.ts';
import {
  DescriptionSchema,
  IdParamsSchema,
  IdSchema,
  NameSchema,
  PrincipalRefSchema,
  errorResponses,
} from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';

const { projects, projectMembers, users, groups } = schema;

const ProjectRoleSchema = z.enum(['owner', 'editor', 'viewer']);

export const ProjectSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    tags: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    myRole: ProjectRoleSchema.nullable().openapi({
      description: "The caller's effective role (the most permissive of their grants).",
    }),
    allowedActions: z.array(z.string()).openapi({
      description: 'What the caller may do with this project, for the UI to offer only that.',
    }),
  })
  .openapi('Project');

const ProjectListSchema = z.object({ projects: z.array(ProjectSchema) }).openapi('ProjectList');

const CreateProjectSchema = z
  .object({ name: NameSchema, description: DescriptionSchema.optional() })
  .strict()
  .openapi('CreateProject');

const UpdateProjectSchema = z
  .object({ name: NameSchema.optional(), description: DescriptionSchema.optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.description !== undefined, {
    message: 'name or description is required',
  })
  .openapi('UpdateProject');

export const MemberSchema = z
  .object({
    principal: z.object({ type: z.enum(['user', 'group']), id: z.uuid(), name: z.string() }),
    role: ProjectRoleSchema,
  })
  .openapi('ProjectMember');

const MemberListSchema = z.object({ members: z.array(MemberSchema) }).openapi('ProjectMemberList');

const PutMemberSchema = z
  .object({ principal: PrincipalRefSchema, role: ProjectRoleSchema })
  .strict()
  .openapi('PutProjectMember');

const MemberParamsSchema = z.object({
  id: IdSchema.openapi({ param: { name: 'id', in: 'path' } }),
  type: z.enum(['user', 'group']).openapi({ param: { name: 'type', in: 'path' } }),
  principalId: IdSchema.openapi({ param: { name: 'principalId', in: 'path' } }),
});

type ProjectRow = typeof projects.$inferSelect;

function projectView(
  row: ProjectRow,
  subject: Subject,
  facts: ProjectFacts,
  rules: readonly AccessRule[],
): z.infer<typeof ProjectSchema> {
  const full = { type: 'project' as const, ...facts };
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    myRole: projectRoleOf(subject, facts),
    allowedActions: allowedActions(subject, full, rules),
  };
}

/**
 * The state an audit event records for a project (what a revert restores). Its members and
 * contents are resources of their own, recorded by their own events.
 */
export function projectState(row: ProjectRow) {
  return { id: row.id, name: row.name, description: row.description, tags: row.tags };
}

/**
 * Everything a project's deletion removes, parents first, for the snapshot that lets a revert
 * put it all back with its ids.
 */
export function projectRows(projectId: string): SnapshotPart[] {
  return [
    { table: 'projects', where: sql`id = ${projectId}` },
    { table: 'project_members', where: sql`project_id = ${projectId}` },
    { table: 'dashboards', where: sql`project_id = ${projectId}` },
    { table: 'datasets', where: sql`project_id = ${projectId}` },
    { table: 'dataset_versions', where: sql`project_id = ${projectId}` },
  ];
}

/** A project's grants, oldest first, each with its holder's name. */
export async function loadMembers(db: Database, projectId: string) {
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
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(asc(projectMembers.createdAt));
  return rows.map((row) => ({
    principal: granteeOf(row),
    role: row.role as z.infer<typeof ProjectRoleSchema>,
  }));
}

async function freshView(c: Context<AppEnv>, row: ProjectRow) {
  const subject = await currentSubject(c);
  const [facts, rules] = await Promise.all([
    loadResourceFacts(c.var.store.db, { type: 'project', id: row.id }),
    loadRules(c.var.store.db),
  ]);
  if (!facts || facts.type !== 'project') throw new NotFoundError('The project is gone.');
  return projectView(row, subject, facts, rules);
}

const tags = ['projects'];
const security = [{ DPoP: [] }];

const listProjectsRoute = createRoute({
  method: 'get',
  path: '/projects',
  tags,
  security,
  summary: 'Projects the caller may open',
  responses: {
    200: {
      description: 'The projects.',
      content: { 'application/json': { schema: ProjectListSchema } },
    },
  },
});

const createProjectRoute = createRoute({
  method: 'post',
  path: '/projects',
  tags,
  security,
  summary: 'Create a project (the caller becomes its owner)',
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateProjectSchema } } },
  },
  responses: {
    201: { description: 'Created.', content: { 'application/json': { schema: ProjectSchema } } },
    ...errorResponses(400, 403),
  },
});

const getProjectRoute = createRoute({
  method: 'get',
  path: '/projects/{id}',
  tags,
  security,
  summary: 'One project',
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The project.',
      content: { 'application/json': { schema: ProjectSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const updateProjectRoute = createRoute({
  method: 'patch',
  path: '/projects/{id}',
  tags,
  security,
  summary: "Change a project's name or description (owners)",
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateProjectSchema } } },
  },
  responses: {
    200: {
      description: 'The changed project.',
      content: { 'application/json': { schema: ProjectSchema } },
    },
    ...errorResponses(400, 403, 404),
  },
});

const deleteProjectRoute = createRoute({
  method: 'delete',
  path: '/projects/{id}',
  tags,
  security,
  summary: 'Delete a project with its dashboards and datasets (owners)',
  request: { params: IdParamsSchema },
  responses: { 204: { description: 'Deleted.' }, ...errorResponses(400, 403, 404) },
});

const listMembersRoute = createRoute({
  method: 'get',
  path: '/projects/{id}/members',
  tags,
  security,
  summary: "A project's grants",
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The grants.',
      content: { 'application/json': { schema: MemberListSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const putMemberRoute = createRoute({
  method: 'put',
  path: '/projects/{id}/members',
  tags,
  security,
  summary: 'Grant or change a role for a user or group (owners)',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: PutMemberSchema } } },
  },
  responses: {
    200: {
      description: 'The grants after the change.',
      content: { 'application/json': { schema: MemberListSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
  },
});

const deleteMemberRoute = createRoute({
  method: 'delete',
  path: '/projects/{id}/members/{type}/{principalId}',
  tags,
  security,
  summary: "Remove a user's or group's grant (owners; never the last owner)",
  request: { params: MemberParamsSchema },
  responses: { 204: { description: 'Removed.' }, ...errorResponses(400, 403, 404, 409) },
});

/** The name of a user or group, or undefined when there is none with the id. */
export async function principalName(db: Database, type: 'user' | 'group', id: string) {
  if (type === 'user') {
    const [user] = await db.select({ name: users.username }).from(users).where(eq(users.id, id));
    return user?.name;
  }
  const [group] = await db.select({ name: groups.name }).from(groups).where(eq(groups.id, id));
  return group?.name;
}

export function principalColumn(type: 'user' | 'group') {
  return type === 'user' ? projectMembers.userId : projectMembers.groupId;
}

/**
 * Refuses a change to a grant that would leave no enabled user owning the project (see
 * `keepsAnEnabledHolder`: an owner grant to an empty group or a disabled account counts for
 * nobody).
 */
export async function ensureAnOwnerRemains(
  db: Database,
  members: Awaited<ReturnType<typeof loadMembers>>,
  target: { type: 'user' | 'group'; id: string },
  newRole: 'owner' | 'editor' | 'viewer' | null,
) {
  const grants = members.map((member) => ({ grantee: member.principal, level: member.role }));
  if (await keepsAnEnabledHolder(db, 'owner', grants, { grantee: target, level: newRole })) return;
  throw new ConflictError(
    'A project needs an owner who is an enabled user (directly or through a group with members): make someone else owner first.',
    'last_owner',
  );
}

/**
 * The project routes, to mount under `/api/v1` behind authentication.
 *
 * @example
 * api.route('/', projectRoutes());
 */
export function projectRoutes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listProjectsRoute, async (c) => {
      await requireAccess(c, 'project.list', { type: 'system' });
      const subject = await currentSubject(c);
      const rules = await loadRules(c.var.store.db);
      const rows = await c.var.store.asUser(subject.userId, (db) =>
        db.select().from(projects).orderBy(asc(projects.name)),
      );
      const visible = [];
      for (const row of rows) {
        const facts = await loadResourceFacts(c.var.store.db, { type: 'project', id: row.id });
        if (facts?.type !== 'project') continue;
        if (!isAllowed(subject, 'project.view', facts, rules)) continue;
        visible.push(projectView(row, subject, facts, rules));
      }
      return c.json({ projects: visible }, 200);
    })
    .openapi(createProjectRoute, async (c) => {
      await requireAccess(c, 'project.create', { type: 'system' });
      const body = c.req.valid('json');
      const userId = c.var.principal.userId;
      const id = crypto.randomUUID();
      const now = new Date();
      const row = await c.var.store.asUser(userId, async (db) => {
        // No RETURNING: until the owner grant exists, only the creator-bootstrap rule shows it.
        await db.insert(projects).values({
          id,
          name: body.name,
          description: body.description ?? '',
          createdBy: userId,
          createdAt: now,
          updatedAt: now,
        });
        await db.insert(projectMembers).values({
          id: crypto.randomUUID(),
          projectId: id,
          userId,
          role: 'owner',
          createdAt: now,
        });
        const [created] = await db.select().from(projects).where(eq(projects.id, id));
        if (!created) throw new Error('the new project is not visible to its creator');
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'project.create',
            resourceType: 'project',
            resourceId: id,
            projectId: id,
            outcome: 'ok',
            after: projectState(created),
            details: { members: [{ type: 'user', id: userId, role: 'owner' }] },
          },
          db,
        );
        return created;
      });
      return c.json(await freshView(c, row), 201);
    })
    .openapi(getProjectRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, facts, rules } = await requireAccess(c, 'project.view', {
        type: 'project',
        id,
      });
      const [row] = await c.var.store.asUser(subject.userId, (db) =>
        db.select().from(projects).where(eq(projects.id, id)),
      );
      if (!row) throw new NotFoundError('No project with this id, or you may not see it.');
      return c.json(projectView(row, subject, facts, rules), 200);
    })
    .openapi(updateProjectRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject } = await requireAccess(c, 'project.update', { type: 'project', id });
      const row = await c.var.store.asUser(subject.userId, async (db) => {
        const [before] = await db.select().from(projects).where(eq(projects.id, id)).for('update');
        if (!before) throw new NotFoundError('No project with this id, or you may not see it.');
        const [after] = await db
          .update(projects)
          .set({
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.description !== undefined ? { description: body.description } : {}),
            updatedAt: new Date(),
          })
          .where(eq(projects.id, id))
          .returning();
        if (!after) throw new NotFoundError('No project with this id, or you may not see it.');
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'project.update',
            resourceType: 'project',
            resourceId: id,
            projectId: id,
            outcome: 'ok',
            before: projectState(before),
            after: projectState(after),
          },
          db,
        );
        return after;
      });
      return c.json(await freshView(c, row), 200);
    })
    .openapi(deleteProjectRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'project.delete', { type: 'project', id });
      await c.var.store.asUser(subject.userId, async (db) => {
        const [before] = await db.select().from(projects).where(eq(projects.id, id)).for('update');
        if (!before) throw new NotFoundError('No project with this id, or you may not see it.');
        const members = await loadMembers(db, id);
        const snapshotId = await captureRows(db, projectRows(id));
        await db.delete(projects).where(eq(projects.id, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'project.delete',
            resourceType: 'project',
            resourceId: id,
            projectId: id,
            outcome: 'ok',
            before: projectState(before),
            after: null,
            details: { snapshotId, members },
          },
          db,
        );
      });
      return c.body(null, 204);
    })
    .openapi(listMembersRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'project.members.view', { type: 'project', id });
      const members = await c.var.store.asUser(subject.userId, (db) => loadMembers(db, id));
      return c.json({ members }, 200);
    })
    .openapi(putMemberRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { principal, role } = c.req.valid('json');
      const { subject } = await requireAccess(c, 'project.members.manage', { type: 'project', id });
      const members = await c.var.store.asUser(subject.userId, async (db) => {
        // Serialises concurrent member changes of one project, so two demotions cannot both
        // pass the last-owner check.
        await db
          .select({ id: projects.id })
          .from(projects)
          .where(eq(projects.id, id))
          .for('update');
        const name = await principalName(db, principal.type, principal.id);
        if (name === undefined) throw new NotFoundError(`No ${principal.type} with this id.`);
        const before = await loadMembers(db, id);
        await ensureAnOwnerRemains(db, before, principal, role);
        const column = principalColumn(principal.type);
        const existing = before.find(
          (member) =>
            member.principal.type === principal.type && member.principal.id === principal.id,
        );
        if (existing) {
          await db
            .update(projectMembers)
            .set({ role })
            .where(and(eq(projectMembers.projectId, id), eq(column, principal.id)));
        } else {
          await db.insert(projectMembers).values({
            id: crypto.randomUUID(),
            projectId: id,
            ...(principal.type === 'user' ? { userId: principal.id } : { groupId: principal.id }),
            role,
            createdAt: new Date(),
          });
        }
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'project.members.update',
            resourceType: 'project_member',
            resourceId: `${id}/${principal.type}/${principal.id}`,
            projectId: id,
            outcome: 'ok',
            before: existing ? { principal: existing.principal, role: existing.role } : null,
            after: { principal: { ...principal, name }, role },
          },
          db,
        );
        return loadMembers(db, id);
      });
      return c.json({ members }, 200);
    })
    .openapi(deleteMemberRoute, async (c) => {
      const { id, type, principalId } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'project.members.manage', { type: 'project', id });
      await c.var.store.asUser(subject.userId, async (db) => {
        await db
          .select({ id: projects.id })
          .from(projects)
          .where(eq(projects.id, id))
          .for('update');
        const before = await loadMembers(db, id);
        const existing = before.find(
          (member) => member.principal.type === type && member.principal.id === principalId,
        );
        if (!existing) throw new NotFoundError(`The ${type} holds no role on this project.`);
        await ensureAnOwnerRemains(db, before, { type, id: principalId }, null);
        await db
          .delete(projectMembers)
          .where(and(eq(projectMembers.projectId, id), eq(principalColumn(type), principalId)));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'project.members.remove',
            resourceType: 'project_member',
            resourceId: `${id}/${type}/${principalId}`,
            projectId: id,
            outcome: 'ok',
            before: { principal: existing.principal, role: existing.role },
            after: null,
          },
          db,
        );
      });
      return c.body(null, 204);
    });
}

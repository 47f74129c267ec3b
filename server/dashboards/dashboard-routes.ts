/**
 * Dashboards: a title and a spec of views, living in a project and inheriting its grants. Every
 * handler asks the policy first (`requireAccess`), touches data as the caller (`store.asUser`,
 * row-level security), and records each change with its full state before and after in the same
 * transaction.
 *
 * Edits are guarded by optimistic concurrency: a dashboard's version is its `updatedAt`, sent as
 * the `ETag` (`"2025-01-31T12:00:00.123Z"`); a PATCH with `If-Match` naming another version gets
 * 409 `edit_conflict` and changes nothing. `updatedAt` strictly increases on every change, so two
 * edits within one millisecond still get distinct versions.
 *
 * A view that queries a connection carries only its id and SQL. Storing it grants nothing, but
 * whoever may use the connection runs that SQL when opening the dashboard, so a change that adds
 * a query must come from someone who may run it (`connection.query`) — an editor cannot plant SQL
 * for others to run through a connection they may not use themselves.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { asc, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { captureRows } from '../audit/index.ts';
import {
  allowedActions,
  isAllowed,
  loadResourceFacts,
  projectOf,
  requestActor,
  requireAccess,
  type AccessRule,
  type ProjectFacts,
  type ResourceFacts,
  type Subject,
} from '../authz/index.ts';
import {
  ApiError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  validationHook,
} from '../errors/index.ts';
import { IdParamsSchema, errorResponses } from '../schemas/index.ts';
import { schema } from '../store/index.ts';
import {
  DASHBOARD_SPEC_MAX_BYTES,
  DashboardSpecSchema,
  TitleSchema,
  connectionQueries,
  specByteSize,
  type DashboardSpec,
} from './dashboard-spec.ts';

const { dashboards, projects } = schema;

/** The spec is valid but larger than a dashboard may hold. */
export class SpecTooLargeError extends ApiError {
  constructor(bytes: number) {
    super(
      413,
      'spec_too_large',
      `The dashboard spec is ${String(bytes)} bytes as JSON; the limit is ${String(DASHBOARD_SPEC_MAX_BYTES)} bytes (256 KiB). Split it into several dashboards.`,
    );
  }
}

export const DashboardSchema = z
  .object({
    id: z.uuid(),
    projectId: z.uuid(),
    title: z.string(),
    spec: DashboardSpecSchema,
    tags: z.record(z.string(), z.string()),
    createdBy: z.uuid().nullable(),
    createdAt: z.string(),
    updatedAt: z.string().openapi({
      description: 'The version of the dashboard; send it back as `If-Match` to edit safely.',
    }),
    allowedActions: z.array(z.string()).openapi({
      description: 'What the caller may do with this dashboard, for the UI to offer only that.',
    }),
  })
  .openapi('Dashboard');

const DashboardSummarySchema = DashboardSchema.omit({ spec: true })
  .extend({ viewCount: z.number().int() })
  .openapi('DashboardSummary');

const DashboardListSchema = z
  .object({ dashboards: z.array(DashboardSummarySchema) })
  .openapi('DashboardList');

const DashboardOverviewSchema = z
  .object({
    dashboards: z.array(DashboardSummarySchema.extend({ projectName: z.string() })),
  })
  .openapi('DashboardOverview');

const CreateDashboardSchema = z
  .object({ title: TitleSchema, spec: DashboardSpecSchema })
  .strict()
  .openapi('CreateDashboard');

const UpdateDashboardSchema = z
  .object({ title: TitleSchema.optional(), spec: DashboardSpecSchema.optional() })
  .strict()
  .refine((body) => body.title !== undefined || body.spec !== undefined, {
    message: 'title or spec is required',
  })
  .openapi('UpdateDashboard');

const IfMatchHeadersSchema = z.object({
  'if-match': z
    .string()
    .max(512)
    .optional()
    .openapi({
      param: { name: 'if-match', in: 'header' },
      description:
        "The dashboard's `ETag` (or its `updatedAt`); when it is not the current version the edit is refused with 409.",
      example: '"2025-01-31T12:00:00.123Z"',
    }),
});

export type DashboardRow = typeof dashboards.$inferSelect;

function etagOf(row: DashboardRow): string {
  return `"${row.updatedAt.toISOString()}"`;
}

/**
 * Whether an `If-Match` value names the row's current version. Entity tags compare strongly
 * (RFC 9110 §13.1.1: a weak `W/` tag never matches); `*` matches any existing dashboard; a bare
 * `updatedAt` is taken as its tag, for clients that keep the body rather than the header.
 */
function matchesVersion(ifMatch: string, row: DashboardRow): boolean {
  const current = row.updatedAt.toISOString();
  return ifMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === `"${current}"` || tag === current);
}

function dashboardFacts(row: DashboardRow, project: ProjectFacts): ResourceFacts {
  return { type: 'dashboard', id: row.id, name: row.title, tags: row.tags, project };
}

function dashboardView(
  row: DashboardRow,
  subject: Subject,
  project: ProjectFacts,
  rules: readonly AccessRule[],
): z.infer<typeof DashboardSchema> {
  return {
    id: row.id,
    projectId: row.projectId,
    title: row.title,
    spec: row.spec as DashboardSpec,
    tags: row.tags,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    allowedActions: allowedActions(subject, dashboardFacts(row, project), rules),
  };
}

/**
 * The state an audit event records for a dashboard (what a revert restores): its content, not
 * its version, so that a change undone leaves the dashboard as the change before it left it.
 */
export function dashboardState(row: DashboardRow) {
  return {
    id: row.id,
    projectId: row.projectId,
    title: row.title,
    spec: row.spec,
    tags: row.tags,
  };
}

function checkSpecSize(spec: DashboardSpec | undefined) {
  if (spec === undefined) return;
  const bytes = specByteSize(spec);
  if (bytes > DASHBOARD_SPEC_MAX_BYTES) throw new SpecTooLargeError(bytes);
}

const queryKey = (query: { connectionId: string; sql: string }) =>
  `${query.connectionId}\u0000${query.sql}`;

/** The connection queries `next` runs that `previous` did not. */
export function addedQueries(previous: DashboardSpec | null, next: DashboardSpec) {
  const known = new Set(previous ? connectionQueries(previous).map(queryKey) : []);
  return connectionQueries(next).filter((query) => !known.has(queryKey(query)));
}

/**
 * Refuses a spec whose new queries go through a connection the caller may not query. Each refusal
 * is audited by `requireAccess`; a missing connection and a concealed one get the same 403, so
 * the answer does not tell which connections exist.
 */
export async function requireQueryRights(
  c: Context<AppEnv>,
  queries: { connectionId: string; sql: string }[],
) {
  for (const connectionId of new Set(queries.map((query) => query.connectionId))) {
    try {
      await requireAccess(c, 'connection.query', { type: 'connection', id: connectionId });
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 403)) {
        throw error;
      }
      throw new ForbiddenError(
        `A view may query only a connection you may use yourself; you may not use the connection ${connectionId}.`,
      );
    }
  }
}

const tags = ['dashboards'];
const security = [{ DPoP: [] }];

const listAllDashboardsRoute = createRoute({
  method: 'get',
  path: '/dashboards',
  tags,
  security,
  summary: 'Every dashboard the caller may open, in all their projects (without their specs)',
  responses: {
    200: {
      description: 'The dashboards, by project name and then title.',
      content: { 'application/json': { schema: DashboardOverviewSchema } },
    },
  },
});

const listDashboardsRoute = createRoute({
  method: 'get',
  path: '/projects/{id}/dashboards',
  tags,
  security,
  summary: "A project's dashboards (without their specs)",
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The dashboards the caller may open.',
      content: { 'application/json': { schema: DashboardListSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const createDashboardRoute = createRoute({
  method: 'post',
  path: '/projects/{id}/dashboards',
  tags,
  security,
  summary: 'Create a dashboard in a project (editors)',
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: CreateDashboardSchema } } },
  },
  responses: {
    201: {
      description: 'Created; `ETag` is its version.',
      content: { 'application/json': { schema: DashboardSchema } },
    },
    ...errorResponses(400, 403, 404, 413),
  },
});

const getDashboardRoute = createRoute({
  method: 'get',
  path: '/dashboards/{id}',
  tags,
  security,
  summary: 'One dashboard with its spec',
  request: { params: IdParamsSchema },
  responses: {
    200: {
      description: 'The dashboard; `ETag` is its version.',
      content: { 'application/json': { schema: DashboardSchema } },
    },
    ...errorResponses(400, 404),
  },
});

const updateDashboardRoute = createRoute({
  method: 'patch',
  path: '/dashboards/{id}',
  tags,
  security,
  summary: "Change a dashboard's title or spec (editors), optionally only if unchanged since read",
  request: {
    params: IdParamsSchema,
    headers: IfMatchHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateDashboardSchema } } },
  },
  responses: {
    200: {
      description: 'The changed dashboard; `ETag` is its new version.',
      content: { 'application/json': { schema: DashboardSchema } },
    },
    ...errorResponses(400, 403, 404, 409, 413),
  },
});

const deleteDashboardRoute = createRoute({
  method: 'delete',
  path: '/dashboards/{id}',
  tags,
  security,
  summary: 'Delete a dashboard (owners)',
  request: { params: IdParamsSchema },
  responses: { 204: { description: 'Deleted.' }, ...errorResponses(400, 403, 404) },
});

const notFound = () => new NotFoundError('No dashboard with this id, or you may not see it.');

/**
 * The dashboard routes, to mount under `/api/v1` behind authentication.
 *
 * @example
 * api.route('/', dashboardRoutes());
 */
export function dashboardRoutes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listAllDashboardsRoute, async (c) => {
      // Listing is listing the projects' contents: whoever may list projects may ask, and each
      // dashboard is then shown only where the policy lets the caller open it.
      const { subject, rules } = await requireAccess(c, 'project.list', { type: 'system' });
      const rows = await c.var.store.asUser(subject.userId, (db) =>
        db
          .select({ dashboard: dashboards, projectName: projects.name })
          .from(dashboards)
          .innerJoin(projects, eq(projects.id, dashboards.projectId))
          .orderBy(asc(projects.name), asc(dashboards.title), asc(dashboards.createdAt)),
      );
      const projectFacts = new Map<string, ProjectFacts | null>();
      const visible = [];
      for (const { dashboard, projectName } of rows) {
        if (!projectFacts.has(dashboard.projectId)) {
          const facts = await loadResourceFacts(c.var.store.db, {
            type: 'project',
            id: dashboard.projectId,
          });
          projectFacts.set(dashboard.projectId, facts ? projectOf(facts) : null);
        }
        const project = projectFacts.get(dashboard.projectId);
        if (!project) continue;
        if (!isAllowed(subject, 'dashboard.view', dashboardFacts(dashboard, project), rules)) {
          continue;
        }
        const { spec, ...summary } = dashboardView(dashboard, subject, project, rules);
        visible.push({ ...summary, projectName, viewCount: spec.views.length });
      }
      return c.json({ dashboards: visible }, 200);
    })
    .openapi(listDashboardsRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, facts, rules } = await requireAccess(c, 'project.view', {
        type: 'project',
        id,
      });
      const project = projectOf(facts);
      const rows = await c.var.store.asUser(subject.userId, (db) =>
        db
          .select()
          .from(dashboards)
          .where(eq(dashboards.projectId, id))
          .orderBy(asc(dashboards.title), asc(dashboards.createdAt)),
      );
      const visible = rows
        // Attribute rules may hide a dashboard its project's members otherwise see.
        .filter((row) => isAllowed(subject, 'dashboard.view', dashboardFacts(row, project), rules))
        .map((row) => {
          const { spec, ...summary } = dashboardView(row, subject, project, rules);
          return { ...summary, viewCount: spec.views.length };
        });
      return c.json({ dashboards: visible }, 200);
    })
    .openapi(createDashboardRoute, async (c) => {
      const { id: projectId } = c.req.valid('param');
      const body = c.req.valid('json');
      const { subject, facts, rules } = await requireAccess(c, 'dashboard.create', {
        type: 'project',
        id: projectId,
      });
      checkSpecSize(body.spec);
      await requireQueryRights(c, addedQueries(null, body.spec));
      const id = crypto.randomUUID();
      const now = new Date();
      const row = await c.var.store.asUser(subject.userId, async (db) => {
        const [created] = await db
          .insert(dashboards)
          .values({
            id,
            projectId,
            title: body.title,
            spec: body.spec,
            createdBy: subject.userId,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (!created) throw new Error('the new dashboard is not visible to its creator');
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'dashboard.create',
            resourceType: 'dashboard',
            resourceId: id,
            projectId,
            outcome: 'ok',
            after: dashboardState(created),
          },
          db,
        );
        return created;
      });
      c.header('ETag', etagOf(row));
      c.header('Location', `/api/v1/dashboards/${id}`);
      return c.json(dashboardView(row, subject, projectOf(facts), rules), 201);
    })
    .openapi(getDashboardRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject, facts, rules } = await requireAccess(c, 'dashboard.view', {
        type: 'dashboard',
        id,
      });
      const [row] = await c.var.store.asUser(subject.userId, (db) =>
        db.select().from(dashboards).where(eq(dashboards.id, id)),
      );
      if (!row) throw notFound();
      c.header('ETag', etagOf(row));
      return c.json(dashboardView(row, subject, projectOf(facts), rules), 200);
    })
    .openapi(updateDashboardRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const ifMatch = c.req.valid('header')['if-match'];
      const { subject, facts, rules } = await requireAccess(c, 'dashboard.update', {
        type: 'dashboard',
        id,
      });
      checkSpecSize(body.spec);
      // The policy is asked outside the transaction (it reads as the server); the transaction
      // below then proves the spec it checked against is still the one it replaces.
      let checkedAgainst: DashboardSpec | null = null;
      if (body.spec !== undefined) {
        const [current] = await c.var.store.asUser(subject.userId, (db) =>
          db.select({ spec: dashboards.spec }).from(dashboards).where(eq(dashboards.id, id)),
        );
        if (!current) throw notFound();
        checkedAgainst = current.spec as DashboardSpec;
        await requireQueryRights(c, addedQueries(checkedAgainst, body.spec));
      }
      const row = await c.var.store.asUser(subject.userId, async (db) => {
        const [before] = await db
          .select()
          .from(dashboards)
          .where(eq(dashboards.id, id))
          .for('update');
        if (!before) throw notFound();
        if (ifMatch !== undefined && !matchesVersion(ifMatch, before)) {
          throw new ConflictError(
            `The dashboard was changed since you read it (it is now at ${before.updatedAt.toISOString()}); reload it and edit again.`,
            'edit_conflict',
          );
        }
        if (body.spec !== undefined && checkedAgainst !== null) {
          // A query the checked spec already ran was not checked; if a concurrent edit removed
          // it meanwhile, saving would add it back unchecked.
          const checked = new Set(addedQueries(checkedAgainst, body.spec).map(queryKey));
          const unchecked = addedQueries(before.spec as DashboardSpec, body.spec).filter(
            (query) => !checked.has(queryKey(query)),
          );
          if (unchecked.length > 0) {
            throw new ConflictError(
              'The dashboard was changed while you saved it; reload it and edit again.',
              'edit_conflict',
            );
          }
        }
        // Strictly later than the version it replaces, so the new ETag always differs.
        const updatedAt = new Date(Math.max(Date.now(), before.updatedAt.getTime() + 1));
        const [after] = await db
          .update(dashboards)
          .set({
            ...(body.title !== undefined ? { title: body.title } : {}),
            ...(body.spec !== undefined ? { spec: body.spec } : {}),
            updatedAt,
          })
          .where(eq(dashboards.id, id))
          .returning();
        if (!after) throw notFound();
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'dashboard.update',
            resourceType: 'dashboard',
            resourceId: id,
            projectId: after.projectId,
            outcome: 'ok',
            before: dashboardState(before),
            after: dashboardState(after),
          },
          db,
        );
        return after;
      });
      c.header('ETag', etagOf(row));
      return c.json(dashboardView(row, subject, projectOf(facts), rules), 200);
    })
    .openapi(deleteDashboardRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { subject } = await requireAccess(c, 'dashboard.delete', { type: 'dashboard', id });
      await c.var.store.asUser(subject.userId, async (db) => {
        const [before] = await db
          .select()
          .from(dashboards)
          .where(eq(dashboards.id, id))
          .for('update');
        if (!before) throw notFound();
        const snapshotId = await captureRows(db, [{ table: 'dashboards', where: sql`id = ${id}` }]);
        await db.delete(dashboards).where(eq(dashboards.id, id));
        await c.var.audit.record(
          {
            ...requestActor(c),
            action: 'dashboard.delete',
            resourceType: 'dashboard',
            resourceId: id,
            projectId: before.projectId,
            outcome: 'ok',
            before: dashboardState(before),
            after: null,
            details: { snapshotId },
          },
          db,
        );
      });
      return c.body(null, 204);
    });
}

/**
 * The audit trail's read API: list events (filtered, newest first, cursor-paged), export them as
 * JSON Lines or CSV, and verify the chain. What a caller sees is narrowed by the policy: Admins
 * the whole trail, project owners their projects' events, everyone their own. Listing is not
 * itself audited (reading the trail would otherwise grow it); exports and verifications are.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, gte, inArray, like, lt, lte, or, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { AppEnv } from '../app-env.ts';
import {
  currentSubject,
  isAllowed,
  loadResourceFacts,
  loadRules,
  requestActor,
  requireDecision,
  type Subject,
} from '../authz/index.ts';
import { validationHook } from '../errors/index.ts';
import { SESSION_ID_PATTERN } from '../identity/index.ts';
import { IdSchema, errorResponses } from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';
import { verifyAuditArchives } from './retention.ts';

const { auditEvents, projects } = schema;
const tags = ['Audit'];

const cursorPrefix = 'seq:';

/** The opaque cursor handed out with a page: the sequence number of its last event. */
export function encodeAuditCursor(seq: number): string {
  return Buffer.from(`${cursorPrefix}${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^seq:(\d{1,15})$/.exec(text);
  return match ? Number(match[1]) : null;
}

const FilterSchema = z.object({
  actorUserId: IdSchema.optional(),
  actorPlugin: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a plugin id')
    .optional(),
  action: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/,
      'must be a dotted action, or a prefix ending in "."',
    )
    .max(100)
    .optional()
    .openapi({ description: 'An exact action, or a prefix ending in "." (e.g. `plugin.`).' }),
  resourceType: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a resource type')
    .optional(),
  resourceId: z
    .string()
    .regex(/^[A-Za-z0-9._:@/-]{1,200}$/, 'must be a resource id')
    .optional(),
  outcome: z.enum(['allowed', 'denied', 'error', 'ok']).optional(),
  projectId: IdSchema.optional(),
  sessionId: z
    .string()
    .regex(SESSION_ID_PATTERN, 'must be a session id')
    .optional()
    .openapi({ description: 'The sign-in session the events came from (its `sid`).' }),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

type AuditFilter = z.infer<typeof FilterSchema>;

const needsResourceType = (query: AuditFilter) =>
  query.resourceId === undefined || query.resourceType !== undefined;
const resourceTypeMessage = {
  message: 'resourceId needs resourceType',
  path: ['resourceId'],
};

const ListQuerySchema = FilterSchema.extend({
  cursor: z
    .string()
    .refine((cursor) => decodeCursor(cursor) !== null, 'must be a cursor from a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})
  .strict()
  .refine(needsResourceType, resourceTypeMessage);

const ExportQuerySchema = FilterSchema.extend({ format: z.enum(['jsonl', 'csv']) })
  .strict()
  .refine(needsResourceType, resourceTypeMessage);

const JsonSchema = z.unknown().openapi({ description: 'JSON as recorded, or null.' });

export const AuditEventSchema = z
  .object({
    seq: z.number().int(),
    id: z.uuid(),
    occurredAt: z.string(),
    actorUserId: z.string().nullable(),
    actorClient: z.string().nullable(),
    actorPlugin: z.string().nullable(),
    source: z.enum(['server', 'client']),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    projectId: z.string().nullable(),
    outcome: z.string(),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    sessionId: z
      .string()
      .nullable()
      .openapi({ description: 'The sign-in session the request came from, when known.' }),
    details: JsonSchema,
    before: JsonSchema,
    after: JsonSchema,
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEvent');

export type PublicAuditEvent = z.infer<typeof AuditEventSchema>;

const AuditPageSchema = z
  .object({ events: z.array(AuditEventSchema), nextCursor: z.string().nullable() })
  .openapi('AuditPage');

const VerificationSchema = z
  .object({
    ok: z.boolean(),
    /** Events verified in the database (from the anchor on). */
    events: z.number().int(),
    archived: z
      .object({
        events: z.number().int(),
        files: z.number().int(),
      })
      .openapi({
        description:
          'Events verified in the archive files (retention) and how many files held them.',
      }),
    brokenAt: z
      .object({
        seq: z.number().int().nullable(),
        id: z.string().nullable(),
        reason: z.string(),
        message: z.string(),
        file: z
          .string()
          .optional()
          .openapi({ description: 'The archive file at fault, when the break is in one.' }),
      })
      .optional(),
  })
  .openapi('AuditVerification');

const listRoute = createRoute({
  method: 'get',
  path: '/audit',
  tags,
  summary: 'Audit events the caller may see, newest first',
  request: { query: ListQuerySchema },
  responses: {
    200: { description: 'One page.', content: { 'application/json': { schema: AuditPageSchema } } },
    ...errorResponses(400),
  },
});

const exportRoute = createRoute({
  method: 'get',
  path: '/audit/export',
  tags,
  summary: 'Export the audit events the caller may see (JSON Lines or CSV), streamed',
  request: { query: ExportQuerySchema },
  responses: {
    200: {
      description: 'The events, newest first, as an attachment.',
      content: {
        'application/x-ndjson': { schema: z.string() },
        'text/csv': { schema: z.string() },
      },
    },
    ...errorResponses(400),
  },
});

const verifyRoute = createRoute({
  method: 'get',
  path: '/audit/verify',
  tags,
  summary: 'Verify the whole audit chain (Admins)',
  responses: {
    200: {
      description: 'Whether the chain holds, and where it first breaks if not.',
      content: { 'application/json': { schema: VerificationSchema } },
    },
    ...errorResponses(403),
  },
});

/** The events a subject may see: all (null), or those they acted in or of projects they own. */
export async function visibleScope(db: Database, subject: Subject): Promise<SQL | null> {
  if (isAllowed(subject, 'audit.view_all', { type: 'system' }, [])) return null;
  const rules = await loadRules(db);
  const rows = await db.select({ id: projects.id }).from(projects);
  const owned: string[] = [];
  for (const row of rows) {
    const facts = await loadResourceFacts(db, { type: 'project', id: row.id });
    if (facts && isAllowed(subject, 'audit.view_project', facts, rules)) owned.push(row.id);
  }
  const own = eq(auditEvents.actorUserId, subject.userId);
  return owned.length === 0 ? own : (or(own, inArray(auditEvents.projectId, owned)) ?? own);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function filterConditions(filter: AuditFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.actorUserId) conditions.push(eq(auditEvents.actorUserId, filter.actorUserId));
  if (filter.actorPlugin) conditions.push(eq(auditEvents.actorPlugin, filter.actorPlugin));
  if (filter.action) {
    conditions.push(
      filter.action.endsWith('.')
        ? like(auditEvents.action, `${escapeLike(filter.action)}%`)
        : eq(auditEvents.action, filter.action),
    );
  }
  if (filter.resourceType) conditions.push(eq(auditEvents.resourceType, filter.resourceType));
  if (filter.resourceId) conditions.push(eq(auditEvents.resourceId, filter.resourceId));
  if (filter.outcome) conditions.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.projectId) conditions.push(eq(auditEvents.projectId, filter.projectId));
  if (filter.sessionId) conditions.push(eq(auditEvents.sessionId, filter.sessionId));
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, new Date(filter.from)));
  if (filter.to) conditions.push(lte(auditEvents.occurredAt, new Date(filter.to)));
  return conditions;
}

type AuditRow = typeof auditEvents.$inferSelect;

/** A stored event as the API shows it. */
export function publicEvent(row: AuditRow): PublicAuditEvent {
  return {
    ...row,
    occurredAt: row.occurredAt.toISOString(),
    source: row.source as PublicAuditEvent['source'],
  };
}

async function readPage(
  db: Database,
  where: SQL[],
  beforeSeq: number | null,
  limit: number,
): Promise<AuditRow[]> {
  const conditions = beforeSeq === null ? where : [...where, lt(auditEvents.seq, beforeSeq)];
  return db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.seq))
    .limit(limit);
}

async function conditionsFor(c: Context<AppEnv>, filter: AuditFilter): Promise<SQL[]> {
  const subject = await currentSubject(c);
  const scope = await visibleScope(c.var.store.db, subject);
  return scope ? [scope, ...filterConditions(filter)] : filterConditions(filter);
}

const csvColumns = [
  'seq',
  'id',
  'occurredAt',
  'actorUserId',
  'actorClient',
  'actorPlugin',
  'source',
  'action',
  'resourceType',
  'resourceId',
  'projectId',
  'outcome',
  'requestId',
  'ip',
  'sessionId',
  'details',
  'before',
  'after',
  'prevHash',
  'hash',
] as const satisfies readonly (keyof PublicAuditEvent)[];

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, and prefixed with
 * a quote when a spreadsheet would take it for a formula.
 *
 * @example
 * csvCell('=HYPERLINK("x")'); // '"\'=HYPERLINK(""x"")"'
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(event: PublicAuditEvent): string {
  return `${csvColumns.map((column) => csvCell(event[column])).join(',')}\r\n`;
}

const exportBatchSize = 500;

/**
 * The audit routes, mounted under `/api/v1`.
 *
 * @example
 * api.route('/', auditRoutes());
 */
export function auditRoutes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const { cursor, limit, ...filter } = c.req.valid('query');
      const where = await conditionsFor(c, filter);
      const rows = await readPage(
        c.var.store.db,
        where,
        cursor ? decodeCursor(cursor) : null,
        limit + 1,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeAuditCursor(last.seq) : null;
      return c.json({ events: page.map(publicEvent), nextCursor }, 200);
    })
    .openapi(exportRoute, async (c) => {
      const { format, ...filter } = c.req.valid('query');
      const db = c.var.store.db;
      const where = await conditionsFor(c, filter);
      // The export is on record before it is sent; it covers the trail up to its own record.
      const recorded = await c.var.audit.record({
        ...requestActor(c),
        action: 'audit.export',
        resourceType: 'audit',
        outcome: 'ok',
        details: { format, filter },
      });
      const stamp = recorded.occurredAt.toISOString().replace(/[:.]/g, '-');
      c.header(
        'Content-Type',
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      );
      c.header('Content-Disposition', `attachment; filename="audit-${stamp}.${format}"`);
      c.header('Cache-Control', 'no-store');
      return stream(c, async (out) => {
        if (format === 'csv') await out.write(`${csvColumns.join(',')}\r\n`);
        let beforeSeq = recorded.seq;
        for (;;) {
          const rows = await readPage(db, where, beforeSeq, exportBatchSize);
          for (const row of rows) {
            const event = publicEvent(row);
            await out.write(format === 'csv' ? csvLine(event) : `${JSON.stringify(event)}\n`);
          }
          const last = rows.at(-1);
          if (!last || rows.length < exportBatchSize) return;
          beforeSeq = last.seq;
        }
      }) as never;
    })
    .openapi(verifyRoute, async (c) => {
      await requireDecision(c, 'audit.verify', { type: 'system' });
      // The archive files hold the chain's beginning, so a break there comes first.
      const archives = await verifyAuditArchives(c.var.store.db);
      const archived = { events: archives.events, files: archives.files };
      const result = archives.ok ? await c.var.audit.verify() : null;
      const events = result?.events ?? 0;
      const brokenAt = !archives.ok
        ? {
            seq: archives.broken.event?.seq ?? null,
            id: archives.broken.event?.id ?? null,
            reason: archives.broken.reason,
            message: archives.broken.message,
            file: archives.broken.file,
          }
        : result && !result.ok
          ? {
              seq: result.broken.event?.seq ?? null,
              id: result.broken.event?.id ?? null,
              reason: result.broken.reason,
              message: result.broken.message,
            }
          : null;
      await c.var.audit.record({
        ...requestActor(c),
        action: 'audit.verify',
        resourceType: 'audit',
        outcome: 'ok',
        details: brokenAt
          ? { ok: false, events, archived, reason: brokenAt.reason, file: brokenAt.file ?? null }
          : { ok: true, events, archived },
      });
      if (!brokenAt) return c.json({ ok: true, events, archived }, 200);
      return c.json({ ok: false, events, archived, brokenAt }, 200);
    });
}

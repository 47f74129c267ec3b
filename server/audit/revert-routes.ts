/**
 * The revert API: undo one recorded change (`POST /audit/{eventId}/revert`), or everything a
 * person, plugin, app or sign-in session changed since a time (`POST /audit/revert-batch`,
 * newest first, each in its own transaction, each reported). The caller may revert only events
 * they may see in the trail, and only what the policy lets them change now.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, gte, lte, notLike, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { currentSubject, requestActor } from '../authz/index.ts';
import { ApiError, ConflictError, NotFoundError, validationHook } from '../errors/index.ts';
import { SESSION_ID_PATTERN } from '../identity/index.ts';
import { IdSchema, errorResponses } from '../schemas/index.ts';
import { schema, type Database } from '../store/index.ts';
import { AuditEventSchema, publicEvent, visibleScope } from './audit-routes.ts';
import type { ChainedAuditEvent } from './chain.ts';
import {
  NotRevertibleError,
  RevertConflictError,
  createRevertEngine,
  type RevertRun,
} from './revert.ts';
import type { Reverter } from './reverter.ts';
import { chainedEvent } from './stored-events.ts';

const { auditEvents } = schema;
const tags = ['Audit'];
const security = [{ DPoP: [] }];

/** The most events one batch reverts; a larger selection is refused, to be narrowed. */
export const REVERT_BATCH_MAX_EVENTS = 500;

const EventParamsSchema = z.object({
  eventId: z.uuid().openapi({ param: { name: 'eventId', in: 'path' } }),
});

const RevertedSchema = z
  .object({ reverted: AuditEventSchema, revert: AuditEventSchema })
  .openapi('AuditRevert');

const BatchSchema = z
  .object({
    actorUserId: IdSchema.optional(),
    actorPlugin: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a plugin id')
      .optional(),
    actorClient: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be a client id')
      .optional(),
    sessionId: z.string().regex(SESSION_ID_PATTERN, 'must be a session id').optional(),
    projectId: IdSchema.optional(),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }).optional(),
    dryRun: z.boolean().default(false).openapi({
      description: 'Report what would happen, changing nothing.',
    }),
  })
  .strict()
  .refine(
    (body) =>
      [body.actorUserId, body.actorPlugin, body.actorClient, body.sessionId].some(
        (field) => field !== undefined,
      ),
    { message: 'name whose changes to revert: actorUserId, actorPlugin, actorClient or sessionId' },
  )
  .openapi('AuditRevertBatch');

const batchStatuses = [
  'reverted',
  'conflict',
  'forbidden',
  'not_revertible',
  'already_reverted',
  'on_device',
] as const;

const BatchResultSchema = z
  .object({
    eventId: z.uuid(),
    seq: z.number().int(),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    status: z.enum(batchStatuses),
    message: z.string(),
    revertEventId: z.uuid().optional(),
    laterEventId: z.uuid().optional(),
  })
  .openapi('AuditRevertBatchResult');

type BatchResult = z.infer<typeof BatchResultSchema>;
type BatchOutcome = Pick<BatchResult, 'status' | 'message' | 'revertEventId' | 'laterEventId'>;

function summaryOf(event: ChainedAuditEvent) {
  return {
    eventId: event.id,
    seq: event.seq,
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
  };
}

const revertRoute = createRoute({
  method: 'post',
  path: '/audit/{eventId}/revert',
  tags,
  security,
  summary: 'Revert one recorded change (to its state before), if nothing changed it since',
  request: { params: EventParamsSchema },
  responses: {
    200: {
      description: 'The reverted event and the `audit.revert` event recording the revert.',
      content: { 'application/json': { schema: RevertedSchema } },
    },
    ...errorResponses(400, 403, 404, 409),
    422: {
      description: 'The event is not a change the server can revert (`not_revertible`).',
    },
  },
});

const batchRoute = createRoute({
  method: 'post',
  path: '/audit/revert-batch',
  tags,
  security,
  summary: 'Revert every change of a person, plugin, app or session since a time, newest first',
  description: `At most ${String(REVERT_BATCH_MAX_EVENTS)} events; each is reverted in its own transaction and reported. Events of the audit trail itself (\`audit.*\`) are not part of the selection.`,
  request: {
    body: { required: true, content: { 'application/json': { schema: BatchSchema } } },
  },
  responses: {
    200: {
      description: 'One result per selected event, newest first.',
      content: {
        'application/json': {
          schema: z
            .object({ results: z.array(BatchResultSchema) })
            .openapi('AuditRevertBatchResults'),
        },
      },
    },
    ...errorResponses(400),
  },
});

export interface RevertRoutesOptions {
  /** Every feature's reverters (`projectReverters`, `dashboardReverters`, …). */
  reverters: readonly Reverter[];
}

async function revertRun(c: Context<AppEnv>): Promise<RevertRun> {
  const db = c.var.store.db;
  return {
    db,
    audit: c.var.audit,
    actor: requestActor(c),
    context: c,
    visible: await visibleScope(db, await currentSubject(c)),
  };
}

async function storedEvent(db: Database, id: string) {
  const [row] = await db.select().from(auditEvents).where(eq(auditEvents.id, id));
  if (!row) throw new Error(`the audit event ${id} just recorded is missing`);
  return publicEvent(row);
}

function batchConditions(body: z.infer<typeof BatchSchema>, visible: SQL | null): SQL[] {
  const conditions: SQL[] = [
    gte(auditEvents.occurredAt, new Date(body.from)),
    notLike(auditEvents.action, 'audit.%'),
  ];
  if (visible) conditions.push(visible);
  if (body.to) conditions.push(lte(auditEvents.occurredAt, new Date(body.to)));
  if (body.actorUserId) conditions.push(eq(auditEvents.actorUserId, body.actorUserId));
  if (body.actorPlugin) conditions.push(eq(auditEvents.actorPlugin, body.actorPlugin));
  if (body.actorClient) conditions.push(eq(auditEvents.actorClient, body.actorClient));
  if (body.sessionId) conditions.push(eq(auditEvents.sessionId, body.sessionId));
  if (body.projectId) conditions.push(eq(auditEvents.projectId, body.projectId));
  return conditions;
}

function failure(event: ChainedAuditEvent, error: unknown): BatchOutcome {
  if (error instanceof RevertConflictError) {
    return {
      status: 'conflict',
      message: error.message,
      ...(error.laterEventId ? { laterEventId: error.laterEventId } : {}),
    };
  }
  if (error instanceof ConflictError) return { status: 'conflict', message: error.message };
  if (error instanceof NotRevertibleError)
    return { status: 'not_revertible', message: error.message };
  if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
    return {
      status: 'forbidden',
      message: `You may not revert event ${event.id}: ${error.message}`,
    };
  }
  throw error;
}

/**
 * The revert routes, mounted under `/api/v1` beside the other audit routes.
 *
 * @example
 * api.route('/', revertRoutes({ reverters: [...projectReverters, ...dashboardReverters] }));
 */
export function revertRoutes(options: RevertRoutesOptions) {
  const engine = createRevertEngine(options.reverters);
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(revertRoute, async (c) => {
      const { eventId } = c.req.valid('param');
      const run = await revertRun(c);
      const [row] = await run.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.id, eventId), ...(run.visible ? [run.visible] : [])));
      if (!row) {
        await c.var.audit.record({
          ...run.actor,
          action: 'audit.revert',
          resourceType: 'audit_event',
          resourceId: eventId,
          outcome: 'denied',
          details: { reason: 'The event does not exist, or the caller may not see it.' },
        });
        throw new NotFoundError('No audit event with this id, or you may not see it.');
      }
      const revert = await engine.revert(chainedEvent(row), run);
      return c.json(
        { reverted: publicEvent(row), revert: await storedEvent(run.db, revert.id) },
        200,
      );
    })
    .openapi(batchRoute, async (c) => {
      const body = c.req.valid('json');
      const run = await revertRun(c);
      const rows = await run.db
        .select()
        .from(auditEvents)
        .where(and(...batchConditions(body, run.visible)))
        .orderBy(desc(auditEvents.seq))
        .limit(REVERT_BATCH_MAX_EVENTS + 1);
      if (rows.length > REVERT_BATCH_MAX_EVENTS) {
        throw new ApiError(
          400,
          'too_many_events',
          `The selection holds more than ${String(REVERT_BATCH_MAX_EVENTS)} events; revert it in parts, newest first (a later \`from\`, then earlier ones).`,
        );
      }
      const results: BatchResult[] = [];
      const revertedFirst = new Set<string>();
      for (const row of rows) {
        const event = chainedEvent(row);
        const outcome = await batchOutcome(event);
        if (outcome.status === 'reverted') revertedFirst.add(event.id);
        results.push({ ...summaryOf(event), ...outcome });
      }
      return c.json({ results }, 200);

      async function batchOutcome(event: ChainedAuditEvent): Promise<BatchOutcome> {
        if (event.action === 'plugin.data_write' && event.source === 'client') {
          return {
            status: 'on_device',
            message:
              "The plugin added columns to a table open in the user's browser; the server never held " +
              'them, and they are gone when that page closes (plugin results are not kept).',
          };
        }
        if (await engine.isReverted(run.db, event)) {
          return { status: 'already_reverted', message: `Event ${event.id} was reverted already.` };
        }
        try {
          if (body.dryRun) {
            await engine.preview(event, run, revertedFirst);
            return { status: 'reverted', message: `Event ${event.id} would be reverted.` };
          }
          const revert = await engine.revert(event, run);
          return {
            status: 'reverted',
            message: `Event ${event.id} was reverted by event ${revert.id}.`,
            revertEventId: revert.id,
          };
        } catch (error) {
          return failure(event, error);
        }
      }
    });
}

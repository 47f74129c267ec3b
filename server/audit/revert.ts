/**
 * The revert engine: undoes one recorded change. It finds the feature's reverter for the event,
 * proves the resource is still exactly as the event left it (else names the later event that
 * changed it), lets the feature's reverter ask the policy, then restores the state before and
 * records the revert, in one transaction on the server's own role.
 *
 * It knows no feature's tables and no HTTP: the request's context is handed through to the
 * reverters only, which is where the policy is asked.
 */
import canonicalize from 'canonicalize';
import { and, asc, eq, gt, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { isUuid } from '../authz/index.ts';
import { ApiError, ConflictError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import type { ChainedAuditEvent, JsonValue } from './chain.ts';
import type { AuditEventInput, AuditTrail } from './index.ts';
import type { Reverter, RevertibleChange } from './reverter.ts';
import { captureRows, type SnapshotPart } from './snapshots.ts';
import type { StoredAuditEvent } from './stored-events.ts';

const { auditEvents, users } = schema;

/** The event is not a change the server can undo (a denial, a browser's report, no states). */
export class NotRevertibleError extends ApiError {
  constructor(message: string) {
    super(422, 'not_revertible', message);
  }
}

/**
 * The resource is no longer as the event left it. `laterEventId` names the first later change
 * the caller may see, to revert before this one.
 */
export class RevertConflictError extends ConflictError {
  constructor(
    message: string,
    readonly laterEventId: string | null,
  ) {
    super(message, 'revert_conflict', laterEventId ? { fields: { laterEventId } } : undefined);
  }
}

/** Who reverts, as `requestActor(c)` gives it. */
export type RevertActor = Omit<
  AuditEventInput,
  | 'action'
  | 'resourceType'
  | 'resourceId'
  | 'projectId'
  | 'outcome'
  | 'details'
  | 'before'
  | 'after'
>;

/** What one revert runs with. */
export interface RevertRun {
  /** The server's own database; the engine opens its transactions on it. */
  db: Database;
  audit: AuditTrail;
  actor: RevertActor;
  /** The request, handed to the reverters (they ask the policy with it). */
  context: Context<AppEnv>;
  /** The events the caller may see (null: all); a conflict names only a later event among them. */
  visible: SQL | null;
}

function detailsOf(event: ChainedAuditEvent): Record<string, JsonValue> {
  const { details } = event;
  return details !== null && typeof details === 'object' && !Array.isArray(details) ? details : {};
}

/**
 * The change an event records, with an `audit.revert` mapped back to the action it reverted (so
 * reverting a revert redoes the change). Throws `NotRevertibleError` for what is not a change.
 *
 * @example
 * revertibleChange(event); // { action: 'project.update', before, after, snapshotId: null, … }
 */
export function revertibleChange(event: ChainedAuditEvent): RevertibleChange {
  const name = `Event ${event.id} (${event.action})`;
  if (event.outcome !== 'ok') {
    throw new NotRevertibleError(
      `${name} records a request that was ${event.outcome}, not a change.`,
    );
  }
  if (event.source !== 'server') {
    throw new NotRevertibleError(
      `${name} was reported by a browser; the server reverts only the changes it made itself.`,
    );
  }
  const details = detailsOf(event);
  let action = event.action;
  if (action === 'audit.revert') {
    if (typeof details.revertedAction !== 'string') {
      throw new NotRevertibleError(`${name} does not say which change it reverted.`);
    }
    action = details.revertedAction;
  }
  if (event.resourceId === null || (event.before === null && event.after === null)) {
    throw new NotRevertibleError(`${name} records no state of a resource to go back to.`);
  }
  return {
    event,
    action,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    before: event.before,
    after: event.after,
    snapshotId: typeof details.snapshotId === 'string' ? details.snapshotId : null,
  };
}

/**
 * What undoing the change does to the resource: `remove` it (the change created it), `recreate`
 * it (the change removed it) or `update` it back.
 *
 * @example
 * if (undoingKind(change) === 'recreate') await restoreRows(db, change.snapshotId);
 */
export function undoingKind(change: RevertibleChange): 'remove' | 'recreate' | 'update' {
  if (change.before === null) return 'remove';
  return change.after === null ? 'recreate' : 'update';
}

const snapshotsTaken = new WeakMap<RevertibleChange, string>();

/**
 * For a reverter's `restore` that removes rows: snapshots them (parents first, before deleting)
 * so that the revert event carries `details.snapshotId` and reverting the revert puts them back
 * with their ids.
 *
 * @example
 * await captureRevertedRows(db, change, [{ table: 'dashboards', where: sql`id = ${id}` }]);
 * await db.delete(dashboards).where(eq(dashboards.id, id));
 */
export async function captureRevertedRows(
  db: Database,
  change: RevertibleChange,
  parts: readonly SnapshotPart[],
): Promise<string> {
  const snapshotId = await captureRows(db, parts);
  snapshotsTaken.set(change, snapshotId);
  return snapshotId;
}

/** Canonical JSON equality: key order does not matter, `undefined` fields count as absent. */
function sameState(left: JsonValue | null, right: JsonValue | null): boolean {
  return canonicalize(left) === canonicalize(right);
}

/** A state as JSON hands it back (dates as strings), so that it compares with a recorded one. */
function asJson(state: JsonValue | null): JsonValue | null {
  return state === null ? null : (JSON.parse(JSON.stringify(state)) as JsonValue);
}

/** The SQLSTATEs of a restore that clashes with the rows as they are now. */
const clashCodes = new Set(['23503', '23505', '23514', '23P01']);

function clashOf(error: unknown): string | null {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const { code, detail } = cause as { code?: unknown; detail?: unknown };
    if (typeof code === 'string' && clashCodes.has(code)) {
      return typeof detail === 'string' && detail ? detail : cause.message;
    }
  }
  return null;
}

async function actorName(db: Database, event: StoredAuditEvent): Promise<string> {
  if (!event.actorUserId) return event.actorPlugin ? `plugin ${event.actorPlugin}` : 'the server';
  if (!isUuid(event.actorUserId)) return event.actorUserId;
  const [user] = await db
    .select({ username: users.username })
    .from(users)
    .where(eq(users.id, event.actorUserId));
  return user?.username ?? event.actorUserId;
}

/**
 * Builds the engine over every feature's reverters (one per resource type and action).
 *
 * @example
 * const engine = createRevertEngine([...projectReverters, ...dashboardReverters]);
 * const revert = await engine.revert(event, { db, audit, actor, context: c, visible: null });
 */
export function createRevertEngine(reverters: readonly Reverter[]) {
  const byAction = new Map<string, Reverter>();
  for (const reverter of reverters) {
    for (const action of reverter.actions) {
      const key = `${reverter.resourceType} ${action}`;
      if (byAction.has(key)) throw new Error(`two reverters undo ${key}`);
      byAction.set(key, reverter);
    }
  }

  function reverterFor(change: RevertibleChange): Reverter {
    const reverter = byAction.get(`${change.resourceType} ${change.action}`);
    if (!reverter) {
      throw new NotRevertibleError(
        `A ${change.action} of a ${change.resourceType} cannot be reverted.`,
      );
    }
    return reverter;
  }

  /** The first later change of the same resource the caller may see, not among `passing`. */
  async function laterChange(
    db: Database,
    change: RevertibleChange,
    visible: SQL | null,
    passing: ReadonlySet<string> = new Set(),
  ): Promise<StoredAuditEvent | undefined> {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(
        and(
          gt(auditEvents.seq, change.event.seq),
          eq(auditEvents.resourceType, change.resourceType),
          eq(auditEvents.resourceId, change.resourceId),
          eq(auditEvents.outcome, 'ok'),
          eq(auditEvents.source, 'server'),
          or(isNotNull(auditEvents.before), isNotNull(auditEvents.after)),
          ...(visible ? [visible] : []),
        ),
      )
      .orderBy(asc(auditEvents.seq));
    return rows.find((row) => !passing.has(row.id));
  }

  async function conflict(
    db: Database,
    change: RevertibleChange,
    visible: SQL | null,
    passing?: ReadonlySet<string>,
  ): Promise<RevertConflictError> {
    const subject = `The ${change.resourceType} ${change.resourceId}`;
    const later = await laterChange(db, change, visible, passing);
    if (!later) {
      return new RevertConflictError(
        `${subject} is no longer as event ${change.event.id} left it, and no later change on record that you may see explains it; it cannot be reverted.`,
        null,
      );
    }
    const who = await actorName(db, later);
    return new RevertConflictError(
      `${subject} was changed afterwards by event ${later.id} (${later.action} by ${who} at ${later.occurredAt.toISOString()}); revert that first.`,
      later.id,
    );
  }

  /** Throws the conflict unless the resource is exactly as the event left it. */
  async function expectUnchanged(
    db: Database,
    reverter: Reverter,
    change: RevertibleChange,
    run: RevertRun,
  ): Promise<JsonValue | null> {
    const current = asJson(await reverter.current(db, change, run.context));
    if (!sameState(current, change.after)) throw await conflict(db, change, run.visible);
    return current;
  }

  return {
    /**
     * Reverts the event and returns the `audit.revert` event recorded for it. Throws
     * `NotRevertibleError` (422), `RevertConflictError` (409) or the policy's answer (403/404).
     */
    async revert(event: ChainedAuditEvent, run: RevertRun): Promise<ChainedAuditEvent> {
      const change = revertibleChange(event);
      const reverter = reverterFor(change);
      // A stale event is answered with the change that overtook it before the policy is asked:
      // whether the caller may undo a change that can no longer be undone does not matter.
      await run.db.transaction((tx) => expectUnchanged(tx, reverter, change, run));
      await reverter.authorize(run.context, change);
      return run.db.transaction(async (tx) => {
        const current = await expectUnchanged(tx, reverter, change, run);
        let restored: JsonValue | null;
        try {
          restored = asJson(await reverter.restore(tx, change, run.context));
        } catch (error) {
          const clash = clashOf(error);
          if (clash === null) throw error;
          throw new RevertConflictError(
            `The ${change.resourceType} ${change.resourceId} cannot be put back as it was: it clashes with the data as it is now (${clash}).`,
            null,
          );
        }
        const snapshotId = snapshotsTaken.get(change);
        return run.audit.record(
          {
            ...run.actor,
            action: 'audit.revert',
            resourceType: event.resourceType,
            resourceId: event.resourceId,
            projectId: event.projectId,
            outcome: 'ok',
            before: current,
            after: restored,
            details: {
              revertedEventId: event.id,
              revertedAction: change.action,
              revertedSeq: event.seq,
              ...(snapshotId ? { snapshotId } : {}),
            },
          },
          tx,
        );
      });
    },

    /**
     * Decides what `revert` would do without writing anything: throws what it would throw. The
     * events in `revertedFirst` count as reverted already (a batch reverts newest first), so a
     * later change among them is no conflict.
     */
    async preview(
      event: ChainedAuditEvent,
      run: RevertRun,
      revertedFirst: ReadonlySet<string>,
    ): Promise<void> {
      const change = revertibleChange(event);
      const reverter = reverterFor(change);
      const blocking = await laterChange(run.db, change, null, revertedFirst);
      if (blocking) throw await conflict(run.db, change, run.visible, revertedFirst);
      const overtaken = await laterChange(run.db, change, null);
      if (!overtaken) await run.db.transaction((tx) => expectUnchanged(tx, reverter, change, run));
      await reverter.authorize(run.context, change);
    },

    /** Whether a later `audit.revert` already names the event. */
    async isReverted(db: Database, event: ChainedAuditEvent): Promise<boolean> {
      const [row] = await db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(
          and(
            gt(auditEvents.seq, event.seq),
            eq(auditEvents.action, 'audit.revert'),
            eq(auditEvents.outcome, 'ok'),
            sql`${auditEvents.details}->>'revertedEventId' = ${event.id}`,
          ),
        )
        .limit(1);
      return row !== undefined;
    },
  };
}

export type RevertEngine = ReturnType<typeof createRevertEngine>;

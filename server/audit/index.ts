/**
 * The audit core: `recordAudit` appends an event to the one hash-chained trail, and
 * `verifyAuditChain` proves the stored trail intact or names the first event that is not.
 *
 * Writers serialise on the chain head's row lock inside the database, so any number of server
 * processes can record at once without forking the chain.
 */
import { eq } from 'drizzle-orm';
import { schema, type Database } from '../store/index.ts';
import { auditAnchor } from './retention.ts';
import { storedEventsAfter } from './stored-events.ts';
import {
  hashAuditEvent,
  verifyChain,
  type AuditOutcome,
  type AuditSource,
  type ChainedAuditEvent,
  type ChainVerification,
  type JsonValue,
} from './chain.ts';

export {
  GENESIS_HASH,
  canonicalAuditEvent,
  hashAuditEvent,
  verifyChain,
  type AuditOutcome,
  type AuditSource,
  type ChainBreak,
  type ChainBreakReason,
  type ChainedAuditEvent,
  type ChainVerification,
  type JsonValue,
} from './chain.ts';

export { auditRoutes, csvCell, encodeAuditCursor } from './audit-routes.ts';
export type { Reverter, RevertibleChange } from './reverter.ts';
export { captureRows, restoreRows, type SnapshotPart } from './snapshots.ts';
export {
  NotRevertibleError,
  RevertConflictError,
  captureRevertedRows,
  createRevertEngine,
  revertibleChange,
  undoingKind,
  type RevertActor,
  type RevertEngine,
  type RevertRun,
} from './revert.ts';
export { revertRoutes, type RevertRoutesOptions } from './revert-routes.ts';
export {
  AuditArchiveError,
  archiveAuditEvents,
  auditAnchor,
  scheduleAuditRetention,
  verifyAuditArchives,
  type ArchiveBreak,
  type ArchivesVerification,
  type AuditArchiveResult,
  type AuditRetentionOptions,
  type AuditRetentionSchedule,
  type AuditRetentionScheduleOptions,
} from './retention.ts';
export {
  archiveFileName,
  readArchiveFile,
  verifyArchiveFile,
  writeArchiveFile,
  type ArchiveHeader,
  type ArchiveVerification,
} from './archive-file.ts';

const { auditEvents, auditChainHead } = schema;

/** What a feature says happened. Fields it leaves out are recorded as null. */
export interface AuditEventInput {
  /** Dotted verb, e.g. `project.update`, `auth.login`, `authz.deny`. */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  projectId?: string | null;
  outcome: AuditOutcome;
  actorUserId?: string | null;
  /** The OAuth client or app that made the call (e.g. `enclave-web`, `server`). */
  actorClient?: string | null;
  /** The plugin that acted, when one did. */
  actorPlugin?: string | null;
  /** `client` for events reported by the browser; they are stored but never trusted. */
  source?: AuditSource;
  requestId?: string | null;
  ip?: string | null;
  /** The sign-in session the request came from (`requestActor(c)` supplies it). */
  sessionId?: string | null;
  details?: unknown;
  /** State of the resource before a change. */
  before?: unknown;
  /** State of the resource after a change. */
  after?: unknown;
}

const refusedByJsonb =
  // eslint-disable-next-line no-control-regex -- NUL is exactly what jsonb refuses
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What jsonb refuses in a string, NUL and unpaired surrogates, becomes U+FFFD. */
function storableText(text: string): string {
  return text.replace(refusedByJsonb, '\uFFFD');
}

/**
 * Brings a value to the JSON that PostgreSQL's jsonb will hand back unchanged, so the hash taken
 * now still matches when the event is read back: undefined fields go, dates become strings, and
 * strings (keys included) lose what jsonb refuses.
 */
function toStoredJson(value: unknown): JsonValue | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner === 'string') return storableText(inner);
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      return Object.fromEntries(
        Object.entries(inner).map(([key, field]) => [storableText(key), field]),
      );
    }
    return inner;
  });
  if (text === undefined) return null;
  return JSON.parse(text) as JsonValue;
}

/**
 * Appends one event to the audit chain and returns it as stored.
 * Pass a transaction to make the event part of the change it records.
 *
 * @example
 * await recordAudit(store.db, {
 *   action: 'project.update', resourceType: 'project', resourceId: id, outcome: 'ok',
 *   actorUserId: user.id, before, after,
 * });
 */
export async function recordAudit(
  db: Database,
  input: AuditEventInput,
): Promise<ChainedAuditEvent> {
  return db.transaction(async (tx) => {
    const [head] = await tx
      .select()
      .from(auditChainHead)
      .where(eq(auditChainHead.id, 1))
      .for('update');
    if (!head) throw new Error('audit chain head is missing; the store was not migrated');
    const unhashed = {
      seq: head.seq + 1,
      id: crypto.randomUUID(),
      occurredAt: new Date(),
      actorUserId: input.actorUserId ?? null,
      actorClient: input.actorClient ?? null,
      actorPlugin: input.actorPlugin ?? null,
      source: input.source ?? 'server',
      action: input.action,
      resourceType: input.resourceType,
      resourceId: input.resourceId ?? null,
      projectId: input.projectId ?? null,
      outcome: input.outcome,
      requestId: input.requestId ?? null,
      ip: input.ip ?? null,
      sessionId: input.sessionId ?? null,
      details: toStoredJson(input.details),
      before: toStoredJson(input.before),
      after: toStoredJson(input.after),
      prevHash: head.hash,
    } satisfies Omit<ChainedAuditEvent, 'hash'>;
    const event: ChainedAuditEvent = { ...unhashed, hash: hashAuditEvent(unhashed) };
    await tx.insert(auditEvents).values(event);
    await tx
      .update(auditChainHead)
      .set({ seq: event.seq, hash: event.hash })
      .where(eq(auditChainHead.id, 1));
    return event;
  });
}

/**
 * Re-reads the whole trail and checks every hash and link, from the anchor on (the last
 * archived event, see `retention.ts`; the genesis while nothing is archived).
 *
 * @example
 * const result = await verifyAuditChain(store.db);
 * // { ok: true, events: 1234 } or { ok: false, events: 41, broken: { reason: 'altered', ... } }
 */
export async function verifyAuditChain(db: Database): Promise<ChainVerification> {
  return db.transaction(
    async (tx) => {
      const [head] = await tx.select().from(auditChainHead).where(eq(auditChainHead.id, 1));
      if (!head) throw new Error('audit chain head is missing; the store was not migrated');
      const anchor = await auditAnchor(tx as unknown as Database);
      return verifyChain(
        storedEventsAfter(tx as unknown as Database, Number.MIN_SAFE_INTEGER),
        head,
        anchor,
      );
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

export interface AuditTrailOptions {
  db: Database;
  /** Where each recorded event is also written as a log line, when mirroring is on. */
  logger: { info: (fields: object, message: string) => void };
  /** `AUDIT_LOG_ENABLED`: mirror events into the structured log for a SIEM to collect. */
  mirrorToLog: boolean;
}

/** The audit trail as the rest of the server uses it. */
export interface AuditTrail {
  /**
   * Appends an event. Pass the transaction of the change it records (`within`) so that both
   * commit or neither does.
   */
  record(input: AuditEventInput, within?: Database): Promise<ChainedAuditEvent>;
  verify(): Promise<ChainVerification>;
}

/**
 * Binds the audit core to a store and the log.
 *
 * @example
 * const audit = createAuditTrail({ db: store.db, logger, mirrorToLog: config.auditLogEnabled });
 * await audit.record({ action: 'system.start', resourceType: 'system', outcome: 'ok' });
 */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  return {
    async record(input, within) {
      const event = await recordAudit(within ?? options.db, input);
      if (options.mirrorToLog) {
        const { details, before, after, ...summary } = event;
        options.logger.info(
          {
            audit: {
              ...summary,
              hasDetails: details !== null,
              hasBefore: before !== null,
              hasAfter: after !== null,
            },
          },
          `audit ${event.action} ${event.outcome}`,
        );
      }
      return event;
    },
    verify: () => verifyAuditChain(options.db),
  };
}

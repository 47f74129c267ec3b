/**
 * Audit events as read back from the table: the row typed as the chain's event, and a reader
 * that walks a stretch of the chain in order, a batch at a time, for verification and archiving.
 */
import { and, asc, gt, lte } from 'drizzle-orm';
import { schema, type Database } from '../store/index.ts';
import type { AuditOutcome, AuditSource, ChainedAuditEvent, JsonValue } from './chain.ts';

const { auditEvents } = schema;

export type StoredAuditEvent = typeof auditEvents.$inferSelect;

const readBatchSize = 1000;

/**
 * A stored row as the chain's event (the columns the database checks, typed as the chain says).
 *
 * @example
 * const event = chainedEvent(row);
 */
export function chainedEvent(row: StoredAuditEvent): ChainedAuditEvent {
  return {
    ...row,
    source: row.source as AuditSource,
    outcome: row.outcome as AuditOutcome,
    details: row.details as JsonValue | null,
    before: row.before as JsonValue | null,
    after: row.after as JsonValue | null,
  };
}

/**
 * The events after position `afterSeq` (up to `upToSeq`, inclusive, when given), in chain order.
 *
 * @example
 * for await (const event of storedEventsAfter(db, anchor.seq)) check(event);
 */
export async function* storedEventsAfter(
  db: Database,
  afterSeq: number,
  upToSeq?: number,
): AsyncGenerator<ChainedAuditEvent> {
  let after = afterSeq;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(
        upToSeq === undefined
          ? gt(auditEvents.seq, after)
          : and(gt(auditEvents.seq, after), lte(auditEvents.seq, upToSeq)),
      )
      .orderBy(asc(auditEvents.seq))
      .limit(readBatchSize);
    for (const row of rows) yield chainedEvent(row);
    const last = rows.at(-1);
    if (!last || rows.length < readBatchSize) return;
    after = last.seq;
  }
}

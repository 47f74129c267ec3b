/**
 * Test support: reading the trail the way the feature tests check it, straight from the table,
 * and building linked chains for the chain's own tests.
 */
import { and, asc, eq } from 'drizzle-orm';
import { schema, type Database } from '../store/index.ts';
import {
  GENESIS_HASH,
  hashAuditEvent,
  type ChainedAuditEvent,
  type UnhashedAuditEvent,
} from './chain.ts';

const { auditEvents } = schema;

/**
 * The newest successful event of this action on this resource; throws when there is none.
 *
 * @example
 * const renamed = await lastAuditEvent(api.server.store.db, 'group.update', groupId);
 */
export async function lastAuditEvent(db: Database, action: string, resourceId: string) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, action),
        eq(auditEvents.resourceId, resourceId),
        eq(auditEvents.outcome, 'ok'),
      ),
    )
    .orderBy(asc(auditEvents.seq));
  const event = rows.at(-1);
  if (!event) throw new Error(`no ${action} event for ${resourceId}`);
  return event;
}

/**
 * How many denials of this action the user has on record.
 *
 * @example
 * expect(await deniedCount(api.server.store.db, 'user.manage', api.ids.bob)).toBe(1);
 */
export async function deniedCount(db: Database, action: string, actorUserId: string) {
  const rows = await db
    .select({ seq: auditEvents.seq })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, action),
        eq(auditEvents.outcome, 'denied'),
        eq(auditEvents.actorUserId, actorUserId),
      ),
    );
  return rows.length;
}

/** An event's own fields: what a test chooses; the chain fills in position and link. */
export type AuditEventFields = Omit<UnhashedAuditEvent, 'seq' | 'prevHash'>;

/**
 * A correctly linked and hashed chain of `length` events from the genesis, for tests of the
 * chain's checks; `eventAt` gives each position's fields.
 *
 * @example
 * const chain = linkedAuditChain(3, (seq) => ({ ...fields, id: idOf(seq) }));
 */
export function linkedAuditChain(
  length: number,
  eventAt: (seq: number) => AuditEventFields,
): ChainedAuditEvent[] {
  const events: ChainedAuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const unhashed: UnhashedAuditEvent = { ...eventAt(seq), seq, prevHash };
    const event = { ...unhashed, hash: hashAuditEvent(unhashed) };
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

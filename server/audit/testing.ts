/**
 * Test support: reading the trail the way the feature tests check it, straight from the table.
 */
import { and, asc, eq } from 'drizzle-orm';
import { schema, type Database } from '../store/index.ts';

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

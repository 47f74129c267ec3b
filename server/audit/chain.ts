/**
 * The audit chain's pure core: how an event is serialised and hashed, and how a sequence of
 * stored events is checked. No database here, so the rules can be tested and reused (the export
 * and the archive verify with the same code).
 *
 * Each event's hash is SHA-256 over the RFC 8785 (JSON Canonicalization Scheme) serialisation of
 * all its fields, its chain position and the previous event's hash. Altering a field changes the
 * hash; removing, inserting or reordering events breaks the `prevHash` links or the positions.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'allowed' | 'denied' | 'error' | 'ok';
export type AuditSource = 'server' | 'client';
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An audit event as stored: every field that the hash covers, and the hashes. */
export interface ChainedAuditEvent {
  seq: number;
  id: string;
  occurredAt: Date;
  actorUserId: string | null;
  actorClient: string | null;
  actorPlugin: string | null;
  source: AuditSource;
  action: string;
  resourceType: string;
  resourceId: string | null;
  projectId: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  ip: string | null;
  /**
   * The sign-in session the request came from (the token's `sid`), null when there was none.
   * Events stored before sessions were recorded have none.
   */
  sessionId: string | null;
  details: JsonValue | null;
  before: JsonValue | null;
  after: JsonValue | null;
  prevHash: string;
  hash: string;
}

export type UnhashedAuditEvent = Omit<ChainedAuditEvent, 'hash'>;

/**
 * The canonical serialisation the hash is taken over. `sessionId` is in it only when it is set:
 * events recorded before sessions were kept hash exactly as they did then.
 *
 * @example
 * canonicalAuditEvent(event); // '{"action":"project.create",...}'
 */
export function canonicalAuditEvent(event: UnhashedAuditEvent): string {
  const serialised = canonicalize({
    seq: event.seq,
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    actorUserId: event.actorUserId,
    actorClient: event.actorClient,
    actorPlugin: event.actorPlugin,
    source: event.source,
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    projectId: event.projectId,
    outcome: event.outcome,
    requestId: event.requestId,
    ip: event.ip,
    ...(typeof event.sessionId === 'string' ? { sessionId: event.sessionId } : {}),
    details: event.details,
    before: event.before,
    after: event.after,
    prevHash: event.prevHash,
  });
  if (serialised === undefined) throw new TypeError('audit event cannot be serialised');
  return serialised;
}

/**
 * The hash of an event: hex SHA-256 of its canonical serialisation.
 *
 * @example
 * const hash = hashAuditEvent({ ...event, seq: 1, prevHash: GENESIS_HASH });
 */
export function hashAuditEvent(event: UnhashedAuditEvent): string {
  return createHash('sha256').update(canonicalAuditEvent(event), 'utf8').digest('hex');
}

export type ChainBreakReason = 'altered' | 'missing' | 'broken_link' | 'head_mismatch';

export interface ChainBreak {
  reason: ChainBreakReason;
  /** The first event at which the chain does not hold, or null when events are gone at the end. */
  event: { seq: number; id: string } | null;
  /** The last event that still verified, if any. */
  previous: { seq: number; id: string } | null;
  message: string;
}

export type ChainVerification =
  { ok: true; events: number } | { ok: false; events: number; broken: ChainBreak };

/** Where the chain ended as recorded by the writers (the head row). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Walks events in `seq` order and reports the first place the chain does not hold.
 * `anchor` is where the walk starts (the genesis, or the last archived event).
 *
 * @example
 * const result = await verifyChain(eventsInOrder(), head);
 * if (!result.ok) console.log(result.broken.message);
 */
export async function verifyChain(
  events: AsyncIterable<ChainedAuditEvent> | Iterable<ChainedAuditEvent>,
  head: ChainHead,
  anchor: ChainHead = { seq: 0, hash: GENESIS_HASH },
): Promise<ChainVerification> {
  let expectedSeq = anchor.seq + 1;
  let previousHash = anchor.hash;
  let previous: { seq: number; id: string } | null = null;
  let count = 0;
  const fail = (reason: ChainBreakReason, event: ChainBreak['event'], message: string) =>
    ({ ok: false, events: count, broken: { reason, event, previous, message } }) as const;

  for await (const event of events) {
    const here = { seq: event.seq, id: event.id };
    if (event.seq !== expectedSeq) {
      return fail(
        'missing',
        here,
        `Event ${event.id} sits at position ${event.seq} but position ${expectedSeq} was expected: ` +
          `${event.seq - expectedSeq} event(s) before it are missing.`,
      );
    }
    if (event.prevHash !== previousHash) {
      return fail(
        'broken_link',
        here,
        `Event ${event.id} at position ${event.seq} does not link to the event before it ` +
          `(an event was inserted, removed or moved here).`,
      );
    }
    if (hashAuditEvent(event) !== event.hash) {
      return fail(
        'altered',
        here,
        `Event ${event.id} at position ${event.seq} was altered after it was recorded.`,
      );
    }
    count += 1;
    previous = here;
    previousHash = event.hash;
    expectedSeq += 1;
  }

  if (head.seq !== expectedSeq - 1 || head.hash !== previousHash) {
    return fail(
      'head_mismatch',
      null,
      `The chain ends at position ${expectedSeq - 1} but the recorded head is position ${head.seq}: ` +
        `events at the end were removed or added outside the audit writer.`,
    );
  }
  return { ok: true, events: count };
}

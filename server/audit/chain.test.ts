import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  canonicalAuditEvent,
  hashAuditEvent,
  verifyChain,
  type ChainedAuditEvent,
  type UnhashedAuditEvent,
} from './chain.ts';
import { linkedAuditChain } from './testing.ts';

function buildChain(length: number): ChainedAuditEvent[] {
  return linkedAuditChain(length, (seq) => ({
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    actorUserId: 'alice',
    actorClient: 'enclave-web',
    actorPlugin: null,
    source: 'server',
    action: 'dashboard.update',
    resourceType: 'dashboard',
    resourceId: `d${seq}`,
    projectId: 'p1',
    outcome: 'ok',
    requestId: `r${seq}`,
    ip: '127.0.0.1',
    sessionId: null,
    details: { note: 'x' },
    before: { title: 'old', n: seq },
    after: { title: 'new', n: seq + 1 },
  }));
}

const headOf = (events: ChainedAuditEvent[]) => ({
  seq: events.at(-1)?.seq ?? 0,
  hash: events.at(-1)?.hash ?? GENESIS_HASH,
});

describe('canonical serialisation', () => {
  // Recorded before events had sessions: its hash was computed by the canonical form of then
  // (no `sessionId` key at all), and must not change, or every stored event would fail to verify.
  const recordedBeforeSessions: UnhashedAuditEvent = {
    seq: 7,
    id: '00000000-0000-4000-8000-000000000007',
    occurredAt: new Date('2026-01-01T00:00:07.000Z'),
    actorUserId: 'alice',
    actorClient: 'enclave-web',
    actorPlugin: null,
    source: 'server',
    action: 'dashboard.update',
    resourceType: 'dashboard',
    resourceId: 'd7',
    projectId: 'p1',
    outcome: 'ok',
    requestId: 'r7',
    ip: '127.0.0.1',
    sessionId: null,
    details: { note: 'x' },
    before: { title: 'old' },
    after: { title: 'new' },
    prevHash: 'a'.repeat(64),
  };
  const hashBeforeSessions = 'afd002df9775cbd02a916c7b0b650199d1bbc1d6eb290fd51fd2ab7ff9e2dffa';

  it('hashes an event without a session exactly as before sessions were recorded', () => {
    expect(canonicalAuditEvent(recordedBeforeSessions)).not.toContain('sessionId');
    expect(hashAuditEvent(recordedBeforeSessions)).toBe(hashBeforeSessions);
  });

  it('covers a session once there is one: adding, changing or removing it is detected', async () => {
    const withSession = { ...recordedBeforeSessions, sessionId: 'gTL2wHBMu3ysLQ5S7oOXr' };
    const stored = { ...withSession, prevHash: GENESIS_HASH, seq: 1 };
    const event = { ...stored, hash: hashAuditEvent(stored) };
    expect(canonicalAuditEvent(withSession)).toContain('"sessionId":"gTL2wHBMu3ysLQ5S7oOXr"');
    const head = { seq: 1, hash: event.hash };
    expect(await verifyChain([event], head)).toEqual({ ok: true, events: 1 });
    for (const sessionId of ['gTL2wHBMu3ysLQ5S7oOXs', null, '']) {
      const result = await verifyChain([{ ...event, sessionId }], head);
      expect(result.ok ? null : result.broken.reason).toBe('altered');
    }
    const dropped = { ...recordedBeforeSessions, sessionId: null, prevHash: GENESIS_HASH, seq: 1 };
    expect(hashAuditEvent(dropped)).not.toBe(event.hash);
  });

  it('does not depend on the order of keys in JSON fields', () => {
    const [event] = buildChain(1);
    if (!event) throw new Error('no event');
    const reordered = { ...event, before: { n: 1, title: 'old' } };
    const original = { ...event, before: { title: 'old', n: 1 } };
    expect(canonicalAuditEvent(reordered)).toBe(canonicalAuditEvent(original));
  });

  it('changes the hash when any single field changes', () => {
    const [event] = buildChain(1);
    if (!event) throw new Error('no event');
    const variants: Partial<UnhashedAuditEvent>[] = [
      { seq: 2 },
      { id: '00000000-0000-4000-8000-999999999999' },
      { occurredAt: new Date(event.occurredAt.getTime() + 1) },
      { actorUserId: 'mallory' },
      { actorClient: null },
      { actorPlugin: 'p' },
      { source: 'client' },
      { action: 'dashboard.delete' },
      { resourceType: 'dataset' },
      { resourceId: 'd2' },
      { projectId: 'p2' },
      { outcome: 'denied' },
      { requestId: 'r9' },
      { ip: '10.0.0.1' },
      { sessionId: 'gTL2wHBMu3ysLQ5S7oOXr' },
      { details: null },
      { before: { title: 'old', n: 2 } },
      { after: null },
      { prevHash: 'f'.repeat(64) },
    ];
    const hashes = new Set(variants.map((variant) => hashAuditEvent({ ...event, ...variant })));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(event.hash)).toBe(false);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and an empty one', async () => {
    const events = buildChain(5);
    await expect(verifyChain(events, headOf(events))).resolves.toEqual({ ok: true, events: 5 });
    await expect(verifyChain([], headOf([]))).resolves.toEqual({ ok: true, events: 0 });
  });

  it('names an altered event', async () => {
    const events = buildChain(5);
    events[2] = { ...events[2]!, after: { title: 'forged', n: 4 } };
    const result = await verifyChain(events, headOf(buildChain(5)));
    expect(result).toMatchObject({
      ok: false,
      events: 2,
      broken: { reason: 'altered', event: { seq: 3, id: events[2]!.id }, previous: { seq: 2 } },
    });
  });

  it('names the event after a deleted one', async () => {
    const events = buildChain(5);
    const head = headOf(events);
    events.splice(1, 1);
    const result = await verifyChain(events, head);
    expect(result).toMatchObject({ ok: false, broken: { reason: 'missing', event: { seq: 3 } } });
  });

  it('names an inserted event whose hash is forged with the right link', async () => {
    const events = buildChain(3);
    const head = headOf(events);
    const forgedUnhashed = { ...events[1]!, id: 'forged', seq: 3, prevHash: events[1]!.hash };
    const forged = { ...forgedUnhashed, hash: hashAuditEvent(forgedUnhashed) };
    const tampered = [events[0]!, events[1]!, forged, { ...events[2]!, seq: 4 }];
    const result = await verifyChain(tampered, head);
    expect(result).toMatchObject({
      ok: false,
      broken: {
        reason: 'broken_link',
        event: { seq: 4, id: events[2]!.id },
        previous: { id: 'forged' },
      },
    });
  });

  it('names the first of two swapped events', async () => {
    const events = buildChain(4);
    const head = headOf(events);
    const swapped = [events[0]!, { ...events[2]!, seq: 2 }, { ...events[1]!, seq: 3 }, events[3]!];
    const result = await verifyChain(swapped, head);
    expect(result).toMatchObject({ ok: false, broken: { event: { seq: 2, id: events[2]!.id } } });
  });

  it('notices events removed from the end through the head', async () => {
    const events = buildChain(4);
    const head = headOf(events);
    const result = await verifyChain(events.slice(0, 3), head);
    expect(result).toMatchObject({
      ok: false,
      events: 3,
      broken: { reason: 'head_mismatch', event: null, previous: { seq: 3 } },
    });
  });

  it('starts from an anchor when older events were archived', async () => {
    const events = buildChain(5);
    const anchor = { seq: 2, hash: events[1]!.hash };
    await expect(verifyChain(events.slice(2), headOf(events), anchor)).resolves.toEqual({
      ok: true,
      events: 3,
    });
    const wrongAnchor = { seq: 2, hash: events[0]!.hash };
    const result = await verifyChain(events.slice(2), headOf(events), wrongAnchor);
    expect(result).toMatchObject({
      ok: false,
      broken: { reason: 'broken_link', event: { seq: 3 } },
    });
  });
});

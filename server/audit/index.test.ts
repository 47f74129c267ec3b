import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { createAuditTrail, recordAudit, verifyAuditChain, type AuditEventInput } from './index.ts';

const event = (n: number): AuditEventInput => ({
  action: 'dashboard.update',
  resourceType: 'dashboard',
  resourceId: `d${n}`,
  projectId: 'p1',
  outcome: 'ok',
  actorUserId: 'alice',
  actorClient: 'enclave-web',
  requestId: `req-${n}`,
  ip: '127.0.0.1',
  before: { title: `t${n}` },
  after: { title: `t${n + 1}`, tags: ['a', 'b'], nested: { z: 1, a: [1.5, null, true] } },
});

/** Tampering as a database administrator would: with the append-only trigger switched off. */
async function tamper(store: TestStore, statements: string[]): Promise<void> {
  await store.db.execute(
    sql.raw('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only'),
  );
  try {
    for (const statement of statements) await store.db.execute(sql.raw(statement));
  } finally {
    await store.db.execute(
      sql.raw('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only'),
    );
  }
}

async function idsBySeq(store: TestStore): Promise<string[]> {
  const result = await store.rows<{ id: string }>(sql`select id from audit_events order by seq`);
  return result.map((row) => row.id);
}

describe.each(storeTargets())('audit chain on $name', (target) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await target.open();
  });
  afterAll(async () => {
    await store?.dispose();
  });

  async function freshChain(length: number): Promise<string[]> {
    await tamper(store, ['DELETE FROM audit_events']);
    await store.db.execute(
      sql.raw(`UPDATE audit_chain_head SET seq = 0, hash = '${'0'.repeat(64)}'`),
    );
    for (let n = 1; n <= length; n += 1) await recordAudit(store.db, event(n));
    return idsBySeq(store);
  }

  it('records every field and verifies a clean chain', async () => {
    await freshChain(0);
    const recorded = await recordAudit(store.db, {
      ...event(1),
      actorPlugin: 'histogram',
      source: 'client',
      details: {
        when: new Date('2026-01-01T00:00:00Z'),
        skip: undefined,
        text: 'nul\u0000byte',
        lone: 'half \ud83d pair, \ude00 tail, whole 😀',
        'key\u0000': 'literal \\u0000 stays',
      },
    });
    expect(recorded).toMatchObject({
      seq: 1,
      prevHash: '0'.repeat(64),
      actorPlugin: 'histogram',
      source: 'client',
      details: {
        when: '2026-01-01T00:00:00.000Z',
        text: 'nul\ufffdbyte',
        lone: 'half \ufffd pair, \ufffd tail, whole 😀',
        'key\ufffd': 'literal \\u0000 stays',
      },
    });
    expect(recorded.details).not.toHaveProperty('skip');
    const second = await recordAudit(store.db, event(2));
    expect(second.prevHash).toBe(recorded.hash);
    await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 2 });
  });

  it('refuses to update, delete or truncate events through the database', async () => {
    await freshChain(2);
    await expect(
      store.db.execute(sql`UPDATE audit_events SET outcome = 'denied'`),
    ).rejects.toThrow();
    await expect(store.db.execute(sql`DELETE FROM audit_events`)).rejects.toThrow();
    await expect(store.db.execute(sql`TRUNCATE audit_events`)).rejects.toThrow();
    await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 2 });
  });

  it('names an altered event', async () => {
    const ids = await freshChain(5);
    await tamper(store, [`UPDATE audit_events SET after = '{"title":"forged"}' WHERE seq = 3`]);
    await expect(verifyAuditChain(store.db)).resolves.toMatchObject({
      ok: false,
      broken: { reason: 'altered', event: { seq: 3, id: ids[2] } },
    });
  });

  it('stores the session, and names an event whose session was added, changed or removed', async () => {
    await freshChain(1);
    const withSession = await recordAudit(store.db, { ...event(2), sessionId: 'sid-one' });
    await recordAudit(store.db, event(3));
    expect(withSession.sessionId).toBe('sid-one');
    const [stored] = await store.rows<{ session_id: string | null }>(
      sql`select session_id from audit_events where seq = 2`,
    );
    expect(stored?.session_id).toBe('sid-one');
    await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 3 });
    for (const [seq, value] of [
      [1, "'sid-one'"],
      [2, "'sid-two'"],
      [2, 'NULL'],
    ] as const) {
      const ids = await idsBySeq(store);
      await tamper(store, [`UPDATE audit_events SET session_id = ${value} WHERE seq = ${seq}`]);
      await expect(verifyAuditChain(store.db)).resolves.toMatchObject({
        ok: false,
        broken: { reason: 'altered', event: { seq, id: ids[seq - 1] } },
      });
      await tamper(store, [
        `UPDATE audit_events SET session_id = ${seq === 2 ? "'sid-one'" : 'NULL'} WHERE seq = ${seq}`,
      ]);
      await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 3 });
    }
  });

  it('names an event whose time was moved', async () => {
    const ids = await freshChain(3);
    await tamper(store, [
      `UPDATE audit_events SET occurred_at = occurred_at - interval '1 day' WHERE seq = 2`,
    ]);
    await expect(verifyAuditChain(store.db)).resolves.toMatchObject({
      ok: false,
      broken: { reason: 'altered', event: { id: ids[1] } },
    });
  });

  it('names the event after a deleted one', async () => {
    const ids = await freshChain(5);
    await tamper(store, ['DELETE FROM audit_events WHERE seq = 2']);
    await expect(verifyAuditChain(store.db)).resolves.toMatchObject({
      ok: false,
      broken: { reason: 'missing', event: { seq: 3, id: ids[2] }, previous: { seq: 1 } },
    });
  });

  it('notices the newest event deleted', async () => {
    await freshChain(4);
    await tamper(store, ['DELETE FROM audit_events WHERE seq = 4']);
    await expect(verifyAuditChain(store.db)).resolves.toMatchObject({
      ok: false,
      broken: { reason: 'head_mismatch', previous: { seq: 3 } },
    });
  });

  it('names the place where an event was inserted', async () => {
    const ids = await freshChain(4);
    await tamper(store, [
      'UPDATE audit_events SET seq = -seq - 1 WHERE seq >= 3',
      'UPDATE audit_events SET seq = -seq WHERE seq < 0',
      `INSERT INTO audit_events (seq, id, occurred_at, source, action, resource_type, outcome, prev_hash, hash)
       VALUES (3, gen_random_uuid(), now(), 'server', 'user.grant_admin', 'user', 'ok',
               md5(random()::text), md5(random()::text))`,
    ]);
    await expect(verifyAuditChain(store.db)).resolves.toMatchObject({
      ok: false,
      broken: { reason: 'broken_link', event: { seq: 3 }, previous: { seq: 2, id: ids[1] } },
    });
  });

  it('refuses a second event linked to the same predecessor (a fork)', async () => {
    await freshChain(2);
    await expect(
      store.db.execute(sql`
        INSERT INTO audit_events (seq, id, occurred_at, source, action, resource_type, outcome, prev_hash, hash)
        SELECT 3, gen_random_uuid(), now(), 'server', 'x', 'x', 'ok', prev_hash, md5(random()::text)
        FROM audit_events WHERE seq = 2`),
    ).rejects.toThrow();
    await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 2 });
  });

  it('names the first of two reordered events', async () => {
    const ids = await freshChain(4);
    await tamper(store, [
      'UPDATE audit_events SET seq = -seq WHERE seq IN (2, 3)',
      'UPDATE audit_events SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0',
    ]);
    await expect(verifyAuditChain(store.db)).resolves.toMatchObject({
      ok: false,
      broken: { event: { seq: 2, id: ids[2] } },
    });
  });

  it('keeps one unbroken chain under many concurrent writers', async () => {
    await freshChain(0);
    const writes = Array.from({ length: 60 }, (_, n) => recordAudit(store.db, event(n)));
    const events = await Promise.all(writes);
    expect(new Set(events.map((e) => e.seq)).size).toBe(60);
    expect(new Set(events.map((e) => e.prevHash)).size).toBe(60);
    await expect(verifyAuditChain(store.db)).resolves.toEqual({ ok: true, events: 60 });
  });

  it('mirrors recorded events into the log only when asked', async () => {
    await freshChain(0);
    const lines: object[] = [];
    const logger = { info: (fields: object) => void lines.push(fields) };
    await createAuditTrail({ db: store.db, logger, mirrorToLog: false }).record(event(1));
    expect(lines).toHaveLength(0);
    const trail = createAuditTrail({ db: store.db, logger, mirrorToLog: true });
    const recorded = await trail.record(event(2));
    expect(lines).toEqual([
      {
        audit: expect.objectContaining({
          id: recorded.id,
          action: 'dashboard.update',
          hasBefore: true,
        }),
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('t3');
    await expect(trail.verify()).resolves.toEqual({ ok: true, events: 2 });
  });
});

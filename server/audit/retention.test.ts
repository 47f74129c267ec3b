/**
 * Retention on PGlite and PostgreSQL: old events move to archive files and out of the table,
 * newer ones stay, the chain verifies across the cut (files + table), and every way around the
 * one sanctioned delete is refused: the request role, a delete without an archive, an archive
 * that does not start at the anchor or end at a stored event, and rewriting the archive record.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema, type Database } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';
import { archiveFileName, writeArchiveFile } from './archive-file.ts';
import { GENESIS_HASH, type ChainHead, type ChainedAuditEvent } from './chain.ts';
import { createAuditTrail, recordAudit, verifyAuditChain, type AuditTrail } from './index.ts';
import {
  archiveAuditEvents,
  auditAnchor,
  scheduleAuditRetention,
  verifyAuditArchives,
} from './retention.ts';

const dayMs = 24 * 60 * 60 * 1000;
const quietLogger = { info() {}, error() {} };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function record(db: Database, count: number): Promise<ChainedAuditEvent[]> {
  const events: ChainedAuditEvent[] = [];
  for (let n = 0; n < count; n += 1) {
    events.push(
      await recordAudit(db, {
        action: 'dashboard.update',
        resourceType: 'dashboard',
        resourceId: `d${n}`,
        outcome: 'ok',
        actorUserId: 'alice',
        before: { title: `t${n}`, text: 'ünïcødé 😀 "quoted"\nline' },
        after: { title: `t${n + 1}`, nested: { a: [1.5, null, true] } },
      }),
    );
  }
  return events;
}

/** A time after which the given events count as older than `days` days. */
/** Writes an archive record directly, as only the archiver should: the guards must refuse it. */
function insertArchiveRecord(db: Database, from: ChainHead, to: ChainHead) {
  return db.execute(
    sql`insert into audit_archives (from_seq, from_hash, to_seq, to_hash, events, file_path)
      values (${from.seq}, ${from.hash}, ${to.seq}, ${to.hash}, ${to.seq - from.seq}, '/x')`,
  );
}

async function momentAfter(days: number): Promise<Date> {
  await pause(5);
  const cut = new Date();
  await pause(5);
  return new Date(cut.getTime() + days * dayMs);
}

async function fileLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).trimEnd().split('\n');
}

/** The database's own message for a refused statement (drizzle wraps it as the cause). */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const wrapped = error as { message?: string; cause?: { message?: string } };
    return wrapped.cause?.message ?? wrapped.message ?? String(error);
  }
  throw new Error('the statement was allowed');
}

async function asOwner(store: TestStore, statements: string[]): Promise<void> {
  for (const statement of statements) await store.db.execute(sql.raw(statement));
}

describe.each(storeTargets())('audit retention on $name', (target) => {
  let store: TestStore;
  let archiveDir: string;

  beforeAll(async () => {
    store = await target.open();
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    archiveDir = await mkdtemp(path.join(tmpdir(), 'enclave-audit-archive-'));
    return () => rm(archiveDir, { recursive: true, force: true });
  });

  /** An empty trail: no events, no archives, the head at the genesis. */
  async function resetTrail(): Promise<void> {
    await asOwner(store, [
      'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only',
      'ALTER TABLE audit_archives DISABLE TRIGGER audit_archives_append_only',
      'DELETE FROM audit_events',
      'DELETE FROM audit_archives',
      `UPDATE audit_chain_head SET seq = 0, hash = '${GENESIS_HASH}'`,
      'ALTER TABLE audit_archives ENABLE TRIGGER audit_archives_append_only',
      'ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only',
    ]);
  }
  beforeEach(resetTrail);

  async function onFreshTrail(work: (fresh: TestStore) => Promise<void>): Promise<void> {
    await resetTrail();
    await work(store);
  }

  it('moves events older than the cut to a file, keeps the newer ones, and verifies across', async () => {
    await onFreshTrail(async (fresh) => {
      const old = await record(fresh.db, 4);
      const now = await momentAfter(30);
      const recent = await record(fresh.db, 2);
      // Rows kept for reverting a deletion: one from long before the cut, one after it.
      const snapshotRow = (id: string, createdAt: string) =>
        sql`insert into revert_snapshot_rows (snapshot_id, position, table_name, row_data, created_at)
          values (${id}, 0, 'projects', '{}'::jsonb, ${createdAt}::timestamptz)`;
      const [oldSnapshot, newSnapshot] = [crypto.randomUUID(), crypto.randomUUID()];
      await fresh.db.execute(snapshotRow(oldSnapshot, '2000-01-01T00:00:00Z'));
      await fresh.db.execute(
        snapshotRow(newSnapshot, new Date(now.getTime() + 1000).toISOString()),
      );

      const result = await archiveAuditEvents({ db: fresh.db, retentionDays: 30, archiveDir, now });
      const snapshots = await fresh.rows<{ snapshot_id: string }>(
        sql`select snapshot_id from revert_snapshot_rows`,
      );
      expect(snapshots.map((row) => row.snapshot_id)).toEqual([newSnapshot]);
      const last = old.at(-1)!;
      expect(result).toEqual({
        events: 4,
        file: path.join(archiveDir, archiveFileName(0, 4)),
        from: { seq: 0, hash: GENESIS_HASH },
        to: { seq: last.seq, hash: last.hash },
        reusedFile: false,
      });

      const lines = await fileLines(result!.file);
      expect(JSON.parse(lines[0]!)).toEqual({ type: 'anchor', from: result!.from, to: result!.to });
      expect(lines.slice(1).map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(
        old.map((event) => event.id),
      );
      // The archived events leave the table; the newer ones stay.
      const left = await fresh.rows<{ id: string }>(sql`select id from audit_events order by seq`);
      expect(left.map((row) => row.id)).toEqual(recent.map((event) => event.id));

      expect(await auditAnchor(fresh.db)).toEqual(result!.to);
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, events: 2 });
      expect(await verifyAuditArchives(fresh.db)).toEqual({
        ok: true,
        events: 4,
        files: 1,
        anchor: result!.to,
      });

      // The trail goes on from there, and the next archive chains onto the first.
      await record(fresh.db, 1);
      const later = await archiveAuditEvents({
        db: fresh.db,
        retentionDays: 30,
        archiveDir,
        now: new Date(Date.now() + 31 * dayMs),
      });
      expect(later).toMatchObject({ events: 3, from: result!.to, to: { seq: 7 } });
      expect(await readdir(archiveDir)).toEqual([archiveFileName(0, 4), archiveFileName(4, 7)]);
      expect(await verifyAuditArchives(fresh.db)).toMatchObject({ ok: true, events: 7, files: 2 });
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, events: 0 });
      await record(fresh.db, 1);
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, events: 1 });
    });
  });

  it('archives nothing new when run twice, nor when nothing is old enough', async () => {
    await onFreshTrail(async (fresh) => {
      await record(fresh.db, 3);
      const now = await momentAfter(1);
      expect(await archiveAuditEvents({ db: fresh.db, retentionDays: 2, archiveDir, now })).toBe(
        null,
      );
      expect(await readdir(archiveDir)).toEqual([]);
      const first = await archiveAuditEvents({ db: fresh.db, retentionDays: 1, archiveDir, now });
      expect(first?.events).toBe(3);
      expect(await archiveAuditEvents({ db: fresh.db, retentionDays: 1, archiveDir, now })).toBe(
        null,
      );
      expect(await readdir(archiveDir)).toEqual([archiveFileName(0, 3)]);
      const [count] = await fresh.rows<{ count: number }>(
        sql`select count(*)::int as count from audit_archives`,
      );
      expect(count!.count).toBe(1);
    });
  });

  it('lets runs at once archive each event once: one per range records, the others stand down', async () => {
    await onFreshTrail(async (fresh) => {
      await record(fresh.db, 3);
      const now = await momentAfter(1);
      await record(fresh.db, 2);
      const later = await momentAfter(1);
      const runs = await Promise.all([
        archiveAuditEvents({ db: fresh.db, retentionDays: 1, archiveDir, now }),
        archiveAuditEvents({ db: fresh.db, retentionDays: 1, archiveDir, now }),
        archiveAuditEvents({ db: fresh.db, retentionDays: 1, archiveDir, now: later }),
      ]);
      // A run that starts after another finished archives what is left, from the new anchor;
      // two runs from the same anchor never both record.
      const recorded = runs.filter((run) => run !== null);
      expect(recorded.length).toBeGreaterThanOrEqual(1);
      const froms = recorded.map((run) => run.from.seq);
      expect(new Set(froms).size).toBe(froms.length);
      const archivedEvents = recorded.reduce((sum, run) => sum + run.events, 0);
      const archives = await verifyAuditArchives(fresh.db);
      expect(archives).toMatchObject({ ok: true, files: recorded.length, events: archivedEvents });
      // The runs that stood down left no file of their own behind.
      expect((await readdir(archiveDir)).sort()).toEqual(
        recorded.map((run) => path.basename(run.file)).sort(),
      );
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, events: 5 - archivedEvents });
    });
  });

  it('keeps an old event recorded after a newer one, so the cut stays gap-free', async () => {
    await onFreshTrail(async (fresh) => {
      const events = await record(fresh.db, 3);
      const now = await momentAfter(1);
      // As another instance with a slow clock would: event 2 bears a time after the cut.
      await asOwner(fresh, [
        'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only',
        `UPDATE audit_events SET occurred_at = now() + interval '10 days' WHERE seq = ${events[1]!.seq}`,
        'ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only',
      ]);
      const result = await archiveAuditEvents({ db: fresh.db, retentionDays: 1, archiveDir, now });
      expect(result).toMatchObject({ events: 1, to: { seq: 1 } });
    });
  });

  it('reuses a complete file left by a run that died before deleting, and sets a bad one aside', async () => {
    await onFreshTrail(async (fresh) => {
      const events = await record(fresh.db, 3);
      const now = await momentAfter(1);
      const from = { seq: 0, hash: GENESIS_HASH };
      const to = { seq: 3, hash: events[2]!.hash };
      const file = path.join(archiveDir, archiveFileName(0, 3));
      await writeArchiveFile(file, { type: 'anchor', from, to }, events);
      const reused = await archiveAuditEvents({ db: fresh.db, retentionDays: 1, archiveDir, now });
      expect(reused).toMatchObject({ events: 3, reusedFile: true });
      expect(await verifyAuditArchives(fresh.db)).toMatchObject({ ok: true, events: 3 });
    });
    await onFreshTrail(async (fresh) => {
      const events = await record(fresh.db, 3);
      const now = await momentAfter(1);
      const file = path.join(archiveDir, archiveFileName(0, 3));
      await writeFile(file, 'half a file from some other run\n');
      const replaced = await archiveAuditEvents({
        db: fresh.db,
        retentionDays: 1,
        archiveDir,
        now,
      });
      expect(replaced).toMatchObject({ events: 3, reusedFile: false });
      // The unfit file is kept aside for a look, not overwritten.
      const names = await readdir(archiveDir);
      expect(names).toHaveLength(2);
      const aside = names.find((name) => name.startsWith(`${archiveFileName(0, 3)}.rejected-`));
      expect(await readFile(path.join(archiveDir, aside!), 'utf8')).toBe(
        'half a file from some other run\n',
      );
      expect((await fileLines(file)).slice(1).map((line) => JSON.parse(line) as unknown)).toEqual(
        events.map((event) => ({ ...event, occurredAt: event.occurredAt.toISOString() })),
      );
      expect(await verifyAuditArchives(fresh.db)).toMatchObject({ ok: true, events: 3 });
    });
  });

  describe('verification across the cut names the break', () => {
    async function archivedStore(
      work: (fresh: TestStore, file: string, events: ChainedAuditEvent[]) => Promise<void>,
    ): Promise<void> {
      await onFreshTrail(async (fresh) => {
        const events = await record(fresh.db, 4);
        const now = await momentAfter(1);
        await record(fresh.db, 1);
        const result = await archiveAuditEvents({
          db: fresh.db,
          retentionDays: 1,
          archiveDir,
          now,
        });
        await work(fresh, result!.file, events);
      });
    }

    it('when a line of the file is altered', async () => {
      await archivedStore(async (fresh, file, events) => {
        const lines = await fileLines(file);
        lines[2] = lines[2]!.replace('"t1"', '"forged"');
        await writeFile(file, `${lines.join('\n')}\n`);
        expect(await verifyAuditArchives(fresh.db)).toMatchObject({
          ok: false,
          broken: { file, reason: 'altered', event: { seq: 2, id: events[1]!.id } },
        });
      });
    });

    it('when a line is removed from the file', async () => {
      await archivedStore(async (fresh, file) => {
        const lines = await fileLines(file);
        lines.splice(3, 1);
        await writeFile(file, `${lines.join('\n')}\n`);
        expect(await verifyAuditArchives(fresh.db)).toMatchObject({
          ok: false,
          broken: { file, reason: 'missing', event: { seq: 4 } },
        });
      });
    });

    it('when the file is gone', async () => {
      await archivedStore(async (fresh, file) => {
        await rm(file);
        const result = await verifyAuditArchives(fresh.db);
        expect(result).toMatchObject({ ok: false, broken: { file, reason: 'archive_missing' } });
        expect(!result.ok && result.broken.message).toContain(file);
      });
    });

    it('when the anchor in the database is changed', async () => {
      await archivedStore(async (fresh, file, events) => {
        await asOwner(fresh, [
          'ALTER TABLE audit_archives DISABLE TRIGGER audit_archives_append_only',
          `UPDATE audit_archives SET to_hash = '${'f'.repeat(64)}'`,
          'ALTER TABLE audit_archives ENABLE TRIGGER audit_archives_append_only',
        ]);
        expect(await verifyAuditArchives(fresh.db)).toMatchObject({
          ok: false,
          broken: { file, reason: 'archive_mismatch' },
        });
        // The table's first event no longer links to the anchor either.
        expect(await verifyAuditChain(fresh.db)).toMatchObject({
          ok: false,
          broken: { reason: 'broken_link', event: { seq: events.length + 1 } },
        });
      });
    });

    it('when the archive record is removed, leaving the table without its anchor', async () => {
      await archivedStore(async (fresh) => {
        await asOwner(fresh, [
          'ALTER TABLE audit_archives DISABLE TRIGGER audit_archives_append_only',
          'DELETE FROM audit_archives',
          'ALTER TABLE audit_archives ENABLE TRIGGER audit_archives_append_only',
        ]);
        expect(await verifyAuditChain(fresh.db)).toMatchObject({
          ok: false,
          broken: { reason: 'missing', event: { seq: 5 } },
        });
      });
    });
  });

  describe('the one sanctioned delete', () => {
    it('is out of reach of the request role, setting or not', async () => {
      const [event] = await record(store.db, 1);
      expect(
        await refusal(
          store.asUser(crypto.randomUUID(), (db) =>
            db.delete(schema.auditEvents).where(sql`seq = ${event!.seq}`),
          ),
        ),
      ).toMatch(/permission denied/);
      expect(
        await refusal(
          store.asUser(crypto.randomUUID(), async (db) => {
            await db.execute(sql`select set_config('enclave.audit_archiving', 'on', true)`);
            await db.execute(sql`delete from audit_events where seq = ${event!.seq}`);
          }),
        ),
      ).toMatch(/permission denied/);
      expect(
        await refusal(
          store.asUser(crypto.randomUUID(), (db) =>
            insertArchiveRecord(db, { seq: 0, hash: GENESIS_HASH }, event!),
          ),
        ),
      ).toMatch(/permission denied/);
      expect(
        await refusal(
          store.asUser(crypto.randomUUID(), (db) => db.execute(sql`truncate audit_events`)),
        ),
      ).toMatch(/permission denied|append-only/);
      const [still] = await store.rows<{ id: string }>(
        sql`select id from audit_events where seq = ${event!.seq}`,
      );
      expect(still?.id).toBe(event!.id);
    });

    it('refuses the server role without an archive recorded in the same transaction', async () => {
      await onFreshTrail(async (fresh) => {
        const events = await record(fresh.db, 3);
        const attempt = (statements: (db: Database) => Promise<unknown>) =>
          fresh.db.transaction(async (tx) => {
            await statements(tx as unknown as Database);
          });
        expect(
          await refusal(attempt((db) => db.execute(sql`delete from audit_events where seq = 1`))),
        ).toMatch(/append-only/);
        expect(
          await refusal(
            attempt(async (db) => {
              await db.execute(sql`select set_config('enclave.audit_archiving', 'on', true)`);
              await db.execute(sql`delete from audit_events where seq = 1`);
            }),
          ),
        ).toMatch(/append-only/);
        // An archive of events 1–2 allows deleting those, not event 3.
        expect(
          await refusal(
            attempt(async (db) => {
              await db.execute(sql`select set_config('enclave.audit_archiving', 'on', true)`);
              await insertArchiveRecord(
                db,
                { seq: 0, hash: GENESIS_HASH },
                { seq: 2, hash: events[1]!.hash },
              );
              await db.execute(sql`delete from audit_events where seq = 3`);
            }),
          ),
        ).toMatch(/append-only/);
        // Without the setting, not even the archived ones.
        expect(
          await refusal(
            attempt(async (db) => {
              await insertArchiveRecord(
                db,
                { seq: 0, hash: GENESIS_HASH },
                { seq: 2, hash: events[1]!.hash },
              );
              await db.execute(sql`delete from audit_events where seq = 1`);
            }),
          ),
        ).toMatch(/append-only/);
        // Updates stay refused whatever the transaction did.
        expect(
          await refusal(
            attempt(async (db) => {
              await db.execute(sql`select set_config('enclave.audit_archiving', 'on', true)`);
              await insertArchiveRecord(
                db,
                { seq: 0, hash: GENESIS_HASH },
                { seq: 2, hash: events[1]!.hash },
              );
              await db.execute(sql`update audit_events set action = 'forged' where seq = 1`);
            }),
          ),
        ).toMatch(/append-only/);
        // A committed archive does not open later transactions.
        await attempt(async (db) => {
          await db.execute(sql`select set_config('enclave.audit_archiving', 'on', true)`);
          await insertArchiveRecord(
            db,
            { seq: 0, hash: GENESIS_HASH },
            { seq: 1, hash: events[0]!.hash },
          );
        });
        expect(
          await refusal(
            attempt(async (db) => {
              await db.execute(sql`select set_config('enclave.audit_archiving', 'on', true)`);
              await db.execute(sql`delete from audit_events where seq = 1`);
            }),
          ),
        ).toMatch(/append-only/);
        const left = await fresh.rows<{ seq: string }>(sql`select seq from audit_events`);
        expect(left).toHaveLength(3);
      });
    });

    it('holds the archive record to the chain', async () => {
      await onFreshTrail(async (fresh) => {
        const events = await record(fresh.db, 3);
        const insert = (fromSeq: number, fromHash: string, toSeq: number, toHash: string) =>
          insertArchiveRecord(
            fresh.db,
            { seq: fromSeq, hash: fromHash },
            { seq: toSeq, hash: toHash },
          );
        // Not starting at the anchor (the genesis here).
        expect(await refusal(insert(1, events[0]!.hash, 2, events[1]!.hash))).toMatch(/anchor/);
        expect(await refusal(insert(0, 'f'.repeat(64), 2, events[1]!.hash))).toMatch(/anchor/);
        // Not ending at a stored event with its hash.
        expect(await refusal(insert(0, GENESIS_HASH, 2, events[2]!.hash))).toMatch(/stored event/);
        expect(await refusal(insert(0, GENESIS_HASH, 9, events[2]!.hash))).toMatch(/stored event/);
        await insert(0, GENESIS_HASH, 2, events[1]!.hash);
        expect(await refusal(insert(0, GENESIS_HASH, 3, events[2]!.hash))).toMatch(/anchor/);
        // And once written, it stays.
        expect(await refusal(fresh.db.execute(sql`update audit_archives set to_seq = 1`))).toMatch(
          /append-only/,
        );
        expect(await refusal(fresh.db.execute(sql`delete from audit_archives`))).toMatch(
          /append-only/,
        );
        expect(await refusal(fresh.db.execute(sql`truncate audit_archives`))).toMatch(
          /append-only/,
        );
      });
    });
  });

  describe('the schedule', () => {
    let audit: AuditTrail;
    beforeAll(() => {
      audit = createAuditTrail({ db: store.db, logger: quietLogger, mirrorToLog: false });
    });

    it('does nothing when AUDIT_RETENTION_DAYS is unset', async () => {
      await record(store.db, 1);
      const schedule = scheduleAuditRetention({
        db: store.db,
        audit,
        logger: quietLogger,
        retentionDays: undefined,
        archiveDir,
      });
      expect(schedule).toBeNull();
      expect(await readdir(archiveDir)).toEqual([]);
      expect(await auditAnchor(store.db)).toEqual({ seq: 0, hash: GENESIS_HASH });
    });

    it('archives at once, records each run as audit.archive, and joins a run under way', async () => {
      await onFreshTrail(async (fresh) => {
        const freshAudit = createAuditTrail({
          db: fresh.db,
          logger: quietLogger,
          mirrorToLog: false,
        });
        const events = await record(fresh.db, 3);
        const now = await momentAfter(7);
        const schedule = scheduleAuditRetention({
          db: fresh.db,
          audit: freshAudit,
          logger: quietLogger,
          retentionDays: 7,
          archiveDir,
          clock: () => now,
        });
        const result = await schedule!.runOnce();
        await schedule!.stop();
        const last = events.at(-1)!;
        expect(result).toMatchObject({ events: 3, to: { seq: last.seq, hash: last.hash } });
        const recorded = await fresh.rows<{
          outcome: string;
          details: unknown;
          actor_client: string;
        }>(
          sql`select outcome, details, actor_client from audit_events where action = 'audit.archive'`,
        );
        expect(recorded).toEqual([
          {
            outcome: 'ok',
            actor_client: 'server',
            details: {
              events: 3,
              file: archiveFileName(0, 3),
              from: { seq: 0, hash: GENESIS_HASH },
              to: { seq: last.seq, hash: last.hash },
              retentionDays: 7,
            },
          },
        ]);
        expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, events: 1 });
      });
    });

    it('records a failed run as an error and leaves the events in place', async () => {
      await onFreshTrail(async (fresh) => {
        const freshAudit = createAuditTrail({
          db: fresh.db,
          logger: quietLogger,
          mirrorToLog: false,
        });
        await record(fresh.db, 2);
        const now = await momentAfter(1);
        const notAFolder = path.join(archiveDir, 'file');
        await writeFile(notAFolder, 'in the way');
        const errors: object[] = [];
        const schedule = scheduleAuditRetention({
          db: fresh.db,
          audit: freshAudit,
          logger: { info() {}, error: (fields) => errors.push(fields) },
          retentionDays: 1,
          archiveDir: notAFolder,
          clock: () => now,
        });
        expect(await schedule!.runOnce()).toBeNull();
        await schedule!.stop();
        expect(errors).toHaveLength(1);
        const [failure] = await fresh.rows<{ outcome: string }>(
          sql`select outcome from audit_events where action = 'audit.archive'`,
        );
        expect(failure?.outcome).toBe('error');
        expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, events: 3 });
      });
    });
  });
});

describe('GET /audit/verify with archives', () => {
  let api: ApiTestServer;
  let archiveDir: string;
  beforeAll(async () => {
    api = await startApiTestServer();
    archiveDir = await mkdtemp(path.join(tmpdir(), 'enclave-audit-archive-'));
  });
  afterAll(async () => {
    await api?.close();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('reports the archived events and files, and names a broken file', async () => {
    const { db } = api.server.store;
    const now = await momentAfter(1);
    const result = await archiveAuditEvents({ db, retentionDays: 1, archiveDir, now });
    expect(result?.events).toBeGreaterThan(0);
    const [left] = await api.server.store.rows<{ count: number }>(
      sql`select count(*)::int as count from audit_events`,
    );

    const intact = await api.call('alice', 'GET', '/audit/verify');
    expect(intact.status).toBe(200);
    expect(intact.body).toEqual({
      ok: true,
      events: left!.count,
      archived: { events: result!.events, files: 1 },
    });
    const carol = await api.call('carol', 'GET', '/audit/verify');
    expect(carol.status).toBe(403);

    const lines = await fileLines(result!.file);
    await writeFile(result!.file, `${lines.slice(0, -1).join('\n')}\n`);
    const broken = await api.call('alice', 'GET', '/audit/verify');
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({
      ok: false,
      archived: { files: 0 },
      brokenAt: { reason: 'head_mismatch', file: result!.file },
    });
    expect(broken.body.brokenAt.message).toContain(path.basename(result!.file));
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from './index.ts';
import { storeTargets, type TestStore } from './testing.ts';

describe.each(storeTargets())('migrations on $name', (target) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await target.open();
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('create the schema and record each migration once', async () => {
    const tables = await store.rows<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining(['audit_chain_head', 'audit_events']),
    );
    const applied = await store.rows<{ n: string }>(
      sql`select count(*) as n from drizzle.__drizzle_migrations`,
    );
    expect(Number(applied[0]?.n)).toBeGreaterThanOrEqual(2);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it.runIf(target.name === 'postgres')(
    'are applied once when instances start together',
    async () => {
      const again = await Promise.all([
        openStore({ databaseUrl: store.databaseUrl }),
        openStore({ databaseUrl: store.databaseUrl }),
      ]);
      await Promise.all(again.map((instance) => instance.close()));
      const heads = await store.rows<{ n: string }>(
        sql`select count(*) as n from audit_chain_head`,
      );
      expect(Number(heads[0]?.n)).toBe(1);
    },
  );

  it.runIf(target.name === 'postgres')(
    'survive the server ending an idle pooled connection, and say so',
    async () => {
      const dropped: Error[] = [];
      const instance = await openStore({
        databaseUrl: store.databaseUrl,
        onConnectionError: (error) => dropped.push(error),
      });
      try {
        const [own] = await instance.rows<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        // As an administrator (or a failover) would: the connection sits idle in the pool.
        await store.rows(sql`select pg_terminate_backend(${own?.pid})`);
        await expect.poll(() => dropped.length).toBe(1);
        await expect(instance.ping()).resolves.toBeUndefined();
      } finally {
        await instance.close();
      }
    },
  );
});

describe('PGlite under DATA_DIR', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-store-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps its data across a close and reopen, without migrating twice', async () => {
    const first = await openStore({ dataDir });
    await first.db.execute(sql`update audit_chain_head set seq = 0`);
    await first.db.execute(
      sql`insert into audit_events (seq, id, occurred_at, source, action, resource_type, outcome, prev_hash, hash)
          values (1, gen_random_uuid(), now(), 'server', 'persist.check', 'test', 'ok', 'p', 'h')`,
    );
    await first.close();
    await expect(first.ping()).rejects.toThrow();

    const second = await openStore({ dataDir });
    const rows = await second.rows<{ action: string }>(sql`select action from audit_events`);
    expect(rows).toEqual([{ action: 'persist.check' }]);
    const heads = await second.rows<{ n: string }>(sql`select count(*) as n from audit_chain_head`);
    expect(Number(heads[0]?.n)).toBe(1);
    await second.close();
  });
});

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditTrail, verifyAuditChain } from '../audit/index.ts';
import { openStore, schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { DEMO_USERS, ensureInitialAdmin, seedDemoUsers } from './accounts.ts';
import { verifyPassword } from './passwords.ts';

const quietLogger = { info() {} };

describe.each(storeTargets())('accounts on $name', (target) => {
  let store: TestStore;
  let dataDir: string;

  beforeAll(async () => {
    store = await target.open();
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    await store.db.execute(sql`delete from users`);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-accounts-'));
    return () => rm(dataDir, { recursive: true, force: true });
  });

  const options = () => ({
    db: store.db,
    audit: createAuditTrail({ db: store.db, logger: quietLogger, mirrorToLog: false }),
  });

  it('creates the first admin once, with a random password in a private file', async () => {
    const created = await ensureInitialAdmin({ ...options(), dataDir });
    expect(created?.account).toMatchObject({
      username: 'admin',
      systemRole: 'admin',
      mustChangePassword: true,
    });
    const password = created!.password;
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect((await readFile(created!.file, 'utf8')).trim()).toBe(password);
    expect((await stat(created!.file)).mode & 0o777).toBe(0o600);

    const [row] = await store.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.username, 'admin'));
    await expect(verifyPassword(password, row!.passwordHash)).resolves.toBe(true);
    expect(row!.passwordHash).not.toContain(password);

    await expect(ensureInitialAdmin({ ...options(), dataDir })).resolves.toBeNull();
    const admins = await store.rows<{ n: string }>(sql`select count(*) as n from users`);
    expect(Number(admins[0]?.n)).toBe(1);
  });

  it('records the creation in the audit trail without the password or its hash', async () => {
    const created = await ensureInitialAdmin({ ...options(), dataDir });
    const events = await store.rows<{ action: string; after: unknown }>(
      sql`select action, after from audit_events where resource_id = ${created!.account.id}`,
    );
    expect(events).toEqual([
      { action: 'user.create', after: expect.objectContaining({ username: 'admin' }) },
    ]);
    expect(JSON.stringify(events)).not.toContain(created!.password);
    expect(JSON.stringify(events)).not.toContain('scrypt$');
    expect((await verifyAuditChain(store.db)).ok).toBe(true);
  });

  it.runIf(target.name === 'postgres')(
    'creates one admin when instances start together',
    async () => {
      const second = await openStore({ databaseUrl: store.databaseUrl });
      const audit = createAuditTrail({ db: second.db, logger: quietLogger, mirrorToLog: false });
      const results = await Promise.all([
        ensureInitialAdmin({ ...options(), dataDir }),
        ensureInitialAdmin({ db: second.db, audit, dataDir }),
      ]);
      await second.close();
      expect(results.filter(Boolean)).toHaveLength(1);
      const admins = await store.rows<{ n: string }>(sql`select count(*) as n from users`);
      expect(Number(admins[0]?.n)).toBe(1);
    },
  );

  it('seeds the demo users with their roles and passwords, once', async () => {
    const created = await seedDemoUsers(options());
    expect(created.map((user) => [user.username, user.systemRole])).toEqual(
      DEMO_USERS.map((user) => [user.username, user.systemRole]),
    );
    const rows = await store.db.select().from(schema.users);
    for (const user of DEMO_USERS) {
      const row = rows.find((candidate) => candidate.username === user.username);
      await expect(
        verifyPassword(`${user.username}-demo-password`, row!.passwordHash ?? null),
      ).resolves.toBe(true);
    }
    await expect(seedDemoUsers(options())).resolves.toEqual([]);
    expect(await store.db.select().from(schema.users)).toHaveLength(DEMO_USERS.length);
  });
});

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { createOidcAdapter } from './oidc-adapter.ts';

describe.each(storeTargets())('OpenID provider storage on $name', (target) => {
  let store: TestStore;
  let clock: Date;
  const now = () => clock;

  beforeAll(async () => {
    store = await target.open();
    clock = new Date('2026-01-01T00:00:00Z');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('keeps what it is given until it expires', async () => {
    const Adapter = createOidcAdapter({ db: store.db, now, purgeRate: 0 });
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { accountId: 'alice', uid: 'u1', nested: { a: [1, 2] } }, 60);
    expect(await sessions.find('s1')).toEqual({
      accountId: 'alice',
      uid: 'u1',
      nested: { a: [1, 2] },
    });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'alice' });
    expect(await new Adapter('Grant').find('s1')).toBeUndefined();

    await sessions.upsert('s1', { accountId: 'alice', uid: 'u1', touched: true }, 60);
    expect(await sessions.find('s1')).toMatchObject({ touched: true });

    clock = new Date(clock.getTime() + 61_000);
    expect(await sessions.find('s1')).toBeUndefined();
    expect(await sessions.findByUid('u1')).toBeUndefined();
  });

  it('marks a consumed code with the time of its first use', async () => {
    const Adapter = createOidcAdapter({ db: store.db, now, purgeRate: 0 });
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    expect((await codes.find('c1'))?.consumed).toBeUndefined();
    await codes.consume('c1');
    const first = (await codes.find('c1'))?.consumed;
    expect(first).toBe(Math.floor(clock.getTime() / 1000));
    clock = new Date(clock.getTime() + 5_000);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toBe(first);
  });

  it('revokes everything of a grant, of every kind, and nothing else', async () => {
    const Adapter = createOidcAdapter({ db: store.db, now, purgeRate: 0 });
    await new Adapter('AccessToken').upsert('a1', { grantId: 'g2' }, 600);
    await new Adapter('RefreshToken').upsert('r1', { grantId: 'g2' }, 600);
    await new Adapter('RefreshToken').upsert('r2', { grantId: 'g3' }, 600);
    await new Adapter('Grant').upsert('g2', { accountId: 'bob' }, 600);
    await new Adapter('RefreshToken').revokeByGrantId('g2');
    expect(await new Adapter('AccessToken').find('a1')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('r1')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('r2')).toMatchObject({ grantId: 'g3' });
  });

  it('finds device codes by user code and destroys on request', async () => {
    const Adapter = createOidcAdapter({ db: store.db, now, purgeRate: 0 });
    const devices = new Adapter('DeviceCode');
    await devices.upsert('d1', { userCode: 'ABCD-EFGH' }, 600);
    expect(await devices.findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    await devices.destroy('d1');
    expect(await devices.findByUserCode('ABCD-EFGH')).toBeUndefined();
  });

  it('purges expired rows as it writes', async () => {
    const Adapter = createOidcAdapter({ db: store.db, now, purgeRate: 1 });
    const tokens = new Adapter('AccessToken');
    await tokens.upsert('old', {}, 1);
    clock = new Date(clock.getTime() + 2_000);
    await tokens.upsert('new', {}, 600);
    const rows = await store.rows<{ id: string }>(
      sql`select id from oidc_models where kind = 'AccessToken'`,
    );
    expect(rows.map((row) => row.id)).not.toContain('old');
    expect(rows.map((row) => row.id)).toContain('new');
  });

  it.runIf(target.name === 'postgres')('is shared by every instance on one database', async () => {
    const other = await openStore({ databaseUrl: store.databaseUrl });
    await new (createOidcAdapter({ db: store.db, now }))('Session').upsert('shared', { a: 1 }, 600);
    const seen = await new (createOidcAdapter({ db: other.db, now }))('Session').find('shared');
    await other.close();
    expect(seen).toEqual({ a: 1 });
  });
});

import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore, schema } from '../../store/index.ts';
import { storeTargets, type TestStore } from '../../store/testing.ts';
import { createSeenProofs } from './seen-proofs.ts';

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000);

describe.each(storeTargets())('createSeenProofs on $name', (target) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await target.open();
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    await store.db.delete(schema.dpopSeenProofs);
  });

  async function keys(): Promise<string[]> {
    const rows = await store.rows<{ key: string }>(
      sql`select key from dpop_seen_proofs order by key`,
    );
    return rows.map((row) => row.key);
  }

  it('accepts the first use of a key and refuses every later one', async () => {
    const seen = createSeenProofs(store);
    const key = `thumb:${randomUUID()}`;
    expect(await seen.firstUse(key, inMinutes(5))).toBe(true);
    expect(await seen.firstUse(key, inMinutes(5))).toBe(false);
    expect(await seen.firstUse(key, inMinutes(10))).toBe(false);
    expect(await seen.firstUse(`${key}x`, inMinutes(5))).toBe(true);
  });

  it('lets exactly one of many concurrent first uses win', async () => {
    const seen = createSeenProofs(store);
    const key = `thumb:${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 25 }, () => seen.firstUse(key, inMinutes(5))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps refusing a key whose row expired but is not purged yet', async () => {
    const seen = createSeenProofs(store, { purgeEvery: 0 });
    const key = `thumb:${randomUUID()}`;
    expect(await seen.firstUse(key, inMinutes(-1))).toBe(true);
    expect(await seen.firstUse(key, inMinutes(5))).toBe(false);
  });

  it('purges expired rows only, in bounded batches', async () => {
    const seen = createSeenProofs(store, { purgeEvery: 0, purgeBatchSize: 3 });
    for (let i = 0; i < 5; i++) await seen.firstUse(`expired-${i}`, inMinutes(-1));
    await seen.firstUse('live', inMinutes(5));

    expect(await seen.purgeExpired()).toBe(3);
    expect(await seen.purgeExpired()).toBe(2);
    expect(await seen.purgeExpired()).toBe(0);
    expect(await keys()).toEqual(['live']);
  });

  it('judges expiry by its clock', async () => {
    const clock = { now: new Date() };
    const seen = createSeenProofs(store, { purgeEvery: 0, clock: () => clock.now });
    await seen.firstUse('soon', inMinutes(5));
    expect(await seen.purgeExpired()).toBe(0);
    clock.now = inMinutes(6);
    expect(await seen.purgeExpired()).toBe(1);
  });

  it('purges by itself every so many uses', async () => {
    const seen = createSeenProofs(store, { purgeEvery: 3 });
    await seen.firstUse('expired-a', inMinutes(-1));
    await seen.firstUse('expired-b', inMinutes(-1));
    expect(await keys()).toEqual(['expired-a', 'expired-b']);
    await seen.firstUse('live', inMinutes(5)); // the third use purges first
    expect(await keys()).toEqual(['live']);
  });

  it('never purges when told not to', async () => {
    const seen = createSeenProofs(store, { purgeEvery: 0 });
    for (let i = 0; i < 5; i++) await seen.firstUse(`expired-${i}`, inMinutes(-1));
    expect(await keys()).toHaveLength(5);
  });

  it.runIf(target.name === 'postgres')(
    'is shared by two server instances on the same database',
    async () => {
      const second = await openStore({ databaseUrl: store.databaseUrl });
      try {
        const here = createSeenProofs(store);
        const there = createSeenProofs(second);
        const key = `thumb:${randomUUID()}`;
        expect(await here.firstUse(key, inMinutes(5))).toBe(true);
        expect(await there.firstUse(key, inMinutes(5))).toBe(false);

        const raced = `thumb:${randomUUID()}`;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? here : there).firstUse(raced, inMinutes(5)),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await second.close();
      }
    },
  );
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { keepsAnEnabledHolder, reachesAnEnabledUser } from './remaining-holders.ts';
import { insertDisabledUser, insertGroup } from './testing.ts';

describe.each(storeTargets())('who remains to hold a resource, on $name', (target) => {
  let store: TestStore;
  let enabled: string;
  let disabled: string;
  const user = (id: string) => ({ type: 'user' as const, id });
  const group = (id: string) => ({ type: 'group' as const, id });

  beforeAll(async () => {
    store = await target.open();
    enabled = crypto.randomUUID();
    const now = new Date();
    await store.db.insert(schema.users).values({
      id: enabled,
      username: 'erin',
      displayName: 'Erin',
      systemRole: 'user',
      source: 'local',
      createdAt: now,
      updatedAt: now,
    });
    disabled = await insertDisabledUser(store.db, 'frank');
  }, 60_000);
  afterAll(() => store?.dispose());

  it('counts enabled accounts, not grants', async () => {
    expect(await reachesAnEnabledUser(store.db, [])).toBe(false);
    expect(await reachesAnEnabledUser(store.db, [user(disabled)])).toBe(false);
    expect(await reachesAnEnabledUser(store.db, [user(crypto.randomUUID())])).toBe(false);
    expect(await reachesAnEnabledUser(store.db, [user(disabled), user(enabled)])).toBe(true);
    const empty = await insertGroup(store.db, 'empty');
    const former = await insertGroup(store.db, 'former', { members: [disabled] });
    expect(await reachesAnEnabledUser(store.db, [group(empty), group(former)])).toBe(false);
  });

  it('reaches members through nested groups, and ends on a nesting cycle', async () => {
    const inner = await insertGroup(store.db, 'inner', { members: [enabled] });
    const middle = await insertGroup(store.db, 'middle', { subgroups: [inner] });
    const outer = await insertGroup(store.db, 'outer', { subgroups: [middle] });
    expect(await reachesAnEnabledUser(store.db, [group(outer)])).toBe(true);
    // The deleted group takes its members away from every group above it.
    expect(await reachesAnEnabledUser(store.db, [group(outer)], middle)).toBe(false);
    const a = await insertGroup(store.db, 'cycle a');
    const b = await insertGroup(store.db, 'cycle b', { subgroups: [a] });
    await store.db.insert(schema.groupNesting).values({ parentGroupId: a, childGroupId: b });
    expect(await reachesAnEnabledUser(store.db, [group(a)])).toBe(false);
  });

  it('weighs only a change that takes the top level from a holder', async () => {
    const grants = [{ grantee: user(disabled), level: 'owner' }];
    for (const change of [
      { grantee: user(enabled), level: null },
      { grantee: user(disabled), level: 'owner' },
      { deletedGroupId: crypto.randomUUID() },
    ]) {
      expect(await keepsAnEnabledHolder(store.db, 'owner', grants, change)).toBe(true);
    }
    const change = { grantee: user(disabled), level: 'editor' };
    expect(await keepsAnEnabledHolder(store.db, 'owner', grants, change)).toBe(false);
  });
});

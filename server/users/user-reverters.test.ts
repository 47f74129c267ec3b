import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';
import { lastAuditEvent, deniedCount } from '../audit/testing.ts';

const { users } = schema;

let api: ApiTestServer;
let counter = 0;

/** A local account that is not one of the signed-in demo users, free to demote or disable. */
async function newAccount(): Promise<string> {
  counter += 1;
  const id = crypto.randomUUID();
  const now = new Date();
  await api.server.store.db.insert(users).values({
    id,
    username: `revert-user-${counter}`,
    displayName: `Revert User ${counter}`,
    systemRole: 'user',
    source: 'local',
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

async function account(id: string) {
  const [row] = await api.server.store.db.select().from(users).where(eq(users.id, id));
  if (!row) throw new Error(`no account ${id}`);
  return row;
}

function lastEvent(action: string, resourceId: string) {
  return lastAuditEvent(api.server.store.db, action, resourceId);
}

function denialCount(user: DemoUser) {
  return deniedCount(api.server.store.db, 'user.manage', api.ids[user]);
}

function update(user: DemoUser, id: string, body: object) {
  return api.call(user, 'PATCH', `/users/${id}`, body);
}

function revert(user: DemoUser, eventId: string) {
  return api.call(user, 'POST', `/audit/${eventId}/revert`);
}

describe.each(storeTargets())('user reverters on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('reverts a change of role, name and disabled flag, and records the revert', async () => {
    const id = await newAccount();
    const updated = await update('alice', id, {
      systemRole: 'viewer',
      displayName: 'Renamed',
      disabled: true,
    });
    expect(updated.status).toBe(200);
    const change = await lastEvent('user.update', id);
    const reverted = await revert('alice', change.id);
    expect(reverted.status).toBe(200);
    expect(await account(id)).toMatchObject({
      systemRole: 'user',
      displayName: (change.before as { displayName: string }).displayName,
      disabled: false,
    });
    expect(reverted.body.revert).toMatchObject({
      action: 'audit.revert',
      resourceType: 'user',
      resourceId: id,
      before: change.after,
      after: change.before,
    });
    // No secret in any state.
    expect(JSON.stringify([change.before, change.after])).not.toMatch(/password_?hash|scrypt/i);
  });

  it('refuses a revert that a later change overtook, naming it', async () => {
    const id = await newAccount();
    await update('alice', id, { systemRole: 'viewer' });
    const first = await lastEvent('user.update', id);
    await update('alice', id, { displayName: 'Later name' });
    const second = await lastEvent('user.update', id);
    const refused = await revert('alice', first.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('revert_conflict');
    expect(refused.body.error.laterEventId).toBe(second.id);
    expect((await account(id)).systemRole).toBe('viewer');
  });

  it('ends the sign-ins of an account a revert disables', async () => {
    const id = await newAccount();
    await update('alice', id, { disabled: true });
    await update('alice', id, { disabled: false });
    const enabled = await lastEvent('user.update', id);
    expect((await revert('alice', enabled.id)).status).toBe(200);
    expect((await account(id)).disabled).toBe(true);
    expect(await lastEvent('user.sign-ins.end', id)).toMatchObject({
      actorUserId: api.ids.alice,
      details: { reason: 'account disabled' },
    });
  });

  it('keeps an enabled admin: no Admin reverts their own promotion', async () => {
    expect((await update('alice', api.ids.bob, { systemRole: 'admin' })).status).toBe(200);
    const promotion = await lastEvent('user.update', api.ids.bob);
    const refused = await revert('bob', promotion.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('self_lockout');
    expect((await account(api.ids.bob)).systemRole).toBe('admin');

    // Bob, an Admin for now, changes an account; once demoted he may not revert it.
    const id = await newAccount();
    expect((await update('bob', id, { systemRole: 'viewer' })).status).toBe(200);
    const bobsChange = await lastEvent('user.update', id);
    expect((await revert('alice', promotion.id)).status).toBe(200);
    expect((await account(api.ids.bob)).systemRole).toBe('user');
    const before = await denialCount('bob');
    const forbidden = await revert('bob', bobsChange.id);
    expect(forbidden.status).toBe(403);
    expect(await denialCount('bob')).toBe(before + 1);
    expect((await account(id)).systemRole).toBe('viewer');
  });

  it('hides an Admin change from a user, who cannot revert it', async () => {
    const id = await newAccount();
    await update('alice', id, { systemRole: 'viewer' });
    const change = await lastEvent('user.update', id);
    expect((await revert('dave', change.id)).status).toBe(404);
    expect((await revert('carol', change.id)).status).toBe(404);
    expect((await account(id)).systemRole).toBe('viewer');
  });
});

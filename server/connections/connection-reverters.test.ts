import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

let api: ApiTestServer;
beforeAll(async () => {
  api = await startApiTestServer();
}, 60_000);
afterAll(() => api?.close());

/** A connection nobody can reach (port 1 on loopback): these tests never query it. */
async function create(user: DemoUser = 'bob') {
  const created = await api.call(user, 'POST', '/connections', {
    name: 'Assay results',
    kind: 'postgres',
    host: '127.0.0.1',
    port: 1,
    database: 'assays',
    user: 'reader',
    password: 'first-password',
    ssl: false,
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

function grant(id: string, to: DemoUser, permission: 'use' | 'edit' | null, by: DemoUser = 'bob') {
  return api.call(by, 'PUT', `/connections/${id}/grants`, {
    principal: { type: 'user', id: api.ids[to] },
    permission,
  });
}

/** The stored row, sealed password included, for comparing bytes. */
async function stored(id: string) {
  const [row] = await api.server.store.db
    .select()
    .from(schema.connections)
    .where(eq(schema.connections.id, id));
  return row;
}

async function event(resourceId: string, action: string) {
  const [found] = await api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(
      and(eq(schema.auditEvents.resourceId, resourceId), eq(schema.auditEvents.action, action)),
    )
    .orderBy(desc(schema.auditEvents.seq))
    .limit(1);
  if (!found) throw new Error(`no ${action} event on ${resourceId}`);
  return found;
}

function revert(eventId: string, user: DemoUser = 'bob') {
  return api.call(user, 'POST', `/audit/${eventId}/revert`);
}

async function grants(id: string) {
  const listed = await api.call('alice', 'GET', `/connections/${id}/grants`);
  return (listed.body.grants as { principal: { id: string }; permission: string }[]).map(
    (entry) => [entry.principal.id, entry.permission],
  );
}

describe('reverting connection changes', () => {
  it('undoes a creation, and reverting the revert brings it back with its password', async () => {
    const id = await create();
    const sealed = await stored(id);
    const reverted = await revert((await event(id, 'connection.create')).id);
    expect(reverted.status).toBe(200);
    expect(await stored(id)).toBeUndefined();
    expect((await revert(reverted.body.revert.id)).status).toBe(200);
    expect(await stored(id)).toEqual(sealed);
  });

  it('undoes an update of the settings, but not after a later one (naming it)', async () => {
    const id = await create();
    await api.call('bob', 'PATCH', `/connections/${id}`, { name: 'Renamed' });
    const first = await event(id, 'connection.update');
    expect(first.after).not.toHaveProperty('passwordChanged');
    expect(first.details).toMatchObject({ passwordChanged: false });
    await api.call('bob', 'PATCH', `/connections/${id}`, { database: 'other' });
    const second = await event(id, 'connection.update');

    const refused = await revert(first.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'revert_conflict', laterEventId: second.id });

    expect((await revert(second.id)).status).toBe(200);
    expect((await revert(first.id)).status).toBe(200);
    const now = await api.call('bob', 'GET', `/connections/${id}`);
    expect(now.body).toMatchObject({ name: 'Assay results', database: 'assays' });
  });

  it('puts back the sealed password an update replaced, with the host it was entered for', async () => {
    const id = await create();
    const original = await stored(id);
    const moved = await api.call('bob', 'PATCH', `/connections/${id}`, {
      host: '127.0.0.2',
      password: 'second-password',
    });
    expect(moved.status).toBe(200);
    const update = await event(id, 'connection.update');
    expect(update.details).toMatchObject({ passwordChanged: true, snapshotId: expect.any(String) });
    expect(JSON.stringify(update)).not.toMatch(/password"?:\s*"[a-z]+-password/);
    const changed = await stored(id);
    expect(changed?.secret).not.toEqual(original?.secret);

    const reverted = await revert(update.id);
    expect(reverted.status).toBe(200);
    const back = await stored(id);
    expect(back?.settings).toEqual(original?.settings);
    expect(back?.secret).toEqual(original?.secret);
    expect(back?.wrappedKey).toEqual(original?.wrappedKey);

    // Reverting the revert puts the replacing password back too.
    expect((await revert(reverted.body.revert.id)).status).toBe(200);
    const redone = await stored(id);
    expect(redone?.secret).toEqual(changed?.secret);
    expect(redone?.settings).toEqual(changed?.settings);
  });

  it('refuses to undo an update once the password was replaced again later', async () => {
    const id = await create();
    await api.call('bob', 'PATCH', `/connections/${id}`, { name: 'Renamed' });
    const rename = await event(id, 'connection.update');
    await api.call('bob', 'PATCH', `/connections/${id}`, { password: 'third-password' });
    const refused = await revert(rename.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.laterEventId).toBe((await event(id, 'connection.update')).id);
  });

  it('undoes a deletion with its id, sealed password and grants', async () => {
    const id = await create();
    expect((await grant(id, 'dave', 'use')).status).toBe(200);
    const sealed = await stored(id);
    const granted = await grants(id);
    expect((await api.call('bob', 'DELETE', `/connections/${id}`)).status).toBe(204);
    const deletion = await event(id, 'connection.delete');
    expect(deletion.details).toMatchObject({ snapshotId: expect.any(String) });

    const reverted = await revert(deletion.id);
    expect(reverted.status).toBe(200);
    expect(reverted.body.revert.after).toEqual(deletion.before);
    expect(await stored(id)).toEqual(sealed);
    expect(await grants(id)).toEqual(granted);

    const again = await revert(deletion.id);
    expect(again.status).toBe(409);
    expect(again.body.error.laterEventId).toBe(reverted.body.revert.id);
  });

  it('asks the policy: who lost `edit` may not undo their own update', async () => {
    const id = await create();
    expect((await grant(id, 'dave', 'edit')).status).toBe(200);
    await api.call('dave', 'PATCH', `/connections/${id}`, { name: 'Dave was here' });
    const update = await event(id, 'connection.update');
    expect((await grant(id, 'dave', 'use')).status).toBe(200);
    const refused = await revert(update.id, 'dave');
    expect(refused.status).toBe(403);
    expect((await api.call('bob', 'GET', `/connections/${id}`)).body.name).toBe('Dave was here');
  });
});

describe('reverting grant changes', () => {
  it('undoes giving, changing and removing a grant', async () => {
    const id = await create();
    const target = `${id}/user/${api.ids.dave}`;
    await grant(id, 'dave', 'use');
    const given = await event(target, 'connection.grants.update');
    await grant(id, 'dave', 'edit');
    const raised = await event(target, 'connection.grants.update');

    const refused = await revert(given.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.laterEventId).toBe(raised.id);

    expect((await revert(raised.id)).status).toBe(200);
    expect(await grants(id)).toContainEqual([api.ids.dave, 'use']);
    await grant(id, 'dave', null);
    const removed = await event(target, 'connection.grants.remove');
    expect((await revert(removed.id)).status).toBe(200);
    expect(await grants(id)).toContainEqual([api.ids.dave, 'use']);
  });

  it('keeps an editor: undoing the grant that made the only editor is refused', async () => {
    const id = await create();
    await grant(id, 'dave', 'edit');
    const given = await event(`${id}/user/${api.ids.dave}`, 'connection.grants.update');
    await grant(id, 'bob', null, 'dave');
    // alice, an Admin, sees every event and may manage every grant.
    const refused = await revert(given.id, 'alice');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('last_editor');
    expect(await grants(id)).toEqual([[api.ids.dave, 'edit']]);
  });

  it('refuses, as a conflict, a grant change on a connection deleted since', async () => {
    const id = await create();
    await grant(id, 'dave', 'use');
    const given = await event(`${id}/user/${api.ids.dave}`, 'connection.grants.update');
    await api.call('bob', 'DELETE', `/connections/${id}`);
    const refused = await revert(given.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/no longer exists/);
  });
});

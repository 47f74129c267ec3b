/**
 * Reverting dashboard changes over real HTTP: an edit (saved again as a new version), a creation
 * and a deletion (back with its id), conflicts naming the later edit, redoing by reverting the
 * revert, and the right to run the connection queries a revert brings back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

let api: ApiTestServer;
let projectId: string;
let counter = 0;

interface Event {
  id: string;
  before: unknown;
  after: unknown;
  details: Record<string, unknown> | null;
}

async function lastEvent(action: string, resourceId: string) {
  const query = new URLSearchParams({ action, resourceType: 'dashboard', resourceId, limit: '1' });
  const { body } = await api.call<{ events: Event[] }>('alice', 'GET', `/audit?${query}`);
  expect(body.events).toHaveLength(1);
  return body.events[0]!;
}

const revert = (user: DemoUser, eventId: string) =>
  api.call(user, 'POST', `/audit/${eventId}/revert`);

function spec(views: unknown[] = []) {
  return { version: 1, views };
}

async function newDashboard(title = `Doses ${++counter}`, user: DemoUser = 'bob') {
  const created = await api.call(user, 'POST', `/projects/${projectId}/dashboards`, {
    title,
    spec: spec(),
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; title: string; updatedAt: string };
}

async function retitle(id: string, title: string, user: DemoUser = 'bob') {
  const edited = await api.call(user, 'PATCH', `/dashboards/${id}`, { title });
  expect(edited.status).toBe(200);
  return {
    event: await lastEvent('dashboard.update', id),
    etag: edited.headers.get('etag')!,
    updatedAt: edited.body.updatedAt as string,
  };
}

const read = (id: string) => api.call('bob', 'GET', `/dashboards/${id}`);

describe.each(storeTargets())('reverting dashboard changes on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
    const project = await api.call('bob', 'POST', '/projects', { name: 'Dashboards to revert' });
    projectId = project.body.id;
    const editor = await api.call('bob', 'PUT', `/projects/${projectId}/members`, {
      principal: { type: 'user', id: api.ids.dave },
      role: 'editor',
    });
    expect(editor.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('reverts an edit as a new version, so an ETag of the edit no longer matches', async () => {
    const dashboard = await newDashboard('Original');
    const { event, etag, ...edited } = await retitle(dashboard.id, 'Edited', 'dave');
    const reverted = await revert('dave', event.id);
    expect(reverted.status).toBe(200);
    const now = await read(dashboard.id);
    expect(now.body.title).toBe('Original');
    expect(now.body.updatedAt > edited.updatedAt).toBe(true);
    expect(reverted.body.revert.after).toMatchObject({ title: 'Original' });
    const stale = await api.call(
      'dave',
      'PATCH',
      `/dashboards/${dashboard.id}`,
      { title: 'Blind' },
      { 'if-match': etag },
    );
    expect(stale.status).toBe(409);
  });

  it('refuses a stale edit naming the later one, and redoes by reverting the revert', async () => {
    const dashboard = await newDashboard();
    const first = await retitle(dashboard.id, 'One');
    const second = await retitle(dashboard.id, 'Two', 'dave');
    const refused = await revert('bob', first.event.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'revert_conflict',
      laterEventId: second.event.id,
    });
    expect(refused.body.error.message).toContain(`(dashboard.update by dave at `);

    const undone = await revert('bob', second.event.id);
    expect((await read(dashboard.id)).body.title).toBe('One');
    expect((await revert('bob', undone.body.revert.id)).status).toBe(200);
    expect((await read(dashboard.id)).body.title).toBe('Two');
  });

  it('reverts a creation by deleting, and a deletion by restoring the dashboard with its id', async () => {
    const dashboard = await newDashboard(`Doses ${++counter}`, 'dave');
    const created = await lastEvent('dashboard.create', dashboard.id);
    // Deleting is for owners: the editor who created it may not revert the creation.
    expect((await revert('dave', created.id)).status).toBe(403);
    const undone = await revert('bob', created.id);
    expect(undone.status).toBe(200);
    expect((await read(dashboard.id)).status).toBe(404);
    expect((await revert('bob', undone.body.revert.id)).status).toBe(200);
    expect((await read(dashboard.id)).body).toMatchObject({
      id: dashboard.id,
      title: dashboard.title,
    });

    expect((await api.call('bob', 'DELETE', `/dashboards/${dashboard.id}`)).status).toBe(204);
    const deleted = await lastEvent('dashboard.delete', dashboard.id);
    expect(deleted.after).toBeNull();
    expect(typeof deleted.details?.snapshotId).toBe('string');
    // Dave cannot even see the deletion he did not make; the owner reverts it.
    expect((await revert('dave', deleted.id)).status).toBe(404);
    const restored = await revert('bob', deleted.id);
    expect(restored.status).toBe(200);
    expect(restored.body.revert.after).toEqual(deleted.before);
    const back = await read(dashboard.id);
    expect(back.body).toMatchObject({ id: dashboard.id, updatedAt: dashboard.updatedAt });
  });

  it('refuses to bring back a dashboard whose project is gone, naming the cause', async () => {
    const project = await api.call('bob', 'POST', '/projects', { name: 'Short-lived' });
    const created = await api.call('bob', 'POST', `/projects/${project.body.id}/dashboards`, {
      title: 'Orphan',
      spec: spec(),
    });
    expect((await api.call('bob', 'DELETE', `/dashboards/${created.body.id}`)).status).toBe(204);
    const deleted = await lastEvent('dashboard.delete', created.body.id);
    expect((await api.call('bob', 'DELETE', `/projects/${project.body.id}`)).status).toBe(204);
    const refused = await revert('bob', deleted.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`project ${project.body.id} no longer exists`);
  });

  it('needs the right to run the connection queries a revert brings back', async () => {
    const connection = await api.call('bob', 'POST', '/connections', {
      name: `Warehouse ${++counter}`,
      kind: 'postgres',
      host: '127.0.0.1',
      port: 1,
      database: 'lab',
      user: 'reader',
      password: 'not-the-real-one',
      ssl: false,
    });
    expect(connection.status).toBe(201);
    const view = {
      id: 'live',
      title: 'Live',
      kind: 'table',
      source: { type: 'connection', connectionId: connection.body.id, sql: 'select 1' },
    };
    const dashboard = await newDashboard();
    const withQuery = await api.call('bob', 'PATCH', `/dashboards/${dashboard.id}`, {
      spec: spec([view]),
    });
    expect(withQuery.status).toBe(200);
    // Dave, an editor, may remove the query: that runs nothing.
    const cleared = await api.call('dave', 'PATCH', `/dashboards/${dashboard.id}`, {
      spec: spec(),
    });
    expect(cleared.status).toBe(200);
    const clearing = await lastEvent('dashboard.update', dashboard.id);
    // But undoing his edit would plant a query through a connection he may not use.
    const refused = await revert('dave', clearing.id);
    expect(refused.status).toBe(403);
    expect((await read(dashboard.id)).body.spec.views).toEqual([]);
    expect((await revert('bob', clearing.id)).status).toBe(200);
    expect((await read(dashboard.id)).body.spec.views).toHaveLength(1);
  });
});

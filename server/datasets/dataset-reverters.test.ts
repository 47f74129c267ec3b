import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

let api: ApiTestServer;
beforeAll(async () => {
  api = await startApiTestServer();
}, 60_000);
afterAll(() => api?.close());

const CSV = { 'content-type': 'text/csv' };

async function project(grants: [DemoUser, 'editor' | 'viewer'][] = []) {
  const created = await api.call('bob', 'POST', '/projects', { name: `p-${crypto.randomUUID()}` });
  expect(created.status).toBe(201);
  for (const [user, role] of grants) {
    const granted = await api.call('bob', 'PUT', `/projects/${created.body.id}/members`, {
      principal: { type: 'user', id: api.ids[user] },
      role,
    });
    expect(granted.status).toBe(200);
  }
  return created.body.id as string;
}

async function dataset(projectId: string) {
  const created = await api.call('bob', 'POST', `/projects/${projectId}/datasets`, {
    name: 'Assay results',
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function upload(datasetId: string, csv: string, user: DemoUser = 'bob') {
  const uploaded = await api.call(user, 'POST', `/datasets/${datasetId}/versions`, csv, CSV);
  expect(uploaded.status).toBe(201);
  return uploaded.body as { number: number; sha256: string };
}

async function download(datasetId: string, version: number) {
  const response = await api.clients.bob.fetch(
    `${api.server.url}/api/v1/datasets/${datasetId}/versions/${String(version)}/data`,
  );
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** The newest event of `action` on the dataset. */
async function event(datasetId: string, action: string) {
  const [found] = await api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(and(eq(schema.auditEvents.resourceId, datasetId), eq(schema.auditEvents.action, action)))
    .orderBy(desc(schema.auditEvents.seq))
    .limit(1);
  if (!found) throw new Error(`no ${action} event on ${datasetId}`);
  return found;
}

function revert(eventId: string, user: DemoUser = 'bob') {
  return api.call(user, 'POST', `/audit/${eventId}/revert`);
}

describe('reverting dataset changes', () => {
  it('undoes a creation, and reverting the revert brings the dataset back', async () => {
    const id = await dataset(await project());
    const reverted = await revert((await event(id, 'dataset.create')).id);
    expect(reverted.status).toBe(200);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).status).toBe(404);

    const redone = await revert(reverted.body.revert.id);
    expect(redone.status).toBe(200);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body).toMatchObject({
      id,
      name: 'Assay results',
      latestVersion: 0,
    });
  });

  it('refuses to undo a creation once a version was uploaded, naming the upload', async () => {
    const id = await dataset(await project());
    await upload(id, 'a,b\n1,x\n');
    const refused = await revert((await event(id, 'dataset.create')).id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'revert_conflict',
      laterEventId: (await event(id, 'dataset.upload')).id,
    });
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).status).toBe(200);
  });

  it('undoes a deletion from its snapshot: same id, versions and bytes', async () => {
    const id = await dataset(await project());
    await upload(id, 'a,b\n1,x\n');
    await upload(id, 'a,b\n2,y\n3,z\n');
    const before = await api.call('bob', 'GET', `/datasets/${id}`);
    const bytes = [await download(id, 1), await download(id, 2)];
    expect((await api.call('bob', 'DELETE', `/datasets/${id}`)).status).toBe(204);
    const deletion = await event(id, 'dataset.delete');
    expect(deletion.details).toMatchObject({ snapshotId: expect.any(String) });
    expect(JSON.stringify(deletion.before)).not.toMatch(/wrappedKey|content/);

    const reverted = await revert(deletion.id);
    expect(reverted.status).toBe(200);
    expect(reverted.body.revert.after).toEqual(deletion.before);
    const after = await api.call('bob', 'GET', `/datasets/${id}`);
    expect(after.body.versions).toEqual(before.body.versions);
    expect(after.body.latestVersion).toBe(2);
    expect(await download(id, 1)).toEqual(bytes[0]);
    expect(await download(id, 2)).toEqual(bytes[1]);

    const again = await revert(deletion.id);
    expect(again.status).toBe(409);
    expect(again.body.error.laterEventId).toBe(reverted.body.revert.id);
  });

  it('asks the policy: a project viewer may not bring a deleted dataset back', async () => {
    const projectId = await project([['dave', 'viewer']]);
    const id = await dataset(projectId);
    await api.call('bob', 'DELETE', `/datasets/${id}`);
    const refused = await revert((await event(id, 'dataset.delete')).id, 'dave');
    expect([403, 404]).toContain(refused.status);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).status).toBe(404);
  });

  it('asks the policy: an editor, who may not delete datasets, may not undo creating one', async () => {
    const created = await api.call(
      'dave',
      'POST',
      `/projects/${await project([['dave', 'editor']])}/datasets`,
      {
        name: 'Mine',
      },
    );
    const id = created.body.id as string;
    const refused = await revert((await event(id, 'dataset.create')).id, 'dave');
    expect(refused.status).toBe(403);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).status).toBe(200);
    const denial = await event(id, 'dataset.delete');
    expect(denial).toMatchObject({ outcome: 'denied', actorUserId: api.ids.dave });
  });

  it('undoes an upload by removing the version, and redoes it with the same bytes', async () => {
    const id = await dataset(await project());
    await upload(id, 'a,b\n1,x\n');
    await upload(id, 'a,b\n2,y\n');
    const second = await download(id, 2);
    const reverted = await revert((await event(id, 'dataset.upload')).id);
    expect(reverted.status).toBe(200);
    expect(reverted.body.revert.after).toEqual({ latestVersion: 1 });
    const after = await api.call('bob', 'GET', `/datasets/${id}`);
    expect(after.body.latestVersion).toBe(1);
    expect(after.body.versions.map((v: { number: number }) => v.number)).toEqual([1]);
    expect((await download(id, 2)).status).toBe(404);

    const redone = await revert(reverted.body.revert.id);
    expect(redone.status).toBe(200);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body.latestVersion).toBe(2);
    expect(await download(id, 2)).toEqual(second);
    // The next upload continues after the version put back.
    expect((await upload(id, 'a,b\n3,z\n')).number).toBe(3);
  });

  it('refuses to undo an upload that a later upload followed, naming it', async () => {
    const id = await dataset(await project());
    await upload(id, 'a,b\n1,x\n');
    const first = await event(id, 'dataset.upload');
    await upload(id, 'a,b\n2,y\n');
    const refused = await revert(first.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.laterEventId).toBe((await event(id, 'dataset.upload')).id);
    expect(refused.body.error.message).toMatch(/dataset\.upload by bob/);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body.latestVersion).toBe(2);
  });

  it('lets a project viewer undo no upload', async () => {
    const id = await dataset(await project([['dave', 'viewer']]));
    await upload(id, 'a,b\n1,x\n');
    const refused = await revert((await event(id, 'dataset.upload')).id, 'dave');
    expect([403, 404]).toContain(refused.status);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body.latestVersion).toBe(1);
  });
});

describe('restoring an earlier version as a new one', () => {
  it('copies version n as latest+1 with the same bytes, recorded as an upload', async () => {
    const id = await dataset(await project([['dave', 'editor']]));
    const first = await upload(id, 'a,b\n1,x\n');
    await upload(id, 'a,b\n2,y\n');
    const restored = await api.call('dave', 'POST', `/datasets/${id}/versions/1/restore`);
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({ number: 3, sha256: first.sha256, sourceFormat: 'csv' });
    expect(restored.body.createdBy).toMatchObject({ id: api.ids.dave });
    expect(restored.headers.get('location')).toBe(`/api/v1/datasets/${id}/versions/3/data`);
    expect(await download(id, 3)).toEqual(await download(id, 1));
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body.latestVersion).toBe(3);

    const recorded = await event(id, 'dataset.upload');
    expect(recorded.details).toEqual({ restoredFrom: 1 });
    expect(recorded.before).toEqual({ latestVersion: 2 });
    expect(recorded.after).toMatchObject({ latestVersion: 3, version: { number: 3 } });

    const reverted = await revert(recorded.id);
    expect(reverted.status).toBe(200);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body.latestVersion).toBe(2);
  });

  it('answers 404 for a missing version or dataset, and 403 to a viewer', async () => {
    const id = await dataset(await project([['dave', 'viewer']]));
    await upload(id, 'a,b\n1,x\n');
    const missing = await api.call('bob', 'POST', `/datasets/${id}/versions/7/restore`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/no version 7/);
    const noDataset = await api.call(
      'bob',
      'POST',
      `/datasets/${crypto.randomUUID()}/versions/1/restore`,
    );
    expect(noDataset.status).toBe(404);
    expect((await api.call('bob', 'POST', `/datasets/${id}/versions/0/restore`)).status).toBe(400);
    expect((await api.call('dave', 'POST', `/datasets/${id}/versions/1/restore`)).status).toBe(403);
    expect((await api.call('bob', 'GET', `/datasets/${id}`)).body.latestVersion).toBe(1);
  });
});

/**
 * The revert API over real HTTP: the error shapes of a single revert, and batch revert of
 * everything one person did since a time: newest first, each reported, a dry run changing
 * nothing, a plugin's writes to the browser's table left to that browser, events reverted
 * already skipped, hostile bodies refused, and the chain still whole afterwards.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

interface BatchResult {
  eventId: string;
  seq: number;
  action: string;
  resourceType: string;
  resourceId: string | null;
  status: string;
  message: string;
  revertEventId?: string;
  laterEventId?: string;
}

let api: ApiTestServer;

const batch = (body: unknown, user: 'alice' | 'bob' | 'dave' = 'alice') =>
  api.call<{ results: BatchResult[] }>(user, 'POST', '/audit/revert-batch', body);

async function auditRows() {
  return api.server.store.rows<{ count: number }>(
    sql`select count(*)::int as count from audit_events`,
  );
}

describe.each(storeTargets())('revert API on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('batch-reverts everything Dave did since a time, newest first, reporting each', async () => {
    const since = new Date().toISOString();
    const project = await api.call('dave', 'POST', '/projects', { name: 'Dave session' });
    expect(project.status).toBe(201);
    const id = project.body.id as string;
    expect((await api.call('dave', 'PATCH', `/projects/${id}`, { name: 'Renamed' })).status).toBe(
      200,
    );
    const dashboard = await api.call('dave', 'POST', `/projects/${id}/dashboards`, {
      title: 'Doses',
      spec: { version: 1, views: [] },
    });
    expect(dashboard.status).toBe(201);
    expect(
      (await api.call('dave', 'PATCH', `/dashboards/${dashboard.body.id}`, { title: 'Edited' }))
        .status,
    ).toBe(200);
    const write = await api.server.audit.record({
      action: 'plugin.data_write',
      actorUserId: api.ids.dave,
      actorPlugin: 'test.writer',
      source: 'client',
      resourceType: 'pluginInstance',
      resourceId: 'instance-1',
      outcome: 'ok',
    });
    const denied = await api.call('dave', 'PATCH', `/projects/${crypto.randomUUID()}`, {
      name: 'Nowhere',
    });
    expect(denied.status).toBe(404);
    // Someone else's change in the same time is not part of Dave's batch.
    const bobs = await api.call('bob', 'POST', '/projects', { name: 'Not Dave' });

    const [before] = await auditRows();
    const preview = await batch({ actorUserId: api.ids.dave, from: since, dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body.results.map((result) => result.status)).toEqual([
      'not_revertible',
      'on_device',
      'reverted',
      'reverted',
      'reverted',
      'reverted',
    ]);
    expect(preview.body.results.every((result) => result.revertEventId === undefined)).toBe(true);
    expect((await api.call('dave', 'GET', `/projects/${id}`)).body.name).toBe('Renamed');
    expect(await auditRows()).toEqual([before]);

    const { status, body } = await batch({ actorUserId: api.ids.dave, from: since });
    expect(status).toBe(200);
    const seqs = body.results.map((result) => result.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(body.results.map((result) => [result.action, result.status])).toEqual([
      ['project.update', 'not_revertible'],
      ['plugin.data_write', 'on_device'],
      ['dashboard.update', 'reverted'],
      ['dashboard.create', 'reverted'],
      ['project.update', 'reverted'],
      ['project.create', 'reverted'],
    ]);
    expect(body.results[1]).toMatchObject({ eventId: write.id, resourceId: 'instance-1' });
    expect(body.results.every((result) => result.eventId !== bobs.body.id)).toBe(true);
    for (const result of body.results.filter((each) => each.status === 'reverted')) {
      expect(result.revertEventId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await api.call('dave', 'GET', `/projects/${id}`)).status).toBe(404);
    expect((await api.call('bob', 'GET', `/projects/${bobs.body.id}`)).status).toBe(200);

    // Once more: what was reverted is skipped (the 404 Dave just met is a new, denied event).
    const again = await batch({ actorUserId: api.ids.dave, from: since });
    const statusOf = new Map(again.body.results.map((result) => [result.eventId, result.status]));
    for (const result of body.results) {
      expect(statusOf.get(result.eventId)).toBe(
        result.status === 'reverted' ? 'already_reverted' : result.status,
      );
    }
  });

  it("batch-reverts by plugin: only that plugin's events, its column writes answered on_device", async () => {
    const since = new Date().toISOString();
    const daves = await api.call('dave', 'POST', '/projects', { name: 'Dave, not the plugin' });
    expect(daves.status).toBe(201);
    const writes = [];
    for (const actorPlugin of ['test.writer', 'test.other', 'test.writer']) {
      writes.push(
        await api.server.audit.record({
          action: 'plugin.data_write',
          actorUserId: api.ids.dave,
          actorPlugin,
          source: 'client',
          resourceType: 'plugin',
          resourceId: actorPlugin,
          outcome: 'ok',
          details: { tableName: 'plates', columns: ['z'], detail: 'columns' },
        }),
      );
    }
    const { status, body } = await batch({ actorPlugin: 'test.writer', from: since });
    expect(status).toBe(200);
    expect(body.results.map((result) => [result.eventId, result.status])).toEqual([
      [writes[2]!.id, 'on_device'],
      [writes[0]!.id, 'on_device'],
    ]);
    // Dave's own change in the same time is not the plugin's.
    expect((await api.call('dave', 'GET', `/projects/${daves.body.id}`)).status).toBe(200);
  });

  it('reports conflicts and refusals in a batch instead of stopping at them', async () => {
    const project = await api.call('bob', 'POST', '/projects', { name: 'Shared' });
    const id = project.body.id as string;
    await api.call('bob', 'PUT', `/projects/${id}/members`, {
      principal: { type: 'user', id: api.ids.dave },
      role: 'owner',
    });
    const since = new Date().toISOString();
    expect((await api.call('dave', 'PATCH', `/projects/${id}`, { name: 'By Dave' })).status).toBe(
      200,
    );
    expect((await api.call('bob', 'PATCH', `/projects/${id}`, { name: 'By Bob' })).status).toBe(
      200,
    );
    const conflicted = await batch({ actorUserId: api.ids.dave, from: since }, 'dave');
    expect(conflicted.body.results).toHaveLength(1);
    expect(conflicted.body.results[0]).toMatchObject({ status: 'conflict' });
    expect(conflicted.body.results[0]!.laterEventId).toMatch(/^[0-9a-f-]{36}$/);

    await api.call('bob', 'PATCH', `/projects/${id}`, { name: 'By Dave' });
    await api.call('bob', 'PUT', `/projects/${id}/members`, {
      principal: { type: 'user', id: api.ids.dave },
      role: 'viewer',
    });
    const forbidden = await batch({ actorUserId: api.ids.dave, from: since }, 'dave');
    expect(forbidden.body.results.map((result) => result.status)).toEqual(['forbidden']);
  });

  it('shows a caller only the events they may see, in a batch too', async () => {
    const since = new Date().toISOString();
    await api.call('bob', 'POST', '/projects', { name: 'Bob alone' });
    const peeking = await batch({ actorUserId: api.ids.bob, from: since }, 'dave');
    expect(peeking.status).toBe(200);
    expect(peeking.body.results).toEqual([]);
  });

  it.each([
    [{ from: new Date().toISOString() }],
    [{ actorUserId: crypto.randomUUID() }],
    [{ actorUserId: crypto.randomUUID(), from: 'yesterday' }],
    [{ actorPlugin: '../etc', from: new Date().toISOString() }],
    [{ sessionId: 'x'.repeat(500), from: new Date().toISOString() }],
    [{ actorUserId: crypto.randomUUID(), from: new Date().toISOString(), extra: 1 }],
  ])('refuses a hostile batch body %j (400)', async (body) => {
    const { status, body: answer } = await batch(body);
    expect(status).toBe(400);
    expect(answer).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('leaves one unbroken chain after all of it', async () => {
    const { body } = await api.call('alice', 'GET', '/audit/verify');
    expect(body.ok).toBe(true);
  });
});

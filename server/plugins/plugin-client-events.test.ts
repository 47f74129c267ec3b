/**
 * The SPA's client events about a plugin instance (`POST /plugin-instances/{id}/events`): that the
 * plugin started and what its frame's CSP blocked are recorded as client events of the plugin,
 * attributed to the signed-in user, with strictly validated bodies; and no client event ever
 * decides anything: it cannot revive, end or unblock an instance, nor change a plugin, a consent
 * or a policy, and it cannot be reported on another user's instance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginTestServers, type PluginTestServers } from '../plugin-site/testing.ts';
import { schema } from '../store/index.ts';
import type { ApiTestServer, DemoUser } from '../test-api.ts';
import { testPlugin, writePluginFolder } from './testing.ts';

let servers: PluginTestServers;
let api: ApiTestServer;
let pluginsDir: string;

const PLUGIN = 'test.events';

beforeAll(async () => {
  pluginsDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-plugin-client-events-'));
  await writePluginFolder(pluginsDir, testPlugin({ id: PLUGIN, name: 'Events' }));
  servers = await startPluginTestServers({ pluginsDir });
  api = servers.api;
}, 60_000);

afterAll(async () => {
  await servers?.close();
  await rm(pluginsDir, { recursive: true, force: true });
});

async function launch(user: DemoUser): Promise<string> {
  const plugin = await api.call(user, 'GET', `/plugins/${PLUGIN}`);
  expect(plugin.status).toBe(200);
  const consent = await api.call(user, 'PUT', `/plugins/${PLUGIN}/consent`, {
    permissions: plugin.body.permissions,
  });
  expect(consent.status).toBe(200);
  const launched = await api.call(user, 'POST', `/plugins/${PLUGIN}/launch`, {
    tableName: 'plates',
    columns: ['well'],
  });
  expect(launched.status).toBe(201);
  return launched.body.instanceId as string;
}

function report(user: DemoUser, instanceId: string, body: unknown) {
  return api.call(user, 'POST', `/plugin-instances/${instanceId}/events`, body);
}

async function latest(action: string) {
  const [event] = await api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, action))
    .orderBy(desc(schema.auditEvents.seq))
    .limit(1);
  return event;
}

async function instanceRow(instanceId: string) {
  const [row] = await api.server.store.db
    .select()
    .from(schema.pluginInstances)
    .where(eq(schema.pluginInstances.id, instanceId));
  return row;
}

const egress = {
  action: 'plugin.egress_blocked',
  directive: 'connect-src',
  blockedUri: 'http://127.0.0.1:9/leak',
};

describe('client events: plugin.started and plugin.egress_blocked', () => {
  it('records them as client events of the plugin, by the signed-in user', async () => {
    const instanceId = await launch('bob');
    const started = await report('bob', instanceId, { action: 'plugin.started' });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ state: 'active', reason: null });
    expect(await latest('plugin.started')).toMatchObject({
      source: 'client',
      actorPlugin: PLUGIN,
      actorUserId: api.ids.bob,
      resourceType: 'plugin',
      resourceId: PLUGIN,
      outcome: 'ok',
      details: { tableName: 'plates' },
    });

    const blocked = await report('bob', instanceId, egress);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ state: 'active', reason: null });
    const event = await latest('plugin.egress_blocked');
    expect(event).toMatchObject({
      source: 'client',
      actorPlugin: PLUGIN,
      actorUserId: api.ids.bob,
      outcome: 'denied',
      details: { directive: 'connect-src', blockedUri: 'http://127.0.0.1:9/leak' },
    });
    expect(JSON.stringify(event)).not.toContain(instanceId);

    const keyword = await report('bob', instanceId, {
      action: 'plugin.egress_blocked',
      directive: 'script-src-elem',
      blockedUri: 'eval',
    });
    expect(keyword.status).toBe(200);
  });

  it('refuses hostile bodies, naming the field', async () => {
    const instanceId = await launch('bob');
    const hostile: [Record<string, unknown>, string][] = [
      [{ action: 'plugin.egress_blocked', directive: 'connect-src' }, 'blockedUri'],
      [{ action: 'plugin.egress_blocked', blockedUri: 'eval' }, 'directive'],
      [{ ...egress, directive: 'sandbox' }, 'directive'],
      [{ ...egress, directive: '__proto__' }, 'directive'],
      [{ ...egress, blockedUri: 'https://evil.test/x?secret=1' }, 'blockedUri'],
      [{ ...egress, blockedUri: 'https://evil.test/x#secret' }, 'blockedUri'],
      [{ ...egress, blockedUri: 'https://user:pw@evil.test/x' }, 'blockedUri'],
      [{ ...egress, blockedUri: `https://evil.test/${'a'.repeat(300)}` }, 'blockedUri'],
      [{ ...egress, blockedUri: 'javascript:alert(1)' }, 'blockedUri'],
      [{ ...egress, blockedUri: 'https://evil.test/a b' }, 'blockedUri'],
      [{ ...egress, blockedUri: 42 }, 'blockedUri'],
      [{ action: 'plugin.data_read', directive: 'connect-src' }, 'directive'],
      [{ action: 'plugin.started', blockedUri: 'eval' }, 'blockedUri'],
      [{ ...egress, outcome: 'ok' }, 'outcome'],
      [{ action: 'plugin.started', actorUserId: api.ids.alice }, 'actorUserId'],
      [{ action: 'plugin.started', source: 'server' }, 'source'],
      [{ action: 'plugin.launch' }, 'action'],
      [{ action: 'plugin.egress_blocked.undo' }, 'action'],
    ];
    const before = (await api.server.store.db.select().from(schema.auditEvents)).filter(
      (event) => event.action === 'plugin.egress_blocked',
    ).length;
    for (const [body, field] of hostile) {
      const answer = await report('bob', instanceId, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(answer.body), JSON.stringify(body)).toContain(field);
    }
    const after = (await api.server.store.db.select().from(schema.auditEvents)).filter(
      (event) => event.action === 'plugin.egress_blocked',
    ).length;
    expect(after).toBe(before);
  });

  it("refuses events on another user's instance (404), recording nothing for them", async () => {
    const instanceId = await launch('bob');
    for (const user of ['dave', 'alice', 'carol'] as const) {
      for (const body of [{ action: 'plugin.started' }, egress]) {
        const answer = await report(user, instanceId, body);
        expect(answer.status).toBe(404);
      }
      const recorded = (
        await api.server.store.db
          .select()
          .from(schema.auditEvents)
          .where(eq(schema.auditEvents.actorUserId, api.ids[user]))
      ).filter((event) => event.source === 'client');
      expect(recorded).toEqual([]);
    }
  });
});

describe('client events never decide anything', () => {
  it('cannot end, revive or change an instance, a plugin, a consent or a policy', async () => {
    const instanceId = await launch('bob');
    const rowBefore = await instanceRow(instanceId);
    const pluginBefore = (await api.call('bob', 'GET', `/plugins/${PLUGIN}`)).body;
    const rulesBefore = (await api.call('alice', 'GET', '/plugin-policies')).body;
    for (const body of [
      { action: 'plugin.terminated', detail: 'state: ended' },
      { action: 'plugin.denied', detail: 'block everyone' },
      { action: 'plugin.started' },
      egress,
      { action: 'plugin.data_write', columns: ['well'], rows: 1, detail: 'columns' },
    ]) {
      const answer = await report('bob', instanceId, body);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ state: 'active', reason: null });
    }
    expect(await instanceRow(instanceId)).toEqual(rowBefore);
    expect((await api.call('bob', 'GET', `/plugin-instances/${instanceId}`)).body).toEqual({
      state: 'active',
      reason: null,
    });
    expect((await api.call('bob', 'GET', `/plugins/${PLUGIN}`)).body).toEqual(pluginBefore);
    expect((await api.call('alice', 'GET', '/plugin-policies')).body).toEqual(rulesBefore);

    // An ended instance stays ended whatever the client reports: `plugin.started` revives nothing.
    expect((await api.call('bob', 'DELETE', `/plugin-instances/${instanceId}`)).status).toBe(204);
    const ended = await instanceRow(instanceId);
    const late = await report('bob', instanceId, { action: 'plugin.started' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ state: 'ended' });
    expect(await latest('plugin.started')).toMatchObject({
      outcome: 'denied',
      details: { state: 'ended' },
    });
    expect(await instanceRow(instanceId)).toEqual(ended);
  });

  it('answers blocked from the policy, whatever the client reports', async () => {
    const instanceId = await launch('dave');
    const rule = await api.call('alice', 'POST', '/plugin-policies', {
      pluginId: PLUGIN,
      effect: 'block',
      groupIds: null,
    });
    expect(rule.status).toBe(201);
    try {
      const answer = await report('dave', instanceId, { action: 'plugin.started' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ state: 'blocked' });
      expect(await latest('plugin.started')).toMatchObject({
        actorUserId: api.ids.dave,
        outcome: 'denied',
      });
    } finally {
      await api.call('alice', 'DELETE', `/plugin-policies/${rule.body.id as string}`);
    }
    expect((await report('dave', instanceId, { action: 'plugin.started' })).body).toEqual({
      state: 'active',
      reason: null,
    });
  });
});

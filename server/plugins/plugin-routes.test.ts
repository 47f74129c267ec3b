/**
 * The plugin API over real HTTP with the demo users (alice Admin, bob and dave Users, carol
 * Viewer): uploads, the catalogue, consent, launches, instances and the admins' policy, with
 * the hostile cases beside each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertGroup } from '../authz/testing.ts';
import { startPluginTestServers, type PluginTestServers } from '../plugin-site/testing.ts';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import type { ApiTestServer, DemoUser } from '../test-api.ts';
import { pluginZip, testPlugin, writePluginFolder } from './testing.ts';

let servers: PluginTestServers;
let api: ApiTestServer;
let pluginsDir: string;

function upload(user: DemoUser, zip: Uint8Array, contentType = 'application/zip') {
  return api.call(user, 'POST', '/plugins', zip, { 'content-type': contentType });
}

async function auditEvents(action: string) {
  return api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, action))
    .orderBy(desc(schema.auditEvents.seq));
}

async function consentAndLaunch(user: DemoUser, id: string, body: unknown = {}) {
  const plugin = await api.call(user, 'GET', `/plugins/${id}`);
  expect(plugin.status).toBe(200);
  const consent = await api.call(user, 'PUT', `/plugins/${id}/consent`, {
    permissions: plugin.body.permissions,
  });
  expect(consent.status).toBe(200);
  return api.call(user, 'POST', `/plugins/${id}/launch`, body);
}

async function addRule(rule: Record<string, unknown>): Promise<string> {
  const created = await api.call('alice', 'POST', '/plugin-policies', {
    groupIds: null,
    effect: 'block',
    ...rule,
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

// Also on a real PostgreSQL server when TEST_DATABASE_URL names one: there the routes run as the
// request role, under row-level security.
describe.each(storeTargets())('the plugin API on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    pluginsDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-plugin-routes-'));
    await writePluginFolder(pluginsDir, testPlugin({ id: 'test.bundled', name: 'Bundled' }));
    servers = await startPluginTestServers({ pluginsDir, store });
    api = servers.api;
  }, 60_000);
  afterAll(async () => {
    await servers?.close();
    await rm(pluginsDir, { recursive: true, force: true });
    await store?.dispose();
  });

  describe('uploading plugins', () => {
    it('lets admins upload, and refuses users and viewers (audited)', async () => {
      const zip = pluginZip(testPlugin({ id: 'test.uploaded', name: 'Uploaded' }));
      for (const user of ['bob', 'carol'] as const) {
        const refused = await upload(user, zip);
        expect(refused.status).toBe(403);
        const [denial] = await auditEvents('plugin.upload');
        expect(denial).toMatchObject({ outcome: 'denied', actorUserId: api.ids[user] });
      }
      const created = await upload('alice', zip);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: 'test.uploaded',
        name: 'Uploaded',
        version: '1.0.0',
        permissions: ['data:read', 'ui:panel'],
        source: 'uploaded',
        runnable: true,
        blockedReason: null,
        consent: null,
      });
      const [event] = await auditEvents('plugin.upload');
      expect(event).toMatchObject({ outcome: 'ok', resourceId: 'test.uploaded', before: null });
      expect(event?.after).toMatchObject({ version: '1.0.0', source: 'uploaded' });
      const files = await api.server.store.db
        .select({ path: schema.pluginFiles.path })
        .from(schema.pluginFiles)
        .where(eq(schema.pluginFiles.pluginId, 'test.uploaded'));
      expect(files.map((file) => file.path).sort()).toEqual(['chunks/helper.js', 'worker.js']);
    });

    it('replaces an upload of the same id, recording before and after', async () => {
      const zip = pluginZip(testPlugin({ id: 'test.replaced', version: '1.0.0' }));
      expect((await upload('alice', zip)).status).toBe(201);
      const again = await upload(
        'alice',
        pluginZip(testPlugin({ id: 'test.replaced', version: '1.1.0' })),
      );
      expect(again.status).toBe(201);
      expect(again.body.version).toBe('1.1.0');
      const [event] = await auditEvents('plugin.replace');
      expect(event?.before).toMatchObject({ version: '1.0.0' });
      expect(event?.after).toMatchObject({ version: '1.1.0' });
    });

    it('refuses what is not a good plugin, saying exactly why', async () => {
      const bundled = await upload('alice', pluginZip(testPlugin({ id: 'test.bundled' })));
      expect(bundled.status).toBe(409);
      expect(bundled.body.error.code).toBe('plugin_id_taken');

      const badManifest = await upload(
        'alice',
        pluginZip(
          testPlugin({ id: 'test.bad', manifest: { permissions: ['ui:panel', 'net:fetch'] } }),
        ),
      );
      expect(badManifest.status).toBe(400);
      expect(badManifest.body.error).toMatchObject({
        code: 'invalid_manifest',
        message: 'Invalid manifest.json: permissions[1]: unknown permission "net:fetch"',
      });

      const tampered = testPlugin({ id: 'test.tampered' });
      tampered.files['worker.js'] = new TextEncoder().encode('fetch("https://evil.example")');
      const mismatch = await upload('alice', pluginZip(tampered));
      expect(mismatch.status).toBe(422);
      expect(mismatch.body.error.code).toBe('file_mismatch');
      expect(mismatch.body.error.message).toMatch(/^worker\.js: its SHA-256 is/);

      const notZip = await upload('alice', pluginZip(testPlugin({ id: 'test.x' })), 'text/plain');
      expect(notZip.status).toBe(415);
      const garbage = await upload('alice', new TextEncoder().encode('PK\x03\x04 not really'));
      expect(garbage.status).toBe(400);

      const unknown = await api.call('alice', 'GET', '/plugins/test.bad');
      expect(unknown.status).toBe(404);
    });

    it('removes uploaded plugins only, and only for admins', async () => {
      expect((await upload('alice', pluginZip(testPlugin({ id: 'test.removed' })))).status).toBe(
        201,
      );
      expect((await api.call('bob', 'DELETE', '/plugins/test.removed')).status).toBe(403);
      expect((await api.call('alice', 'DELETE', '/plugins/test.bundled')).status).toBe(409);
      expect((await api.call('alice', 'DELETE', '/plugins/test.removed')).status).toBe(204);
      expect((await api.call('alice', 'GET', '/plugins/test.removed')).status).toBe(404);
      const [event] = await auditEvents('plugin.delete');
      expect(event?.before).toMatchObject({ id: 'test.removed', version: '1.0.0' });
    });
  });

  describe('consent and launch', () => {
    beforeAll(async () => {
      await upload(
        'alice',
        pluginZip(testPlugin({ id: 'test.launch', permissions: ['data:read'] })),
      );
    });

    it('lists what the caller may run, with their consent', async () => {
      const listed = await api.call('carol', 'GET', '/plugins');
      expect(listed.status).toBe(200);
      const ids = (listed.body.plugins as { id: string }[]).map((plugin) => plugin.id);
      expect(ids).toEqual(expect.arrayContaining(['test.bundled', 'test.launch']));
      expect(
        listed.body.plugins.find((plugin: { id: string }) => plugin.id === 'test.bundled'),
      ).toMatchObject({
        source: 'bundled',
        runnable: true,
      });
    });

    it('requires a consent that covers every permission, exactly the manifest set', async () => {
      const refused = await api.call('dave', 'POST', '/plugins/test.launch/launch', {});
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('consent_required');
      for (const permissions of [[], ['data:read', 'ui:panel'], ['data:read', 'data:read']]) {
        const wrong = await api.call('dave', 'PUT', '/plugins/test.launch/consent', {
          permissions,
        });
        expect(wrong.status).toBe(400);
      }
      const granted = await api.call('dave', 'PUT', '/plugins/test.launch/consent', {
        permissions: ['data:read'],
      });
      expect(granted.status).toBe(200);
      expect(granted.body.permissions).toEqual(['data:read']);
      const [event] = await auditEvents('plugin.consent.grant');
      expect(event).toMatchObject({ actorPlugin: 'test.launch', before: null });
      expect(event?.after).toMatchObject({ permissions: ['data:read'] });
      const revoked = await api.call('dave', 'DELETE', '/plugins/test.launch/consent');
      expect(revoked.status).toBe(204);
      expect((await api.call('dave', 'GET', '/plugins/test.launch')).body.consent).toBeNull();
      expect((await api.call('dave', 'POST', '/plugins/test.launch/launch', {})).status).toBe(409);
    });

    it('launches a single-use instance, audited with the plugin as the acting app', async () => {
      const launched = await consentAndLaunch('carol', 'test.launch', {
        tableName: 'plates',
        columns: ['well', 'signal'],
      });
      expect(launched.status).toBe(201);
      const { instanceId } = launched.body as { instanceId: string };
      expect(instanceId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(instanceId, 'base64url')).toHaveLength(32);
      expect(launched.body).toMatchObject({
        url: `${servers.pluginOrigin}/i/${instanceId}/`,
        pluginOrigin: servers.pluginOrigin,
        permissions: ['data:read'],
        plugin: { id: 'test.launch', consent: { permissions: ['data:read'] } },
      });
      const [event] = await auditEvents('plugin.launch');
      expect(event).toMatchObject({
        actorPlugin: 'test.launch',
        actorUserId: api.ids.carol,
        outcome: 'ok',
      });
      expect(event?.details).toMatchObject({ tableName: 'plates', columns: ['well', 'signal'] });
      expect(JSON.stringify(event)).not.toContain(instanceId);
      const second = await consentAndLaunch('carol', 'test.launch');
      expect(second.body.instanceId).not.toBe(instanceId);
    });

    it("keeps an instance to its user: another user's instance is a 404, audited", async () => {
      const { instanceId } = (await consentAndLaunch('bob', 'test.launch')).body as {
        instanceId: string;
      };
      const own = await api.call('bob', 'GET', `/plugin-instances/${instanceId}`);
      expect(own.body).toEqual({ state: 'active', reason: null });
      for (const user of ['dave', 'alice'] as const) {
        const state = await api.call(user, 'GET', `/plugin-instances/${instanceId}`);
        expect(state.status).toBe(404);
        const event = await api.call(user, 'POST', `/plugin-instances/${instanceId}/events`, {
          action: 'plugin.data_read',
          columns: ['secret'],
          rows: 1,
        });
        expect(event.status).toBe(404);
        expect((await api.call(user, 'DELETE', `/plugin-instances/${instanceId}`)).status).toBe(
          404,
        );
        const denials = await api.server.store.db
          .select()
          .from(schema.auditEvents)
          .where(
            and(
              eq(schema.auditEvents.actorUserId, api.ids[user]),
              eq(schema.auditEvents.action, 'plugin.instance.use'),
              eq(schema.auditEvents.outcome, 'denied'),
            ),
          );
        expect(denials.length).toBeGreaterThanOrEqual(3);
      }
      const made = await api.call('bob', 'GET', `/plugin-instances/${'A'.repeat(43)}`);
      expect(made.status).toBe(404);
      expect((await api.call('bob', 'GET', '/plugin-instances/short')).status).toBe(400);
      expect((await api.call('bob', 'GET', `/plugin-instances/${instanceId}`)).body.state).toBe(
        'active',
      );
    });

    it("records the host's reports as client events of the plugin, and ends instances", async () => {
      const { instanceId } = (await consentAndLaunch('bob', 'test.launch')).body as {
        instanceId: string;
      };
      const reported = await api.call('bob', 'POST', `/plugin-instances/${instanceId}/events`, {
        action: 'plugin.data_read',
        columns: ['well'],
        rows: 96,
      });
      expect(reported.status).toBe(200);
      expect(reported.body).toEqual({ state: 'active', reason: null });
      const [event] = await auditEvents('plugin.data_read');
      expect(event).toMatchObject({
        source: 'client',
        actorPlugin: 'test.launch',
        actorUserId: api.ids.bob,
        outcome: 'ok',
      });
      expect(event?.details).toMatchObject({ columns: ['well'], rows: 96 });
      const forged = await api.call('bob', 'POST', `/plugin-instances/${instanceId}/events`, {
        action: 'user.manage',
      });
      expect(forged.status).toBe(400);
      const extra = await api.call('bob', 'POST', `/plugin-instances/${instanceId}/events`, {
        action: 'plugin.data_read',
        actorPlugin: 'enclave.other',
      });
      expect(extra.status).toBe(400);
      expect((await api.call('bob', 'DELETE', `/plugin-instances/${instanceId}`)).status).toBe(204);
      expect((await api.call('bob', 'GET', `/plugin-instances/${instanceId}`)).body).toEqual({
        state: 'ended',
        reason: 'The user closed the plugin.',
      });
      const [ended] = await auditEvents('plugin.end');
      expect(ended).toMatchObject({
        actorPlugin: 'test.launch',
        after: { endedAt: expect.any(String) },
      });
    });
  });

  describe('row-level security', () => {
    it("shows the request role only the caller's own consents and instances", async () => {
      const { server } = api;
      const everyone = await server.store.db.select().from(schema.pluginInstances);
      expect(new Set(everyone.map((row) => row.userId)).size).toBeGreaterThan(1);
      for (const user of ['bob', 'carol', 'dave'] as const) {
        const seen = await server.store.asUser(api.ids[user], async (db) => ({
          instances: await db.select().from(schema.pluginInstances),
          consents: await db.select().from(schema.pluginConsents),
          ended: await db
            .update(schema.pluginInstances)
            .set({ endedAt: new Date(), endReason: 'forged' })
            .returning({ userId: schema.pluginInstances.userId }),
        }));
        for (const row of [...seen.instances, ...seen.consents, ...seen.ended]) {
          expect(row.userId).toBe(api.ids[user]);
        }
      }
    });
  });

  describe("the admins' plugin policy", () => {
    beforeAll(async () => {
      await upload(
        'alice',
        pluginZip(testPlugin({ id: 'test.policy', permissions: ['ui:panel'] })),
      );
    });

    it('is read and written by admins only', async () => {
      for (const user of ['bob', 'carol'] as const) {
        expect((await api.call(user, 'GET', '/plugin-policies')).status).toBe(403);
        const write = await api.call(user, 'POST', '/plugin-policies', {
          pluginId: 'test.policy',
          effect: 'allow',
          groupIds: null,
        });
        expect(write.status).toBe(403);
      }
      const invalid = await api.call('alice', 'POST', '/plugin-policies', {
        pluginId: 'test.policy',
        effect: 'block',
        groupIds: null,
        startsAt: '2026-12-02T00:00:00Z',
        endsAt: '2026-12-01T00:00:00Z',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.message).toContain('endsAt: must be after startsAt');
      const unknownGroup = await api.call('alice', 'POST', '/plugin-policies', {
        pluginId: 'test.policy',
        effect: 'block',
        groupIds: [crypto.randomUUID()],
      });
      expect(unknownGroup.status).toBe(400);
    });

    it('blocks at once: hidden from users, instances blocked, launches refused, admins not exempt', async () => {
      const { instanceId } = (await consentAndLaunch('bob', 'test.policy')).body as {
        instanceId: string;
      };
      const adminLaunch = await consentAndLaunch('alice', 'test.policy');
      expect(adminLaunch.status).toBe(201);
      const ruleId = await addRule({ pluginId: 'test.policy' });
      const [created] = await auditEvents('plugin.policy.create');
      expect(created?.after).toMatchObject({ id: ruleId, effect: 'block', groupIds: null });

      expect((await api.call('bob', 'GET', `/plugin-instances/${instanceId}`)).body).toEqual({
        state: 'blocked',
        reason: 'An administrator blocked this plugin for everyone.',
      });
      const event = await api.call('bob', 'POST', `/plugin-instances/${instanceId}/events`, {
        action: 'plugin.data_read',
        columns: ['well'],
      });
      expect(event.body.state).toBe('blocked');
      const [recorded] = await auditEvents('plugin.data_read');
      expect(recorded).toMatchObject({ outcome: 'denied', source: 'client' });
      const listed = await api.call('bob', 'GET', '/plugins');
      expect(listed.body.plugins.map((plugin: { id: string }) => plugin.id)).not.toContain(
        'test.policy',
      );
      expect((await api.call('bob', 'GET', '/plugins/test.policy')).status).toBe(404);
      expect((await api.call('bob', 'POST', '/plugins/test.policy/launch', {})).status).toBe(404);

      const adminView = await api.call('alice', 'GET', '/plugins/test.policy');
      expect(adminView.body).toMatchObject({
        runnable: false,
        blockedReason: expect.stringContaining('blocked'),
      });
      const adminRefused = await api.call('alice', 'POST', '/plugins/test.policy/launch', {});
      expect(adminRefused.status).toBe(403);

      const rules = await api.call('alice', 'GET', '/plugin-policies');
      expect(rules.body.rules).toContainEqual(
        expect.objectContaining({ id: ruleId, active: true, createdBy: 'alice' }),
      );
      expect((await api.call('alice', 'DELETE', `/plugin-policies/${ruleId}`)).status).toBe(204);
      const [deleted] = await auditEvents('plugin.policy.delete');
      expect(deleted?.before).toMatchObject({ id: ruleId, effect: 'block' });
      expect((await api.call('bob', 'GET', `/plugin-instances/${instanceId}`)).body.state).toBe(
        'active',
      );
      expect((await api.call('alice', 'DELETE', `/plugin-policies/${ruleId}`)).status).toBe(404);
    });

    it('schedules a block: a window in the future does not bite yet, the current one does', async () => {
      const future = await addRule({
        pluginId: 'test.policy',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      expect((await api.call('bob', 'GET', '/plugins/test.policy')).body.runnable).toBe(true);
      const now = await addRule({
        pluginId: 'test.policy',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 60_000).toISOString(),
      });
      expect((await api.call('bob', 'GET', '/plugins/test.policy')).status).toBe(404);
      for (const id of [future, now]) {
        expect((await api.call('alice', 'DELETE', `/plugin-policies/${id}`)).status).toBe(204);
      }
    });

    it('blocks members of nested groups, and allow rules keep everyone else out', async () => {
      const db = api.server.store.db;
      const child = await insertGroup(db, 'policy-interns', { members: [api.ids.dave] });
      const parent = await insertGroup(db, 'policy-oncology', { subgroups: [child] });
      const block = await addRule({ pluginId: 'test.policy', groupIds: [parent] });
      expect((await api.call('dave', 'GET', '/plugins/test.policy')).status).toBe(404);
      expect((await api.call('bob', 'GET', '/plugins/test.policy')).status).toBe(200);
      expect((await api.call('alice', 'DELETE', `/plugin-policies/${block}`)).status).toBe(204);

      const allow = await addRule({ pluginId: 'test.policy', effect: 'allow', groupIds: [parent] });
      expect((await api.call('dave', 'GET', '/plugins/test.policy')).status).toBe(200);
      expect((await api.call('bob', 'GET', '/plugins/test.policy')).status).toBe(404);
      expect((await api.call('alice', 'DELETE', `/plugin-policies/${allow}`)).status).toBe(204);
    });
  });

  describe('the API and foreign origins', () => {
    it('refuses Origin: null from a cross-site (plugin) frame and never answers Access-Control-Allow-Origin', async () => {
      const refused = await api.clients.bob.fetch(`${api.server.url}/api/v1/plugins`, {
        headers: { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' },
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'forbidden_origin',
      );
      const fromPluginSite = await api.clients.bob.fetch(`${api.server.url}/api/v1/plugins`, {
        headers: { Origin: servers.pluginOrigin, 'Sec-Fetch-Site': 'cross-site' },
      });
      expect(fromPluginSite.status).toBe(403);
      for (const response of [
        refused,
        fromPluginSite,
        await api.clients.bob.fetch(`${api.server.url}/api/v1/plugins`),
      ]) {
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    it('lets the app frame the plugin site and nothing else', async () => {
      const page = await fetch(`${api.server.url}/`);
      expect(page.headers.get('content-security-policy')).toContain(
        `frame-src ${servers.pluginOrigin};`,
      );
    });
  });
});

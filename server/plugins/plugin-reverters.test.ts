import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';
import { pluginZip, testPlugin } from './testing.ts';
import { lastAuditEvent, deniedCount } from '../audit/testing.ts';

const { plugins, pluginFiles, pluginConsents, pluginPolicyRules } = schema;

let api: ApiTestServer;

function upload(user: DemoUser, zip: Uint8Array) {
  return api.call(user, 'POST', '/plugins', zip, { 'content-type': 'application/zip' });
}

function lastEvent(action: string, resourceId: string) {
  return lastAuditEvent(api.server.store.db, action, resourceId);
}

function denialCount(action: string, user: DemoUser) {
  return deniedCount(api.server.store.db, action, api.ids[user]);
}

function revert(user: DemoUser, eventId: string) {
  return api.call(user, 'POST', `/audit/${eventId}/revert`);
}

async function consentOf(user: DemoUser, pluginId: string) {
  const [row] = await api.server.store.db
    .select()
    .from(pluginConsents)
    .where(and(eq(pluginConsents.userId, api.ids[user]), eq(pluginConsents.pluginId, pluginId)));
  return row;
}

async function storedFiles(pluginId: string) {
  const rows = await api.server.store.db
    .select({ path: pluginFiles.path, content: pluginFiles.content })
    .from(pluginFiles)
    .where(eq(pluginFiles.pluginId, pluginId))
    .orderBy(asc(pluginFiles.path));
  return rows.map((row) => [row.path, Buffer.from(row.content).toString('hex')]);
}

async function setRole(user: DemoUser, systemRole: string) {
  const changed = await api.call('alice', 'PATCH', `/users/${api.ids[user]}`, { systemRole });
  expect(changed.status).toBe(200);
}

describe.each(storeTargets())('plugin reverters on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
    const uploaded = await upload(
      'alice',
      pluginZip(testPlugin({ id: 'test.revert', permissions: ['data:read'] })),
    );
    expect(uploaded.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  describe('plugin_policy_rule', () => {
    it('undoes a rule and restores a deleted one with its id, and records both', async () => {
      const created = await api.call('alice', 'POST', '/plugin-policies', {
        pluginId: 'test.revert',
        effect: 'block',
        groupIds: null,
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const [row] = await api.server.store.db
        .select()
        .from(pluginPolicyRules)
        .where(eq(pluginPolicyRules.id, id));
      expect((await api.call('alice', 'DELETE', `/plugin-policies/${id}`)).status).toBe(204);
      const deletion = await lastEvent('plugin.policy.delete', id);
      expect(deletion.details).toEqual({ snapshotId: expect.any(String) });
      const restored = await revert('alice', deletion.id);
      expect(restored.status).toBe(200);
      const [back] = await api.server.store.db
        .select()
        .from(pluginPolicyRules)
        .where(eq(pluginPolicyRules.id, id));
      expect(back).toEqual(row);
      // Reverting the deletion twice: the rule is no longer as the deletion left it.
      const twice = await revert('alice', deletion.id);
      expect(twice.status).toBe(409);
      expect(twice.body.error.laterEventId).toBe(restored.body.revert.id);
      // The creation's state is back, so the creation can be undone.
      const creation = await lastEvent('plugin.policy.create', id);
      expect((await revert('alice', creation.id)).status).toBe(200);
      expect(
        await api.server.store.db
          .select()
          .from(pluginPolicyRules)
          .where(eq(pluginPolicyRules.id, id)),
      ).toEqual([]);
    });

    it('lets only who may manage the policy now revert a rule, and audits it', async () => {
      await setRole('bob', 'admin');
      const created = await api.call('bob', 'POST', '/plugin-policies', {
        pluginId: 'test.revert',
        effect: 'allow',
        groupIds: null,
      });
      expect(created.status).toBe(201);
      const creation = await lastEvent('plugin.policy.create', created.body.id);
      await setRole('bob', 'user');
      const before = await denialCount('plugin.policy.manage', 'bob');
      expect((await revert('bob', creation.id)).status).toBe(403);
      expect(await denialCount('plugin.policy.manage', 'bob')).toBe(before + 1);
      expect((await revert('alice', creation.id)).status).toBe(200);
    });
  });

  describe('plugin_consent', () => {
    it('records consents per user, and reverts a grant and a revocation', async () => {
      const granted = await api.call('dave', 'PUT', '/plugins/test.revert/consent', {
        permissions: ['data:read'],
      });
      expect(granted.status).toBe(200);
      const resourceId = `test.revert/${api.ids.dave}`;
      const grant = await lastEvent('plugin.consent.grant', resourceId);
      expect(grant).toMatchObject({ resourceType: 'plugin_consent', actorPlugin: 'test.revert' });
      expect(grant.after).toMatchObject({ userId: api.ids.dave, permissions: ['data:read'] });
      expect((await revert('dave', grant.id)).status).toBe(200);
      expect(await consentOf('dave', 'test.revert')).toBeUndefined();

      await api.call('dave', 'PUT', '/plugins/test.revert/consent', { permissions: ['data:read'] });
      const grantedAt = (await consentOf('dave', 'test.revert'))?.grantedAt;
      expect((await api.call('dave', 'DELETE', '/plugins/test.revert/consent')).status).toBe(204);
      const revocation = await lastEvent('plugin.consent.revoke', resourceId);
      expect((await revert('dave', revocation.id)).status).toBe(200);
      expect(await consentOf('dave', 'test.revert')).toMatchObject({
        permissions: ['data:read'],
        grantedAt,
      });
    });

    it('lets an Admin withdraw a consent but never grant one for another user', async () => {
      await api.call('bob', 'PUT', '/plugins/test.revert/consent', { permissions: ['data:read'] });
      const resourceId = `test.revert/${api.ids.bob}`;
      const grant = await lastEvent('plugin.consent.grant', resourceId);
      // Another user learns nothing of bob's consent, let alone withdraws it.
      expect((await revert('dave', grant.id)).status).toBe(404);
      expect(await consentOf('bob', 'test.revert')).toBeDefined();
      expect((await revert('alice', grant.id)).status).toBe(200);
      expect(await consentOf('bob', 'test.revert')).toBeUndefined();

      const withdrawal = await lastEvent('audit.revert', resourceId);
      const before = await denialCount('plugin.consent', 'alice');
      const refused = await revert('alice', withdrawal.id);
      expect(refused.status).toBe(403);
      expect(await denialCount('plugin.consent', 'alice')).toBe(before + 1);
      expect(await consentOf('bob', 'test.revert')).toBeUndefined();
    });

    it('grants a consent again only while the plugin policy lets its user run the plugin', async () => {
      await api.call('carol', 'PUT', '/plugins/test.revert/consent', {
        permissions: ['data:read'],
      });
      await api.call('carol', 'DELETE', '/plugins/test.revert/consent');
      const revocation = await lastEvent('plugin.consent.revoke', `test.revert/${api.ids.carol}`);
      const block = await api.call('alice', 'POST', '/plugin-policies', {
        pluginId: 'test.revert',
        effect: 'block',
        groupIds: null,
      });
      const before = await denialCount('plugin.consent', 'carol');
      const refused = await revert('carol', revocation.id);
      expect([403, 404]).toContain(refused.status);
      expect(await denialCount('plugin.consent', 'carol')).toBe(before + 1);
      expect(await consentOf('carol', 'test.revert')).toBeUndefined();
      await api.call('alice', 'DELETE', `/plugin-policies/${block.body.id}`);
      expect((await revert('carol', revocation.id)).status).toBe(200);
    });
  });

  describe('plugin', () => {
    it('puts a removed upload back with its files, and undoes a replacement', async () => {
      const first = testPlugin({ id: 'test.revert-upload', version: '1.0.0' });
      expect((await upload('alice', pluginZip(first))).status).toBe(201);
      const filesBefore = await storedFiles('test.revert-upload');
      expect(
        (
          await upload(
            'alice',
            pluginZip(testPlugin({ id: 'test.revert-upload', version: '2.0.0' })),
          )
        ).status,
      ).toBe(201);
      const replacement = await lastEvent('plugin.replace', 'test.revert-upload');
      expect(replacement.details).toEqual({ snapshotId: expect.any(String) });
      expect((await revert('alice', replacement.id)).status).toBe(200);
      const [row] = await api.server.store.db
        .select()
        .from(plugins)
        .where(eq(plugins.id, 'test.revert-upload'));
      expect((row?.manifest as { version: string }).version).toBe('1.0.0');
      expect(await storedFiles('test.revert-upload')).toEqual(filesBefore);

      expect((await api.call('alice', 'DELETE', '/plugins/test.revert-upload')).status).toBe(204);
      const removal = await lastEvent('plugin.delete', 'test.revert-upload');
      expect((await revert('alice', removal.id)).status).toBe(200);
      expect(await storedFiles('test.revert-upload')).toEqual(filesBefore);
      expect((await api.call('dave', 'GET', '/plugins/test.revert-upload')).status).toBe(200);
    });

    it('undoes an upload only for who may remove plugins, and names a later change', async () => {
      const zip = pluginZip(testPlugin({ id: 'test.revert-new' }));
      expect((await upload('alice', zip)).status).toBe(201);
      const creation = await lastEvent('plugin.upload', 'test.revert-new');
      const newer = pluginZip(testPlugin({ id: 'test.revert-new', version: '2.0.0' }));
      expect((await upload('alice', newer)).status).toBe(201);
      const again = await lastEvent('plugin.replace', 'test.revert-new');
      const refused = await revert('alice', creation.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.laterEventId).toBe(again.id);

      await setRole('bob', 'admin');
      expect((await upload('bob', pluginZip(testPlugin({ id: 'test.revert-bob' })))).status).toBe(
        201,
      );
      const bobs = await lastEvent('plugin.upload', 'test.revert-bob');
      await setRole('bob', 'user');
      const before = await denialCount('plugin.delete', 'bob');
      expect([403, 404]).toContain((await revert('bob', bobs.id)).status);
      expect(await denialCount('plugin.delete', 'bob')).toBe(before + 1);
      expect((await revert('alice', bobs.id)).status).toBe(200);
      expect((await api.call('alice', 'GET', '/plugins/test.revert-bob')).status).toBe(404);
    });
  });
});

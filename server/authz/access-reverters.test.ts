import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';
import { lastAuditEvent, deniedCount } from '../audit/testing.ts';

const { accessRules, accessRuleGroups, projects } = schema;

let api: ApiTestServer;
let counter = 0;

function unique(name: string) {
  counter += 1;
  return `${name}-${counter}`;
}

async function newGroup(): Promise<string> {
  const created = await api.call('alice', 'POST', '/groups', { name: unique('access revert') });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function newRule(groupIds: string[], user: DemoUser = 'alice') {
  const created = await api.call(user, 'POST', '/access/rules', {
    tagKey: 'sensitivity',
    tagValue: unique('restricted'),
    groupIds,
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; tagKey: string; tagValue: string };
}

function lastEvent(action: string, resourceId: string) {
  return lastAuditEvent(api.server.store.db, action, resourceId);
}

function denialCount(action: string, user: DemoUser) {
  return deniedCount(api.server.store.db, action, api.ids[user]);
}

async function ruleRow(id: string) {
  const [row] = await api.server.store.db.select().from(accessRules).where(eq(accessRules.id, id));
  return row;
}

async function ruleGroupIds(id: string) {
  const rows = await api.server.store.db
    .select({ groupId: accessRuleGroups.groupId })
    .from(accessRuleGroups)
    .where(eq(accessRuleGroups.ruleId, id));
  return rows.map((row) => row.groupId).sort();
}

function revert(user: DemoUser, eventId: string) {
  return api.call(user, 'POST', `/audit/${eventId}/revert`);
}

describe.each(storeTargets())('access reverters on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  describe('access_rule', () => {
    it('undoes a creation, and its revert puts the rule back with its id', async () => {
      const group = await newGroup();
      const rule = await newRule([group]);
      const creation = await lastEvent('access.rule.create', rule.id);
      const reverted = await revert('alice', creation.id);
      expect(reverted.status).toBe(200);
      expect(await ruleRow(rule.id)).toBeUndefined();
      const redone = await revert('alice', reverted.body.revert.id);
      expect(redone.status).toBe(200);
      expect(await ruleRow(rule.id)).toMatchObject({ tagValue: rule.tagValue });
      expect(await ruleGroupIds(rule.id)).toEqual([group]);
    });

    it('reverts a regrouping, and refuses one a later change overtook', async () => {
      const [a, b, c] = [await newGroup(), await newGroup(), await newGroup()];
      const rule = await newRule([a]);
      await api.call('alice', 'PUT', `/access/rules/${rule.id}`, { groupIds: [b, a] });
      const first = await lastEvent('access.rule.update', rule.id);
      await api.call('alice', 'PUT', `/access/rules/${rule.id}`, { groupIds: [c] });
      const second = await lastEvent('access.rule.update', rule.id);
      const refused = await revert('alice', first.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.laterEventId).toBe(second.id);
      expect((await revert('alice', second.id)).status).toBe(200);
      expect(await ruleGroupIds(rule.id)).toEqual([a, b].sort());
      expect((await revert('alice', first.id)).status).toBe(200);
      expect(await ruleGroupIds(rule.id)).toEqual([a]);
    });

    it('restores a deleted rule with its id, groups and creator from its snapshot', async () => {
      const [a, b] = [await newGroup(), await newGroup()];
      const rule = await newRule([a, b]);
      const created = await ruleRow(rule.id);
      expect((await api.call('alice', 'DELETE', `/access/rules/${rule.id}`)).status).toBe(204);
      const deletion = await lastEvent('access.rule.delete', rule.id);
      expect(deletion.details).toEqual({ snapshotId: expect.any(String) });
      const reverted = await revert('alice', deletion.id);
      expect(reverted.status).toBe(200);
      expect(await ruleRow(rule.id)).toEqual(created);
      expect(await ruleGroupIds(rule.id)).toEqual([a, b].sort());
      expect(reverted.body.revert.after).toEqual(deletion.before);
    });

    it('refuses to restore a rule whose group or tag is taken or gone', async () => {
      const group = await newGroup();
      const rule = await newRule([group]);
      await api.call('alice', 'DELETE', `/access/rules/${rule.id}`);
      const deletion = await lastEvent('access.rule.delete', rule.id);
      const rival = await api.call('alice', 'POST', '/access/rules', {
        tagKey: rule.tagKey,
        tagValue: rule.tagValue,
        groupIds: [],
      });
      expect(rival.status).toBe(201);
      const taken = await revert('alice', deletion.id);
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('rule_exists');
      await api.call('alice', 'DELETE', `/access/rules/${rival.body.id}`);
      await api.call('alice', 'DELETE', `/groups/${group}`);
      const gone = await revert('alice', deletion.id);
      expect(gone.status).toBe(409);
      expect(gone.body.error.code).toBe('revert_blocked');
      expect(await ruleRow(rule.id)).toBeUndefined();
    });

    it('lets only who may manage rules now revert, and audits the refusal', async () => {
      expect(
        (await api.call('alice', 'PATCH', `/users/${api.ids.bob}`, { systemRole: 'admin' })).status,
      ).toBe(200);
      const rule = await newRule([], 'bob');
      const creation = await lastEvent('access.rule.create', rule.id);
      await api.call('alice', 'PATCH', `/users/${api.ids.bob}`, { systemRole: 'user' });
      const before = await denialCount('access.rules.manage', 'bob');
      const refused = await revert('bob', creation.id);
      expect(refused.status).toBe(403);
      expect(await denialCount('access.rules.manage', 'bob')).toBe(before + 1);
      expect(await ruleRow(rule.id)).toBeDefined();
      expect((await revert('dave', creation.id)).status).toBe(404);
    });
  });

  describe('access.tags.update', () => {
    it('puts tags back on the resource, and refuses when changed since', async () => {
      const project = await api.call('dave', 'POST', '/projects', { name: unique('tagged') });
      const id = project.body.id as string;
      const tags = (value: string) =>
        api.call('alice', 'PUT', `/access/tags/project/${id}`, { tags: { sensitivity: value } });
      expect((await tags('internal')).status).toBe(200);
      const first = await lastEvent('access.tags.update', id);
      expect(first.resourceType).toBe('project');
      await tags('restricted');
      const second = await lastEvent('access.tags.update', id);
      const refused = await revert('alice', first.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.laterEventId).toBe(second.id);
      expect((await revert('alice', second.id)).status).toBe(200);
      const [row] = await api.server.store.db.select().from(projects).where(eq(projects.id, id));
      expect(row?.tags).toEqual({ sensitivity: 'internal' });
      // Dave owns the project, sees the event, but only Admins tag resources.
      const before = await denialCount('access.tags.manage', 'dave');
      const forbidden = await revert('dave', first.id);
      expect(forbidden.status).toBe(403);
      expect(await denialCount('access.tags.manage', 'dave')).toBe(before + 1);
      expect((await revert('alice', first.id)).status).toBe(200);
      const [after] = await api.server.store.db.select().from(projects).where(eq(projects.id, id));
      expect(after?.tags).toEqual({});
    });
  });
});

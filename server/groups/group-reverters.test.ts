import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';
import { lastAuditEvent } from '../audit/testing.ts';

const { auditEvents, groups, groupMembers, groupNesting, projectMembers } = schema;

let api: ApiTestServer;
let counter = 0;

function unique(name: string) {
  counter += 1;
  return `revert ${name} ${counter}`;
}

async function newGroup(name = unique('group')): Promise<string> {
  const created = await api.call('alice', 'POST', '/groups', { name });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** The newest successful event of this action on this resource. */
function lastEvent(action: string, resourceId: string) {
  return lastAuditEvent(api.server.store.db, action, resourceId);
}

function revert(user: DemoUser, eventId: string) {
  return api.call(user, 'POST', `/audit/${eventId}/revert`);
}

async function groupRow(id: string) {
  const [row] = await api.server.store.db.select().from(groups).where(eq(groups.id, id));
  return row;
}

async function membersOf(id: string) {
  return api.server.store.db
    .select({ userId: groupMembers.userId, admin: groupMembers.admin })
    .from(groupMembers)
    .where(eq(groupMembers.groupId, id))
    .orderBy(asc(groupMembers.userId));
}

async function denials(action: string, user: DemoUser) {
  return api.server.store.db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, action),
        eq(auditEvents.outcome, 'denied'),
        eq(auditEvents.actorUserId, api.ids[user]),
      ),
    );
}

describe.each(storeTargets())('group reverters on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  describe('group', () => {
    it('reverts a rename, records the revert, and refuses it twice naming the revert', async () => {
      const id = await newGroup();
      const old = (await groupRow(id))?.name;
      expect(
        (await api.call('alice', 'PATCH', `/groups/${id}`, { name: unique('new') })).status,
      ).toBe(200);
      const rename = await lastEvent('group.update', id);
      const reverted = await revert('alice', rename.id);
      expect(reverted.status).toBe(200);
      expect((await groupRow(id))?.name).toBe(old);
      expect(reverted.body.revert).toMatchObject({
        action: 'audit.revert',
        resourceType: 'group',
        resourceId: id,
        before: rename.after,
        after: rename.before,
        details: { revertedEventId: rename.id, revertedAction: 'group.update' },
      });
      const again = await revert('alice', rename.id);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('revert_conflict');
      expect(again.body.error.laterEventId).toBe(reverted.body.revert.id);
      expect(again.body.error.message).toContain(reverted.body.revert.id);
    });

    it('refuses to revert a rename that a later rename overtook, naming it', async () => {
      const id = await newGroup();
      await api.call('alice', 'PATCH', `/groups/${id}`, { name: unique('first') });
      const first = await lastEvent('group.update', id);
      await api.call('alice', 'PATCH', `/groups/${id}`, { name: unique('second') });
      const second = await lastEvent('group.update', id);
      const refused = await revert('alice', first.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.laterEventId).toBe(second.id);
      expect(refused.body.error.message).toContain(`${second.id} (group.update by alice`);
      expect((await groupRow(id))?.name).toBe((second.after as { name: string }).name);
    });

    it('refuses a revert to a name another group took since', async () => {
      const id = await newGroup();
      const old = (await groupRow(id))?.name as string;
      await api.call('alice', 'PATCH', `/groups/${id}`, { name: unique('moved') });
      const rename = await lastEvent('group.update', id);
      await newGroup(old.toUpperCase());
      const refused = await revert('alice', rename.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('name_taken');
    });

    it('restores a deleted group with its id, members, nesting and grants', async () => {
      const parent = await newGroup();
      const id = await newGroup();
      const child = await newGroup();
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.bob}`, { admin: true });
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      await api.call('alice', 'PUT', `/groups/${parent}/subgroups/${id}`);
      await api.call('alice', 'PUT', `/groups/${id}/subgroups/${child}`);
      // Dave's project, which bob (a group admin) cannot see: its grant must come back too.
      const project = await api.call('dave', 'POST', '/projects', { name: unique('project') });
      await api.call('dave', 'PUT', `/projects/${project.body.id}/members`, {
        principal: { type: 'group', id },
        role: 'editor',
      });
      const name = (await groupRow(id))?.name;
      expect((await api.call('bob', 'DELETE', `/groups/${id}`)).status).toBe(204);
      const deletion = await lastEvent('group.delete', id);
      expect(deletion.details).toEqual({ snapshotId: expect.any(String) });
      expect(await groupRow(id)).toBeUndefined();

      const reverted = await revert('alice', deletion.id);
      expect(reverted.status).toBe(200);
      expect(await groupRow(id)).toMatchObject({ id, name, source: 'local' });
      expect(await membersOf(id)).toEqual(
        [
          { userId: api.ids.bob, admin: true },
          { userId: api.ids.dave, admin: false },
        ].sort((a, b) => a.userId.localeCompare(b.userId)),
      );
      const nesting = await api.server.store.db.select().from(groupNesting);
      expect(nesting).toEqual(
        expect.arrayContaining([
          { parentGroupId: parent, childGroupId: id },
          { parentGroupId: id, childGroupId: child },
        ]),
      );
      const grants = await api.server.store.db
        .select({ projectId: projectMembers.projectId, role: projectMembers.role })
        .from(projectMembers)
        .where(eq(projectMembers.groupId, id));
      expect(grants).toEqual([{ projectId: project.body.id, role: 'editor' }]);
      expect(reverted.body.revert.after).toEqual(deletion.before);

      // Reverting the revert deletes it again; reverting that brings it back once more.
      const redo = await revert('alice', reverted.body.revert.id);
      expect(redo.status).toBe(200);
      expect(await groupRow(id)).toBeUndefined();
      expect(redo.body.revert.details.snapshotId).toEqual(expect.any(String));
      const undoRedo = await revert('alice', redo.body.revert.id);
      expect(undoRedo.status).toBe(200);
      expect(await membersOf(id)).toHaveLength(2);
    });

    it('refuses to restore a group whose nesting would now close a cycle', async () => {
      const parent = await newGroup();
      const id = await newGroup();
      const child = await newGroup();
      await api.call('alice', 'PUT', `/groups/${parent}/subgroups/${id}`);
      await api.call('alice', 'PUT', `/groups/${id}/subgroups/${child}`);
      expect((await api.call('alice', 'DELETE', `/groups/${id}`)).status).toBe(204);
      const deletion = await lastEvent('group.delete', id);
      // Meanwhile the former child came to contain the former parent.
      expect((await api.call('alice', 'PUT', `/groups/${child}/subgroups/${parent}`)).status).toBe(
        200,
      );
      const refused = await revert('alice', deletion.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('group_cycle');
      expect(await groupRow(id)).toBeUndefined();
    });

    it('undoes a creation by deleting the group, and refuses once it has members', async () => {
      const id = await newGroup();
      const creation = await lastEvent('group.create', id);
      const reverted = await revert('alice', creation.id);
      expect(reverted.status).toBe(200);
      expect(await groupRow(id)).toBeUndefined();

      const kept = await newGroup();
      await api.call('alice', 'PUT', `/groups/${kept}/members/${api.ids.dave}`);
      const refused = await revert('alice', (await lastEvent('group.create', kept)).id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('revert_conflict');
      expect(await groupRow(kept)).toBeDefined();
    });

    it('lets only who may make the change now revert it, and audits the refusal', async () => {
      const id = await newGroup();
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.bob}`, { admin: true });
      expect(
        (await api.call('bob', 'PATCH', `/groups/${id}`, { name: unique('bobs') })).status,
      ).toBe(200);
      const rename = await lastEvent('group.update', id);
      // Bob is no longer a group admin: he may not rename the group now, so not revert either.
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.bob}`, { admin: false });
      const before = (await denials('group.update', 'bob')).length;
      const refused = await revert('bob', rename.id);
      expect(refused.status).toBe(403);
      expect((await denials('group.update', 'bob')).length).toBe(before + 1);
      expect((await groupRow(id))?.name).toBe((rename.after as { name: string }).name);
      // Dave may not even see the event.
      expect((await revert('dave', rename.id)).status).toBe(404);
    });
  });

  describe('group_member', () => {
    it('reverts adding a member and removing one, with conflicts named', async () => {
      const id = await newGroup();
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      const added = await lastEvent('group.members.update', `${id}/${api.ids.dave}`);
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`, { admin: true });
      const promoted = await lastEvent('group.members.update', `${id}/${api.ids.dave}`);
      const conflict = await revert('alice', added.id);
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.laterEventId).toBe(promoted.id);
      expect((await revert('alice', promoted.id)).status).toBe(200);
      expect((await revert('alice', added.id)).status).toBe(200);
      expect(await membersOf(id)).toEqual([]);

      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.carol}`);
      await api.call('alice', 'DELETE', `/groups/${id}/members/${api.ids.carol}`);
      const removed = await lastEvent('group.members.remove', `${id}/${api.ids.carol}`);
      expect((await revert('alice', removed.id)).status).toBe(200);
      expect(await membersOf(id)).toEqual([{ userId: api.ids.carol, admin: false }]);
    });

    it('keeps the admin flag with Admins: a group admin may not undo stepping down', async () => {
      const id = await newGroup();
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.bob}`, { admin: true });
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.carol}`, { admin: true });
      expect((await api.call('bob', 'DELETE', `/groups/${id}/members/${api.ids.bob}`)).status).toBe(
        204,
      );
      const steppedDown = await lastEvent('group.members.remove', `${id}/${api.ids.bob}`);
      const before = (await denials('group.members.manage', 'bob')).length;
      const refused = await revert('bob', steppedDown.id);
      expect(refused.status).toBe(403);
      expect((await denials('group.members.manage', 'bob')).length).toBe(before + 1);
      expect(await membersOf(id)).toEqual([{ userId: api.ids.carol, admin: true }]);
      // Carol, a group admin, sees the group but not bob's event; an Admin may revert it.
      expect((await revert('carol', steppedDown.id)).status).toBe(404);
      expect((await revert('alice', steppedDown.id)).status).toBe(200);
      expect(await membersOf(id)).toContainEqual({ userId: api.ids.bob, admin: true });
    });

    it('refuses to put a member back into a group that is gone', async () => {
      const id = await newGroup();
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      await api.call('alice', 'DELETE', `/groups/${id}/members/${api.ids.dave}`);
      const removed = await lastEvent('group.members.remove', `${id}/${api.ids.dave}`);
      await api.call('alice', 'DELETE', `/groups/${id}`);
      const refused = await revert('alice', removed.id);
      expect(refused.status).toBe(409);
      expect(await groupRow(id)).toBeUndefined();
    });
  });

  describe('group_nesting', () => {
    it('reverts nesting and unnesting, and refuses a cycle with 409', async () => {
      const a = await newGroup();
      const b = await newGroup();
      await api.call('alice', 'PUT', `/groups/${a}/subgroups/${b}`);
      const nested = await lastEvent('group.subgroups.add', `${a}/${b}`);
      expect((await revert('alice', nested.id)).status).toBe(200);
      expect(
        await api.server.store.db
          .select()
          .from(groupNesting)
          .where(eq(groupNesting.parentGroupId, a)),
      ).toEqual([]);

      await api.call('alice', 'PUT', `/groups/${a}/subgroups/${b}`);
      await api.call('alice', 'DELETE', `/groups/${a}/subgroups/${b}`);
      const unnested = await lastEvent('group.subgroups.remove', `${a}/${b}`);
      await api.call('alice', 'PUT', `/groups/${b}/subgroups/${a}`);
      const refused = await revert('alice', unnested.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('group_cycle');
      await api.call('alice', 'DELETE', `/groups/${b}/subgroups/${a}`);
      expect((await revert('alice', unnested.id)).status).toBe(200);
      expect(
        await api.server.store.db
          .select()
          .from(groupNesting)
          .where(eq(groupNesting.parentGroupId, a)),
      ).toEqual([{ parentGroupId: a, childGroupId: b }]);
    });

    it('refuses a caller who may not manage the parent, and audits it', async () => {
      const a = await newGroup();
      const b = await newGroup();
      await api.call('alice', 'PUT', `/groups/${a}/members/${api.ids.bob}`, { admin: true });
      await api.call('bob', 'PUT', `/groups/${a}/subgroups/${b}`);
      const nested = await lastEvent('group.subgroups.add', `${a}/${b}`);
      await api.call('alice', 'DELETE', `/groups/${a}/members/${api.ids.bob}`);
      const before = (await denials('group.members.manage', 'bob')).length;
      const refused = await revert('bob', nested.id);
      expect(refused.status).toBe(403);
      expect((await denials('group.members.manage', 'bob')).length).toBe(before + 1);
    });
  });
});

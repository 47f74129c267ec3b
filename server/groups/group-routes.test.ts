import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertGroup } from '../authz/testing.ts';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

const { auditEvents, groups, groupMembers, groupNesting } = schema;

let api: ApiTestServer;

let counter = 0;
/** A name no other test uses, since every test shares one server. */
function unique(name: string) {
  counter += 1;
  return `${name} ${counter}`;
}

async function newGroup(name = unique('group')): Promise<string> {
  const created = await api.call('alice', 'POST', '/groups', { name });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function directoryGroup(source: 'ldap' | 'oidc'): Promise<string> {
  const id = crypto.randomUUID();
  await api.server.store.db
    .insert(groups)
    .values({ id, name: unique(`${source} staff`), source, createdAt: new Date() });
  await api.server.store.db.insert(groupMembers).values({ groupId: id, userId: api.ids.dave });
  return id;
}

async function makeAdmin(groupId: string, user: DemoUser) {
  const put = await api.call('alice', 'PUT', `/groups/${groupId}/members/${api.ids[user]}`, {
    admin: true,
  });
  expect(put.status).toBe(200);
}

function auditOf(action: string, resourceId?: string) {
  return api.server.store.db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, action),
        resourceId ? eq(auditEvents.resourceId, resourceId) : undefined,
      ),
    )
    .orderBy(asc(auditEvents.seq));
}

async function snapshot() {
  const db = api.server.store.db;
  const [all, members, nesting] = await Promise.all([
    db.select().from(groups).orderBy(asc(groups.id)),
    db.select().from(groupMembers).orderBy(asc(groupMembers.groupId), asc(groupMembers.userId)),
    db
      .select()
      .from(groupNesting)
      .orderBy(asc(groupNesting.parentGroupId), asc(groupNesting.childGroupId)),
  ]);
  return JSON.stringify({ all, members, nesting });
}

async function groupOf(user: DemoUser, id: string) {
  const list = await api.call(user, 'GET', '/groups');
  expect(list.status).toBe(200);
  return (list.body.groups as { id: string }[]).find((group) => group.id === id) as
    | {
        id: string;
        name: string;
        source: string;
        memberCount: number;
        members: { id: string; username: string; admin: boolean }[];
        subgroups: { id: string; name: string }[];
        allowedActions: string[];
      }
    | undefined;
}

// Also on a real PostgreSQL server when TEST_DATABASE_URL names one: there the request role is
// not a superuser and concurrent requests really run at once.
describe.each(storeTargets())('groups on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  describe('listing groups', () => {
    it('shows every signed-in user the groups with members, subgroups and what they may do', async () => {
      const parent = await newGroup();
      const child = await newGroup();
      await makeAdmin(parent, 'bob');
      await api.call('alice', 'PUT', `/groups/${parent}/members/${api.ids.dave}`);
      await api.call('alice', 'PUT', `/groups/${parent}/subgroups/${child}`);
      for (const user of ['alice', 'bob', 'carol', 'dave'] as const) {
        const group = await groupOf(user, parent);
        expect(group?.source).toBe('local');
        expect(group?.memberCount).toBe(2);
        expect(group?.members.map((member) => [member.username, member.admin])).toEqual([
          ['bob', true],
          ['dave', false],
        ]);
        expect(group?.subgroups.map((subgroup) => subgroup.id)).toEqual([child]);
      }
      const manage = ['group.update', 'group.delete', 'group.members.manage'];
      expect((await groupOf('alice', parent))?.allowedActions).toEqual(
        expect.arrayContaining([...manage, 'group.admins.manage']),
      );
      // A group admin renames, deletes and manages members; the admin flag stays with Admins.
      expect((await groupOf('bob', parent))?.allowedActions).toEqual(manage);
      expect((await groupOf('bob', child))?.allowedActions).toEqual([]);
      expect((await groupOf('dave', parent))?.allowedActions).toEqual([]);
    });
  });

  describe('creating groups', () => {
    it('is for Admins only; every refusal is audited and changes nothing', async () => {
      const before = await snapshot();
      for (const user of ['bob', 'carol', 'dave'] as const) {
        const refused = await api.call(user, 'POST', '/groups', { name: unique('mine') });
        expect(refused.status).toBe(403);
        expect(refused.body.error.code).toBe('forbidden');
      }
      expect(await snapshot()).toBe(before);
      const denials = (await auditOf('group.create')).filter((event) => event.outcome === 'denied');
      expect(denials.map((event) => event.actorUserId)).toEqual(
        expect.arrayContaining([api.ids.bob, api.ids.carol, api.ids.dave]),
      );
    });

    it('records the new group, and refuses a name taken in any case', async () => {
      const name = unique('Oncology');
      const created = await api.call('alice', 'POST', '/groups', { name: `  ${name}  ` });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name, source: 'local', memberCount: 0, members: [] });
      const [event] = await auditOf('group.create', created.body.id);
      expect(event).toMatchObject({ outcome: 'ok', actorUserId: api.ids.alice, before: null });
      expect(event?.after).toMatchObject({ id: created.body.id, name, source: 'local' });

      const before = await snapshot();
      for (const variant of [name, name.toUpperCase(), name.toLowerCase()]) {
        const clash = await api.call('alice', 'POST', '/groups', { name: variant });
        expect(clash.status).toBe(409);
        expect(clash.body.error.code).toBe('name_taken');
      }
      expect(await snapshot()).toBe(before);
    });

    it('keeps SQL in a name as plain text', async () => {
      const name = unique("x'); drop table groups; --");
      const created = await api.call('alice', 'POST', '/groups', { name });
      expect(created.status).toBe(201);
      expect((await groupOf('dave', created.body.id))?.name).toBe(name);
    });

    it('refuses bad input with 400 and changes nothing', async () => {
      const before = await snapshot();
      const bodies: unknown[] = [
        {},
        { name: 42 },
        { name: ['a'] },
        { name: '' },
        { name: '   ' },
        { name: 'x'.repeat(201) },
        { name: 'tab\there' },
        { name: 'nul\u0000here' },
        { name: 'bidi\u202eevil' },
        { name: 'ok', source: 'ldap' },
        { name: 'ok', id: crypto.randomUUID() },
        'not json',
        null,
      ];
      for (const body of bodies) {
        const response = await api.call(
          'alice',
          'POST',
          '/groups',
          typeof body === 'string' ? body : JSON.stringify(body),
          { 'content-type': 'application/json' },
        );
        expect(response.status, JSON.stringify(body)).toBe(400);
      }
      expect(await snapshot()).toBe(before);
    });
  });

  describe('renaming and deleting groups', () => {
    it('lets Admins and the group admin rename, and no one else', async () => {
      const id = await newGroup();
      const other = await newGroup();
      await makeAdmin(id, 'bob');
      await makeAdmin(id, 'carol');
      const name = unique('renamed');
      const renamed = await api.call('bob', 'PATCH', `/groups/${id}`, { name });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe(name);
      const [event] = await auditOf('group.update', id);
      expect(event?.before).toMatchObject({ id, source: 'local' });
      expect(event?.after).toMatchObject({ id, name });

      const before = await snapshot();
      expect((await api.call('bob', 'PATCH', `/groups/${other}`, { name: 'x' })).status).toBe(403);
      expect((await api.call('dave', 'PATCH', `/groups/${id}`, { name: 'x' })).status).toBe(403);
      // A Viewer stays read-only even as a group admin.
      expect((await api.call('carol', 'PATCH', `/groups/${id}`, { name: 'x' })).status).toBe(403);
      expect((await api.call('carol', 'DELETE', `/groups/${id}`)).status).toBe(403);
      expect(await snapshot()).toBe(before);
      const denied = (await auditOf('group.update', other)).filter((e) => e.outcome === 'denied');
      expect(denied).toHaveLength(1);
      expect(denied[0]?.actorUserId).toBe(api.ids.bob);
    });

    it('refuses a name another group has in any case, but allows changing the own case', async () => {
      const first = unique('Chemistry');
      await newGroup(first);
      const id = await newGroup(unique('Biology'));
      const clash = await api.call('alice', 'PATCH', `/groups/${id}`, {
        name: first.toUpperCase(),
      });
      expect(clash.status).toBe(409);
      expect(clash.body.error.code).toBe('name_taken');
      const own = (await groupOf('alice', id))?.name ?? '';
      const recased = await api.call('alice', 'PATCH', `/groups/${id}`, {
        name: own.toUpperCase(),
      });
      expect(recased.status).toBe(200);
    });

    it('deletes a group with its memberships and grants, recording all of it', async () => {
      const id = await newGroup();
      const parent = await newGroup();
      const child = await newGroup();
      await makeAdmin(id, 'bob');
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      await api.call('alice', 'PUT', `/groups/${parent}/subgroups/${id}`);
      await api.call('alice', 'PUT', `/groups/${id}/subgroups/${child}`);
      // Dave's project, which bob cannot see: its grant goes too, and the record keeps it.
      const project = await api.call('dave', 'POST', '/projects', { name: unique('shared') });
      await api.call('dave', 'PUT', `/projects/${project.body.id}/members`, {
        principal: { type: 'group', id },
        role: 'editor',
      });
      expect((await api.call('dave', 'DELETE', `/groups/${id}`)).status).toBe(403);
      expect((await api.call('alice', 'DELETE', `/groups/${id}`)).status).toBe(204);
      expect(await groupOf('alice', id)).toBeUndefined();
      expect((await groupOf('alice', parent))?.subgroups).toEqual([]);
      const [event] = (await auditOf('group.delete', id)).filter((e) => e.outcome === 'ok');
      expect(event).toMatchObject({ outcome: 'ok', actorUserId: api.ids.alice, after: null });
      expect(event?.before).toEqual({
        id,
        name: expect.any(String),
        source: 'local',
        members: expect.arrayContaining([
          { userId: api.ids.bob, admin: true },
          { userId: api.ids.dave, admin: false },
        ]),
        subgroupIds: [child],
        parentGroupIds: [parent],
        projectGrants: [{ projectId: project.body.id, role: 'editor' }],
        connectionGrants: [],
        accessRuleIds: [],
      });
      expect((await api.call('bob', 'DELETE', `/groups/${id}`)).status).toBe(404);
    });

    it('lets a group admin delete the group they administer, and no other group', async () => {
      const id = await newGroup();
      const other = await newGroup();
      const parent = await newGroup();
      await makeAdmin(id, 'bob');
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      await makeAdmin(other, 'dave');
      // Bob belongs to the parent through his group, which gives him no say over it.
      await api.call('alice', 'PUT', `/groups/${parent}/subgroups/${id}`);
      // A grant on dave's project, which bob cannot see: it goes with the group all the same.
      const project = await api.call('dave', 'POST', '/projects', { name: unique('hidden') });
      const projectId = project.body.id as string;
      await api.call('dave', 'PUT', `/projects/${projectId}/members`, {
        principal: { type: 'group', id },
        role: 'viewer',
      });

      const before = await snapshot();
      const refusals: [DemoUser, string][] = [
        ['dave', id], // a plain member (and the admin of another group)
        ['bob', other], // the admin of another group
        ['bob', parent], // a member through nesting
      ];
      for (const [user, target] of refusals) {
        const refused = await api.call(user, 'DELETE', `/groups/${target}`);
        expect(refused.status, `${user} deletes ${target}`).toBe(403);
        expect(refused.body.error.code).toBe('forbidden');
      }
      expect(await snapshot()).toBe(before);
      for (const [user, target] of refusals) {
        const denials = (await auditOf('group.delete', target)).filter(
          (event) => event.outcome === 'denied' && event.actorUserId === api.ids[user],
        );
        expect(denials, `${user} deletes ${target}`).toHaveLength(1);
      }

      expect((await api.call('bob', 'DELETE', `/groups/${id}`)).status).toBe(204);
      expect(await groupOf('alice', id)).toBeUndefined();
      expect(await groupOf('alice', other)).toBeDefined();
      expect((await groupOf('alice', parent))?.subgroups).toEqual([]);
      const [deleted] = (await auditOf('group.delete', id)).filter((e) => e.outcome === 'ok');
      expect(deleted).toMatchObject({ actorUserId: api.ids.bob, after: null });
      expect(deleted?.before).toMatchObject({
        projectGrants: [{ projectId, role: 'viewer' }],
        parentGroupIds: [parent],
      });
      const members = await api.call('dave', 'GET', `/projects/${projectId}/members`);
      expect(members.body.members).toEqual([
        { principal: { type: 'user', id: api.ids.dave, name: 'dave' }, role: 'owner' },
      ]);
    });

    it('refuses to delete the only owner of a project', async () => {
      const id = await newGroup();
      await makeAdmin(id, 'bob');
      const project = await api.call('bob', 'POST', '/projects', { name: unique('owned') });
      const projectId = project.body.id as string;
      await api.call('bob', 'PUT', `/projects/${projectId}/members`, {
        principal: { type: 'group', id },
        role: 'owner',
      });
      expect(
        (await api.call('bob', 'DELETE', `/projects/${projectId}/members/user/${api.ids.bob}`))
          .status,
      ).toBe(204);
      const before = await snapshot();
      const refused = await api.call('alice', 'DELETE', `/groups/${id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('last_owner');
      expect(await snapshot()).toBe(before);
    });

    it('refuses to delete the last group through which an enabled user owns a project', async () => {
      const db = api.server.store.db;
      const id = await newGroup();
      await makeAdmin(id, 'bob');
      // Owner grants that reach nobody once the group is gone: an empty group, and a group whose
      // only members are those of the group itself, nested in it.
      const empty = await insertGroup(db, unique('empty'));
      const outer = await insertGroup(db, unique('outer'), { subgroups: [id] });
      const project = await api.call('bob', 'POST', '/projects', { name: unique('owned') });
      const projectId = project.body.id as string;
      for (const owner of [id, empty, outer]) {
        const granted = await api.call('bob', 'PUT', `/projects/${projectId}/members`, {
          principal: { type: 'group', id: owner },
          role: 'owner',
        });
        expect(granted.status).toBe(200);
      }
      const stepDown = `/projects/${projectId}/members/user/${api.ids.bob}`;
      expect((await api.call('bob', 'DELETE', stepDown)).status).toBe(204);

      for (const user of ['bob', 'alice'] as const) {
        const before = await snapshot();
        const refused = await api.call(user, 'DELETE', `/groups/${id}`);
        expect(refused.status, user).toBe(409);
        expect(refused.body.error.code).toBe('last_owner');
        expect(await snapshot()).toBe(before);
      }

      const others = await insertGroup(db, unique('others'), { members: [api.ids.dave] });
      await api.call('alice', 'PUT', `/projects/${projectId}/members`, {
        principal: { type: 'group', id: others },
        role: 'owner',
      });
      expect((await api.call('bob', 'DELETE', `/groups/${id}`)).status).toBe(204);
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).body.myRole).toBe('owner');
    });

    it('refuses to delete the last group through which an enabled user edits a connection', async () => {
      const db = api.server.store.db;
      const id = await newGroup();
      await makeAdmin(id, 'bob');
      const connection = await api.call('bob', 'POST', '/connections', {
        name: unique('LIMS'),
        kind: 'postgres',
        host: '127.0.0.1',
        port: 1,
        database: 'lims',
        user: 'reader',
        password: 'not-the-real-one',
      });
      expect(connection.status).toBe(201);
      const grants = `/connections/${connection.body.id}/grants`;
      const grantEdit = (groupId: string) =>
        api.call('alice', 'PUT', grants, {
          principal: { type: 'group', id: groupId },
          permission: 'edit',
        });
      expect((await grantEdit(id)).status).toBe(200);
      expect((await grantEdit(await insertGroup(db, unique('empty')))).status).toBe(200);
      const letGo = { principal: { type: 'user', id: api.ids.bob }, permission: null };
      expect((await api.call('bob', 'PUT', grants, letGo)).status).toBe(200);

      const before = await snapshot();
      const refused = await api.call('bob', 'DELETE', `/groups/${id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('last_editor');
      expect(await snapshot()).toBe(before);

      expect(
        (await grantEdit(await insertGroup(db, unique('others'), { members: [api.ids.dave] })))
          .status,
      ).toBe(200);
      expect((await api.call('bob', 'DELETE', `/groups/${id}`)).status).toBe(204);
    });
  });

  describe('members', () => {
    it('Admins add members and group admins; the change is audited before and after', async () => {
      const id = await newGroup();
      const added = await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      expect(added.status).toBe(200);
      expect(added.body.members).toEqual([
        { id: api.ids.dave, username: 'dave', displayName: 'Dave Davis', admin: false },
      ]);
      const promoted = await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`, {
        admin: true,
      });
      expect(promoted.body.members[0].admin).toBe(true);
      // Without a body the flag stays as it is.
      const again = await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      expect(again.body.members[0].admin).toBe(true);
      const events = await auditOf('group.members.update', `${id}/${api.ids.dave}`);
      expect(events.map((event) => [event.before, event.after])).toEqual([
        [null, { groupId: id, userId: api.ids.dave, admin: false }],
        [
          { groupId: id, userId: api.ids.dave, admin: false },
          { groupId: id, userId: api.ids.dave, admin: true },
        ],
      ]);
      expect(
        (await api.call('alice', 'DELETE', `/groups/${id}/members/${api.ids.dave}`)).status,
      ).toBe(204);
      const [removed] = await auditOf('group.members.remove', `${id}/${api.ids.dave}`);
      expect(removed?.before).toEqual({ groupId: id, userId: api.ids.dave, admin: true });
      expect(removed?.after).toBeNull();
    });

    it('group admins manage plain members of their group, and nothing more', async () => {
      const id = await newGroup();
      const other = await newGroup();
      await makeAdmin(id, 'bob');
      await makeAdmin(id, 'alice');
      expect((await api.call('bob', 'PUT', `/groups/${id}/members/${api.ids.dave}`)).status).toBe(
        200,
      );
      expect(
        (await api.call('bob', 'PUT', `/groups/${id}/members/${api.ids.dave}`, { admin: false }))
          .status,
      ).toBe(200);

      const before = await snapshot();
      const refusals: [string, string, unknown][] = [
        // No admin flag for others, nor for themselves elsewhere.
        ['PUT', `/groups/${id}/members/${api.ids.dave}`, { admin: true }],
        ['PUT', `/groups/${id}/members/${api.ids.carol}`, { admin: true }],
        ['PUT', `/groups/${id}/members/${api.ids.alice}`, { admin: false }],
        ['DELETE', `/groups/${id}/members/${api.ids.alice}`, undefined],
        ['PUT', `/groups/${other}/members/${api.ids.bob}`, { admin: true }],
        ['PUT', `/groups/${other}/members/${api.ids.bob}`, undefined],
        ['PUT', `/groups/${other}/members/${api.ids.dave}`, undefined],
      ];
      for (const [method, path, body] of refusals) {
        const refused = await api.call('bob', method, path, body);
        expect(refused.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(403);
      }
      expect(await snapshot()).toBe(before);
      const denials = (await auditOf('group.admins.manage', id)).filter(
        (event) => event.outcome === 'denied' && event.actorUserId === api.ids.bob,
      );
      expect(denials).toHaveLength(4);
      expect(denials[0]?.details).toEqual({
        reason: 'Only admins may grant or revoke group admin.',
      });

      // Setting the flag to what it is already is no change, so it is allowed.
      expect(
        (await api.call('bob', 'PUT', `/groups/${id}/members/${api.ids.bob}`, { admin: true }))
          .status,
      ).toBe(200);
      expect(
        (await api.call('bob', 'DELETE', `/groups/${id}/members/${api.ids.dave}`)).status,
      ).toBe(204);
      // Stepping down is always allowed.
      expect((await api.call('bob', 'DELETE', `/groups/${id}/members/${api.ids.bob}`)).status).toBe(
        204,
      );
      expect((await api.call('bob', 'PUT', `/groups/${id}/members/${api.ids.bob}`)).status).toBe(
        403,
      );
    });

    it('a Viewer cannot manage even as group admin; plain users cannot at all', async () => {
      const id = await newGroup();
      await makeAdmin(id, 'carol');
      const before = await snapshot();
      for (const user of ['carol', 'dave'] as const) {
        expect((await api.call(user, 'PUT', `/groups/${id}/members/${api.ids.bob}`)).status).toBe(
          403,
        );
        expect(
          (await api.call(user, 'DELETE', `/groups/${id}/members/${api.ids.carol}`)).status,
        ).toBe(403);
      }
      expect(await snapshot()).toBe(before);
      const denials = (await auditOf('group.members.manage', id)).filter(
        (event) => event.outcome === 'denied',
      );
      expect(denials.map((event) => event.actorUserId)).toEqual([
        api.ids.carol,
        api.ids.carol,
        api.ids.dave,
        api.ids.dave,
      ]);
    });

    it('answers 404 for an unknown group, user or membership', async () => {
      const id = await newGroup();
      const nobody = crypto.randomUUID();
      expect(
        (await api.call('alice', 'PUT', `/groups/${nobody}/members/${api.ids.bob}`)).status,
      ).toBe(404);
      expect((await api.call('alice', 'PUT', `/groups/${id}/members/${nobody}`)).status).toBe(404);
      expect(
        (await api.call('alice', 'DELETE', `/groups/${id}/members/${api.ids.bob}`)).status,
      ).toBe(404);
      const [denied] = (await auditOf('group.members.manage', nobody)).filter(
        (event) => event.outcome === 'denied',
      );
      expect(denied).toBeDefined();
    });

    it('refuses bad ids and bodies with 400 and changes nothing', async () => {
      const id = await newGroup();
      const before = await snapshot();
      const attempts: [string, string, unknown][] = [
        ['PUT', `/groups/not-a-uuid/members/${api.ids.bob}`, undefined],
        ['PUT', `/groups/${id}/members/${encodeURIComponent("1' or '1'='1")}`, undefined],
        ['PUT', `/groups/${id}/members/..%2F..%2Fusers`, undefined],
        ['DELETE', `/groups/${id}/members/${encodeURIComponent('../users')}`, undefined],
        ['PATCH', `/groups/${encodeURIComponent("'; drop table groups; --")}`, { name: 'x' }],
        ['PUT', `/groups/${id}/members/${api.ids.bob}`, { admin: 'yes' }],
        ['PUT', `/groups/${id}/members/${api.ids.bob}`, { admin: true, role: 'owner' }],
        ['PUT', `/groups/${id}/members/${api.ids.bob}`, [true]],
        ['PUT', `/groups/${id}/subgroups/${encodeURIComponent('../x')}`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const response = await api.call('alice', method, path, body);
        expect(response.status, `${method} ${path}`).toBe(400);
      }
      expect(await snapshot()).toBe(before);
    });

    it('applies on the very next request', async () => {
      const id = await newGroup();
      const project = await api.call('bob', 'POST', '/projects', { name: unique('next request') });
      const projectId = project.body.id as string;
      await api.call('bob', 'PUT', `/projects/${projectId}/members`, {
        principal: { type: 'group', id },
        role: 'viewer',
      });
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).status).toBe(404);
      await api.call('alice', 'PUT', `/groups/${id}/members/${api.ids.dave}`);
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).status).toBe(200);
      await api.call('alice', 'DELETE', `/groups/${id}/members/${api.ids.dave}`);
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).status).toBe(404);

      // Through nesting as well: dave's group inside the granted one, then taken out.
      const inner = await newGroup();
      await api.call('alice', 'PUT', `/groups/${inner}/members/${api.ids.dave}`);
      await api.call('alice', 'PUT', `/groups/${id}/subgroups/${inner}`);
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).status).toBe(200);
      await api.call('alice', 'DELETE', `/groups/${id}/subgroups/${inner}`);
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).status).toBe(404);
    });
  });

  describe('directory groups', () => {
    it('refuse every change of what the directory owns, but may be nested in a local group', async () => {
      for (const source of ['ldap', 'oidc'] as const) {
        const id = await directoryGroup(source);
        const local = await newGroup();
        const before = await snapshot();
        const attempts: [string, string, unknown][] = [
          ['PUT', `/groups/${id}/members/${api.ids.bob}`, undefined],
          ['PUT', `/groups/${id}/members/${api.ids.dave}`, { admin: true }],
          ['DELETE', `/groups/${id}/members/${api.ids.dave}`, undefined],
          ['PATCH', `/groups/${id}`, { name: unique('renamed') }],
          ['DELETE', `/groups/${id}`, undefined],
          ['PUT', `/groups/${id}/subgroups/${local}`, undefined],
        ];
        for (const [method, path, body] of attempts) {
          const refused = await api.call('alice', method, path, body);
          expect(refused.status, `${method} ${path}`).toBe(409);
          expect(refused.body.error.code).toBe('directory_managed');
        }
        expect(await snapshot()).toBe(before);
        const listed = await groupOf('alice', id);
        expect(listed?.source).toBe(source);
        expect(listed?.allowedActions).not.toContain('group.members.manage');
        expect(listed?.allowedActions).not.toContain('group.update');
        const nested = await api.call('alice', 'PUT', `/groups/${local}/subgroups/${id}`);
        expect(nested.status).toBe(200);
        expect(nested.body.subgroups.map((child: { id: string }) => child.id)).toEqual([id]);
      }
    });
  });

  describe('nesting', () => {
    it('refuses a cycle, the group itself included, and changes nothing', async () => {
      const a = await newGroup();
      const b = await newGroup();
      const c = await newGroup();
      expect((await api.call('alice', 'PUT', `/groups/${b}/subgroups/${a}`)).status).toBe(200);
      expect((await api.call('alice', 'PUT', `/groups/${c}/subgroups/${b}`)).status).toBe(200);
      const before = await snapshot();
      for (const [parent, child] of [
        [a, c],
        [a, b],
        [b, c],
        [a, a],
      ]) {
        const refused = await api.call('alice', 'PUT', `/groups/${parent}/subgroups/${child}`);
        expect(refused.status).toBe(409);
        expect(refused.body.error.code).toBe('group_cycle');
      }
      expect(await snapshot()).toBe(before);
      // Nesting the same pair again is no change and no new event.
      expect((await api.call('alice', 'PUT', `/groups/${b}/subgroups/${a}`)).status).toBe(200);
      expect(await auditOf('group.subgroups.add', `${b}/${a}`)).toHaveLength(1);
    });

    it('lets only one of two concurrent halves of a cycle through', async () => {
      // Several pairs at once, so that on PostgreSQL the halves really meet.
      const pairs = await Promise.all(
        Array.from({ length: 4 }, async () => [await newGroup(), await newGroup()] as const),
      );
      const answers = await Promise.all(
        pairs.map(([a, b]) =>
          Promise.all([
            api.call('alice', 'PUT', `/groups/${a}/subgroups/${b}`),
            api.call('alice', 'PUT', `/groups/${b}/subgroups/${a}`),
          ]),
        ),
      );
      for (const [index, [a, b]] of pairs.entries()) {
        expect(answers[index]?.map((answer) => answer.status).sort()).toEqual([200, 409]);
        const edges = await api.server.store.db
          .select()
          .from(groupNesting)
          .where(sql`${groupNesting.parentGroupId} in (${a}, ${b})`);
        expect(edges).toHaveLength(1);
      }
    });

    it('needs the right to manage the parent, and is audited', async () => {
      const parent = await newGroup();
      const child = await newGroup();
      await makeAdmin(child, 'bob');
      const before = await snapshot();
      expect((await api.call('bob', 'PUT', `/groups/${parent}/subgroups/${child}`)).status).toBe(
        403,
      );
      expect((await api.call('dave', 'PUT', `/groups/${parent}/subgroups/${child}`)).status).toBe(
        403,
      );
      expect(await snapshot()).toBe(before);
      await makeAdmin(parent, 'bob');
      expect((await api.call('bob', 'PUT', `/groups/${parent}/subgroups/${child}`)).status).toBe(
        200,
      );
      const missing = crypto.randomUUID();
      expect((await api.call('bob', 'PUT', `/groups/${parent}/subgroups/${missing}`)).status).toBe(
        404,
      );
      expect((await api.call('bob', 'DELETE', `/groups/${parent}/subgroups/${child}`)).status).toBe(
        204,
      );
      expect((await api.call('bob', 'DELETE', `/groups/${parent}/subgroups/${child}`)).status).toBe(
        404,
      );
      const [added] = await auditOf('group.subgroups.add', `${parent}/${child}`);
      expect(added).toMatchObject({
        outcome: 'ok',
        actorUserId: api.ids.bob,
        before: null,
        after: { parentGroupId: parent, childGroupId: child },
      });
      const [removed] = await auditOf('group.subgroups.remove', `${parent}/${child}`);
      expect(removed).toMatchObject({
        before: { parentGroupId: parent, childGroupId: child },
        after: null,
      });
    });
  });
});

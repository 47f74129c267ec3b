import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDisabledUser, insertGroup } from '../authz/testing.ts';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

const { projectMembers } = schema;

let api: ApiTestServer;

let counter = 0;
/** A name no other test uses, since every test shares one server. */
function unique(name: string) {
  counter += 1;
  return `${name}-${counter}`;
}

const groupWith = (members: string[], subgroups: string[] = []) =>
  insertGroup(api.server.store.db, unique('group'), { members, subgroups });
const disabledUser = () => insertDisabledUser(api.server.store.db, unique('former'));

async function newProject(): Promise<string> {
  const created = await api.call('bob', 'POST', '/projects', { name: unique('project') });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

function grant(projectId: string, type: 'user' | 'group', id: string, role: string) {
  return api.call('bob', 'PUT', `/projects/${projectId}/members`, {
    principal: { type, id },
    role,
  });
}

async function grantsOf(projectId: string) {
  return JSON.stringify(
    await api.server.store.db
      .select()
      .from(projectMembers)
      .where(eq(projectMembers.projectId, projectId))
      .orderBy(asc(projectMembers.id)),
  );
}

/** Bob removing his own owner grant and demoting it must both be refused, changing nothing. */
async function expectBobCannotStepDown(projectId: string) {
  const before = await grantsOf(projectId);
  const removed = await api.call(
    'bob',
    'DELETE',
    `/projects/${projectId}/members/user/${api.ids.bob}`,
  );
  expect(removed.status).toBe(409);
  expect(removed.body.error.code).toBe('last_owner');
  const demoted = await grant(projectId, 'user', api.ids.bob, 'editor');
  expect(demoted.status).toBe(409);
  expect(demoted.body.error.code).toBe('last_owner');
  expect(await grantsOf(projectId)).toBe(before);
  expect((await api.call('bob', 'GET', `/projects/${projectId}`)).body.myRole).toBe('owner');
}

// Also on a real PostgreSQL server when TEST_DATABASE_URL names one: there the routes run as the
// request role, under row-level security.
describe.each(storeTargets())('projects on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('a user creates a project, owns it, and others cannot see it until granted', async () => {
    const created = await api.call('bob', 'POST', '/projects', { name: 'Kinase screen' });
    expect(created.status).toBe(201);
    expect(created.body.myRole).toBe('owner');
    const id = created.body.id;
    expect((await api.call('dave', 'GET', `/projects/${id}`)).status).toBe(404);
    const list = await api.call('dave', 'GET', '/projects');
    expect(list.body.projects.map((p: { id: string }) => p.id)).not.toContain(id);
    const grant = await api.call('bob', 'PUT', `/projects/${id}/members`, {
      principal: { type: 'user', id: api.ids.dave },
      role: 'viewer',
    });
    expect(grant.status).toBe(200);
    const seen = await api.call('dave', 'GET', `/projects/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.myRole).toBe('viewer');
    expect((await api.call('dave', 'PATCH', `/projects/${id}`, { name: 'x' })).status).toBe(403);
    expect((await api.call('alice', 'GET', `/projects/${id}`)).status).toBe(200);
  });

  describe('the last owner', () => {
    it('cannot be removed or demoted (409 last_owner), not even by an Admin', async () => {
      const projectId = await newProject();
      await expectBobCannotStepDown(projectId);
      const before = await grantsOf(projectId);
      const byAdmin = await api.call(
        'alice',
        'DELETE',
        `/projects/${projectId}/members/user/${api.ids.bob}`,
      );
      expect(byAdmin.status).toBe(409);
      expect(byAdmin.body.error.code).toBe('last_owner');
      expect(await grantsOf(projectId)).toBe(before);
    });

    it('is not replaced by an owner grant to an empty group', async () => {
      const projectId = await newProject();
      const empty = await groupWith([]);
      expect((await grant(projectId, 'group', empty, 'owner')).status).toBe(200);
      await expectBobCannotStepDown(projectId);
    });

    it('is not replaced by an owner grant to a disabled account, nor to its group', async () => {
      const projectId = await newProject();
      const former = await disabledUser();
      expect((await grant(projectId, 'user', former, 'owner')).status).toBe(200);
      expect((await grant(projectId, 'group', await groupWith([former]), 'owner')).status).toBe(
        200,
      );
      await expectBobCannotStepDown(projectId);
    });

    it('may step down once a group with an enabled member, through nesting, owns the project', async () => {
      const projectId = await newProject();
      const subteam = await groupWith([api.ids.dave]);
      const team = await groupWith([await disabledUser()], [subteam]);
      expect((await grant(projectId, 'group', team, 'owner')).status).toBe(200);
      expect(
        (await api.call('bob', 'DELETE', `/projects/${projectId}/members/user/${api.ids.bob}`))
          .status,
      ).toBe(204);
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).body.myRole).toBe('owner');
      // Now the group is the last owner: dave may not demote it.
      const demoted = await api.call('dave', 'PUT', `/projects/${projectId}/members`, {
        principal: { type: 'group', id: team },
        role: 'editor',
      });
      expect(demoted.status).toBe(409);
      expect(demoted.body.error.code).toBe('last_owner');
    });
  });
});

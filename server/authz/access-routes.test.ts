import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

let api: ApiTestServer;
let projectId: string;
let oncologyId: string;

async function auditEvents(action: string) {
  return api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, action))
    .orderBy(asc(schema.auditEvents.seq));
}

// Also on a real PostgreSQL server when TEST_DATABASE_URL names one: there the routes run as the
// request role, under row-level security.
describe.each(storeTargets())('access on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
    const created = await api.call('bob', 'POST', '/projects', { name: 'Oncology screen' });
    projectId = created.body.id;
    await api.call('bob', 'PUT', `/projects/${projectId}/members`, {
      principal: { type: 'user', id: api.ids.dave },
      role: 'editor',
    });
    oncologyId = crypto.randomUUID();
    await api.server.store.db
      .insert(schema.groups)
      .values({ id: oncologyId, name: 'oncology', source: 'local', createdAt: new Date() });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  describe('GET /access/explain', () => {
    const explain = (caller: 'alice' | 'bob' | 'dave' | 'carol', userId: string, action: string) =>
      api.call(
        caller,
        'GET',
        `/access/explain?${new URLSearchParams({ userId, action, resourceType: 'project', resourceId: projectId })}`,
      );

    it("answers an admin asking why bob may delete the project with bob's owner grant", async () => {
      const { status, body } = await explain('alice', api.ids.bob, 'project.delete');
      expect(status).toBe(200);
      expect(body).toMatchObject({ decision: 'allow', status: 200 });
      expect(body.grantChain).toEqual([
        { step: 'user', id: api.ids.bob, name: 'bob' },
        {
          step: 'project-grant',
          project: { id: projectId, name: 'Oncology screen' },
          role: 'owner',
        },
      ]);
    });

    it('explains a denial with the reason and the answer the user would get', async () => {
      const editor = await explain('alice', api.ids.dave, 'project.delete');
      expect(editor.body).toMatchObject({ decision: 'deny', status: 403, grantChain: [] });
      expect(editor.body.reason).toMatch(/editor.*needs owner/);
      const outsider = await explain('bob', api.ids.carol, 'project.view');
      expect(outsider.body).toMatchObject({ decision: 'deny', status: 404 });
    });

    it('is open to the project owner, and refused to an editor and to a stranger', async () => {
      expect((await explain('bob', api.ids.dave, 'dashboard.create')).status).toBe(200);
      expect((await explain('dave', api.ids.bob, 'project.delete')).status).toBe(403);
      expect((await explain('carol', api.ids.bob, 'project.delete')).status).toBe(404);
      const denials = await api.server.store.db
        .select()
        .from(schema.auditEvents)
        .where(
          and(
            eq(schema.auditEvents.action, 'access.explain'),
            eq(schema.auditEvents.outcome, 'denied'),
          ),
        );
      expect(denials.map((event) => event.actorUserId)).toEqual(
        expect.arrayContaining([api.ids.dave, api.ids.carol]),
      );
    });

    it('refuses bad queries with a 400', async () => {
      for (const query of [
        `userId=${api.ids.bob}&action=project.nuke&resourceType=project&resourceId=${projectId}`,
        `userId=../../etc/passwd&action=project.view&resourceType=project&resourceId=${projectId}`,
        `userId=${api.ids.bob}&action=project.view&resourceType=project`,
        `userId=${api.ids.bob}&action=project.view&resourceType=project&resourceId=1%27%20or%201=1--`,
        `userId=${api.ids.bob}&action=project.view&resourceType=project&resourceId=${projectId}&extra=1`,
      ]) {
        const response = await api.call('alice', 'GET', `/access/explain?${query}`);
        expect(response.status, query).toBe(400);
      }
    });
  });

  describe('attribute rules', () => {
    it('hides a restricted project from its own editor outside the group, with a 404, until they join', async () => {
      expect((await api.call('dave', 'GET', `/projects/${projectId}`)).status).toBe(200);
      const tagged = await api.call('alice', 'PUT', `/access/tags/project/${projectId}`, {
        tags: { sensitivity: 'restricted' },
      });
      expect(tagged.status).toBe(200);
      const rule = await api.call('alice', 'POST', '/access/rules', {
        tagKey: 'sensitivity',
        tagValue: 'restricted',
        groupIds: [oncologyId],
      });
      expect(rule.status).toBe(201);
      try {
        const hidden = await api.call('dave', 'GET', `/projects/${projectId}`);
        expect(hidden.status).toBe(404);
        const list = await api.call('dave', 'GET', '/projects');
        expect(list.body.projects.map((project: { id: string }) => project.id)).not.toContain(
          projectId,
        );
        // Even the owner is outside the group.
        expect((await api.call('bob', 'GET', `/projects/${projectId}`)).status).toBe(404);
        const why = await api.call(
          'alice',
          'GET',
          `/access/explain?userId=${api.ids.dave}&action=project.view&resourceType=project&resourceId=${projectId}`,
        );
        expect(why.body).toMatchObject({
          decision: 'deny',
          status: 404,
          rule: { tag: 'sensitivity=restricted' },
        });
        await api.server.store.db
          .insert(schema.groupMembers)
          .values({ groupId: oncologyId, userId: api.ids.dave });
        expect((await api.call('dave', 'GET', `/projects/${projectId}`)).status).toBe(200);
        // The rule narrows; it grants nothing: carol is not a member of the project.
        await api.server.store.db
          .insert(schema.groupMembers)
          .values({ groupId: oncologyId, userId: api.ids.carol });
        expect((await api.call('carol', 'GET', `/projects/${projectId}`)).status).toBe(404);
      } finally {
        await api.call('alice', 'DELETE', `/access/rules/${rule.body.id}`);
      }
      expect((await api.call('bob', 'GET', `/projects/${projectId}`)).status).toBe(200);
    });

    it('hides a restricted dashboard, dataset and connection from a granted user outside the group, until they join', async () => {
      const project = await api.call('bob', 'POST', '/projects', { name: 'Assay archive' });
      const inProject = project.body.id as string;
      await api.call('bob', 'PUT', `/projects/${inProject}/members`, {
        principal: { type: 'user', id: api.ids.dave },
        role: 'editor',
      });
      const dashboard = await api.call('bob', 'POST', `/projects/${inProject}/dashboards`, {
        title: 'Restricted plates',
        spec: { version: 1, views: [] },
      });
      const dataset = await api.call('bob', 'POST', `/projects/${inProject}/datasets`, {
        name: 'Restricted readings',
      });
      const csv = { 'content-type': 'text/csv' };
      const upload = await api.call(
        'bob',
        'POST',
        `/datasets/${dataset.body.id}/versions`,
        'a\n1\n',
        csv,
      );
      const connection = await api.call('bob', 'POST', '/connections', {
        name: 'Restricted LIMS',
        kind: 'postgres',
        host: '127.0.0.1',
        port: 1,
        database: 'lims',
        user: 'reader',
        password: 'not-the-real-one',
      });
      await api.call('bob', 'PUT', `/connections/${connection.body.id}/grants`, {
        principal: { type: 'user', id: api.ids.dave },
        permission: 'use',
      });
      expect([dashboard.status, dataset.status, upload.status, connection.status]).toEqual([
        201, 201, 201, 201,
      ]);
      const restricted = [
        { type: 'dashboard', id: dashboard.body.id as string },
        { type: 'dataset', id: dataset.body.id as string },
        { type: 'connection', id: connection.body.id as string },
      ];
      const reads = [
        `/dashboards/${dashboard.body.id}`,
        `/datasets/${dataset.body.id}`,
        `/datasets/${dataset.body.id}/versions/1/data`,
        `/connections/${connection.body.id}`,
        `/connections/${connection.body.id}/grants`,
      ];
      const statuses = async () =>
        Promise.all(reads.map(async (path) => (await api.call('dave', 'GET', path)).status));
      /** How often each restricted resource appears in dave's lists. */
      const listed = async () => {
        const lists = await Promise.all([
          api
            .call('dave', 'GET', `/projects/${inProject}/dashboards`)
            .then((r) => r.body.dashboards),
          api.call('dave', 'GET', '/dashboards').then((r) => r.body.dashboards),
          api.call('dave', 'GET', `/projects/${inProject}/datasets`).then((r) => r.body.datasets),
          api.call('dave', 'GET', '/connections').then((r) => r.body.connections),
        ]);
        const ids = (lists.flat() as { id: string }[]).map((item) => item.id);
        return restricted.map(({ id }) => ids.filter((listedId) => listedId === id).length);
      };
      // Dave's grants open all of it: the rule below is what takes it away.
      expect(await statuses()).toEqual([200, 200, 200, 200, 200]);
      expect(await listed()).toEqual([2, 1, 1]);

      const chemistsId = crypto.randomUUID();
      await api.server.store.db
        .insert(schema.groups)
        .values({ id: chemistsId, name: 'chemists', source: 'local', createdAt: new Date() });
      for (const { type, id } of restricted) {
        const tagged = await api.call('alice', 'PUT', `/access/tags/${type}/${id}`, {
          tags: { clearance: 'chemists' },
        });
        expect(tagged.status, type).toBe(200);
      }
      const rule = await api.call('alice', 'POST', '/access/rules', {
        tagKey: 'clearance',
        tagValue: 'chemists',
        groupIds: [chemistsId],
      });
      expect(rule.status).toBe(201);
      try {
        expect(await statuses()).toEqual([404, 404, 404, 404, 404]);
        expect(await listed()).toEqual([0, 0, 0]);
        // Only the tagged resources are closed, not the project they are in.
        expect((await api.call('dave', 'GET', `/projects/${inProject}`)).status).toBe(200);
        // The rule binds the one asking why, too: the project's owner is outside the group.
        const why = await api.call(
          'bob',
          'GET',
          `/access/explain?userId=${api.ids.dave}&action=dashboard.view&resourceType=dashboard&resourceId=${dashboard.body.id}`,
        );
        expect(why.status).toBe(404);
        const denials = await api.server.store.db
          .select()
          .from(schema.auditEvents)
          .where(
            and(
              eq(schema.auditEvents.actorUserId, api.ids.dave),
              eq(schema.auditEvents.outcome, 'denied'),
            ),
          );
        const byRule = denials.filter(
          (event) =>
            (event.details as { rule?: { tag: string } } | null)?.rule?.tag ===
            'clearance=chemists',
        );
        expect(new Set(byRule.map((event) => event.resourceId))).toEqual(
          new Set(restricted.map(({ id }) => id)),
        );

        const joined = await api.call(
          'alice',
          'PUT',
          `/groups/${chemistsId}/members/${api.ids.dave}`,
        );
        expect(joined.status).toBe(200);
        expect(await statuses()).toEqual([200, 200, 200, 200, 200]);
        expect(await listed()).toEqual([2, 1, 1]);
      } finally {
        await api.call('alice', 'DELETE', `/access/rules/${rule.body.id}`);
      }
    });

    it('only admins tag resources and write rules', async () => {
      const tag = await api.call('bob', 'PUT', `/access/tags/project/${projectId}`, {
        tags: { sensitivity: 'public' },
      });
      expect(tag.status).toBe(403);
      const rule = await api.call('bob', 'POST', '/access/rules', {
        tagKey: 'x',
        tagValue: 'y',
        groupIds: [],
      });
      expect(rule.status).toBe(403);
      expect((await api.call('bob', 'GET', '/access/rules')).status).toBe(200);
    });

    it('records tag and rule changes with their state before and after', async () => {
      const [tagged] = await auditEvents('access.tags.update');
      expect(tagged).toMatchObject({
        outcome: 'ok',
        before: { tags: {} },
        after: { tags: { sensitivity: 'restricted' } },
        actorUserId: api.ids.alice,
      });
      const [deleted] = await auditEvents('access.rule.delete');
      expect(deleted?.before).toMatchObject({ tagKey: 'sensitivity', tagValue: 'restricted' });
    });

    it('refuses malformed tags and rules and changes nothing', async () => {
      const before = await api.call('alice', 'GET', `/projects/${projectId}`);
      for (const body of [
        { tags: { 'bad key': 'x' } },
        { tags: { key: "x'; drop table projects;--" } },
        { tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) },
        { tags: { a: 'b' }, extra: true },
        { tags: ['sensitivity=restricted'] },
      ]) {
        const response = await api.call('alice', 'PUT', `/access/tags/project/${projectId}`, body);
        expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      }
      const unknownGroup = await api.call('alice', 'POST', '/access/rules', {
        tagKey: 'a',
        tagValue: 'b',
        groupIds: [crypto.randomUUID()],
      });
      expect(unknownGroup.status).toBe(400);
      const after = await api.call('alice', 'GET', `/projects/${projectId}`);
      expect(after.body.tags).toEqual(before.body.tags);
      expect((await api.call('alice', 'GET', '/access/rules')).body.rules).toEqual([]);
    });
  });
});

import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, loadResourceFacts, loadRules, loadSubject } from '../authz/index.ts';
import { schema } from '../store/index.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

let api: ApiTestServer;
beforeAll(async () => {
  api = await startApiTestServer();
}, 60_000);
afterAll(() => api?.close());

type Role = 'owner' | 'editor' | 'viewer';

const datasetId = '0b8c1f9e-6a55-4a47-9d5e-3f6b0d1c2a77';

function spec(views: unknown[] = [datasetView()]) {
  return { version: 1, views };
}

function datasetView(id = 'dose') {
  return {
    id,
    title: 'Dose',
    kind: 'histogram',
    source: { type: 'dataset', datasetId },
    encoding: { x: 'dose_mg' },
  };
}

function connectionView(connectionId: string, sql = 'select 1', id = 'live') {
  return { id, title: 'Live', kind: 'table', source: { type: 'connection', connectionId, sql } };
}

/** A project owned by bob with `grants` given; returns its id. */
async function project(grants: [DemoUser, Role][] = []): Promise<string> {
  const created = await api.call('bob', 'POST', '/projects', { name: `p-${crypto.randomUUID()}` });
  expect(created.status).toBe(201);
  for (const [user, role] of grants) {
    const grant = await api.call('bob', 'PUT', `/projects/${created.body.id}/members`, {
      principal: { type: 'user', id: api.ids[user] },
      role,
    });
    expect(grant.status).toBe(200);
  }
  return created.body.id as string;
}

async function dashboard(projectId: string, body: unknown = { title: 'Doses', spec: spec() }) {
  const created = await api.call('bob', 'POST', `/projects/${projectId}/dashboards`, body);
  expect(created.status).toBe(201);
  return created.body as { id: string; updatedAt: string };
}

async function auditEvents(resourceId: string) {
  return api.server.store.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.resourceId, resourceId))
    .orderBy(schema.auditEvents.seq);
}

async function dashboardCount(projectId: string) {
  const rows = await api.server.store.db
    .select({ id: schema.dashboards.id })
    .from(schema.dashboards)
    .where(eq(schema.dashboards.projectId, projectId));
  return rows.length;
}

/** A connection made directly in the store (its routes are another folder's), with grants. */
async function connection(grants: [DemoUser, 'use' | 'edit'][]) {
  const id = crypto.randomUUID();
  const now = new Date();
  await api.server.store.db.insert(schema.connections).values({
    id,
    name: `c-${id}`,
    kind: 'postgres',
    settings: { host: 'db.invalid', port: 5432, database: 'x', user: 'x' },
    wrappedKey: Buffer.alloc(61),
    secret: Buffer.alloc(29),
    createdBy: api.ids.bob,
    createdAt: now,
    updatedAt: now,
  });
  for (const [user, permission] of grants) {
    await api.server.store.db.insert(schema.connectionGrants).values({
      id: crypto.randomUUID(),
      connectionId: id,
      userId: api.ids[user],
      permission,
      createdAt: now,
    });
  }
  return id;
}

describe('dashboards: who may do what', () => {
  // Each case: the caller, the grant bob (owner) gives them on a fresh project, and the statuses
  // of list, create, view, update, delete in that order.
  const cases: [string, DemoUser, Role | null, number[]][] = [
    ['the owner', 'bob', null, [200, 201, 200, 200, 204]],
    ['an editor', 'dave', 'editor', [200, 201, 200, 200, 403]],
    ['a project viewer', 'dave', 'viewer', [200, 403, 200, 403, 403]],
    ['a system Viewer granted owner', 'carol', 'owner', [200, 403, 200, 403, 403]],
    ['a non-member', 'dave', null, [404, 404, 404, 404, 404]],
    ['an admin without grants', 'alice', null, [200, 201, 200, 200, 204]],
  ];

  it.each(cases)('%s', async (_name, user, role, [list, create, view, update, remove]) => {
    const projectId = await project(role ? [[user, role]] : []);
    const existing = await dashboard(projectId);
    const before = (await api.call('bob', 'GET', `/dashboards/${existing.id}`)).body;

    const listed = await api.call(user, 'GET', `/projects/${projectId}/dashboards`);
    expect(listed.status).toBe(list);
    if (list === 200) {
      expect(listed.body.dashboards).toHaveLength(1);
      expect(listed.body.dashboards[0]).toMatchObject({ id: existing.id, viewCount: 1 });
      expect(listed.body.dashboards[0].spec).toBeUndefined();
    }

    const created = await api.call(user, 'POST', `/projects/${projectId}/dashboards`, {
      title: 'Mine',
      spec: spec(),
    });
    expect(created.status).toBe(create);
    expect(await dashboardCount(projectId)).toBe(create === 201 ? 2 : 1);

    const opened = await api.call(user, 'GET', `/dashboards/${existing.id}`);
    expect(opened.status).toBe(view);
    if (view === 200) {
      expect(opened.body.spec).toEqual(spec());
      const allowed: string[] = opened.body.allowedActions;
      expect(allowed.includes('dashboard.update')).toBe(update === 200);
      expect(allowed.includes('dashboard.delete')).toBe(remove === 204);
    }

    const patched = await api.call(user, 'PATCH', `/dashboards/${existing.id}`, { title: 'New' });
    expect(patched.status).toBe(update);
    if (update !== 200) {
      const after = (await api.call('bob', 'GET', `/dashboards/${existing.id}`)).body;
      expect(after).toEqual(before);
    }

    const deleted = await api.call(user, 'DELETE', `/dashboards/${existing.id}`);
    expect(deleted.status).toBe(remove);
    expect((await api.call('bob', 'GET', `/dashboards/${existing.id}`)).status).toBe(
      remove === 204 ? 404 : 200,
    );
  });

  it('audits every denial', async () => {
    const projectId = await project([['dave', 'viewer']]);
    const existing = await dashboard(projectId);
    expect((await api.call('dave', 'DELETE', `/dashboards/${existing.id}`)).status).toBe(403);
    const denial = (await auditEvents(existing.id)).find((event) => event.outcome === 'denied');
    expect(denial).toMatchObject({ action: 'dashboard.delete', actorUserId: api.ids.dave });
  });

  it('hides dashboards of a project from a non-member even by guessed id', async () => {
    const projectId = await project();
    const existing = await dashboard(projectId);
    const guessed = await api.call('dave', 'GET', `/dashboards/${existing.id}`);
    const missing = await api.call('dave', 'GET', `/dashboards/${crypto.randomUUID()}`);
    expect(guessed.status).toBe(404);
    expect(guessed.body.error.message).toBe(missing.body.error.message);
  });

  it('lists across projects only the dashboards the caller may open', async () => {
    const shared = await project([['dave', 'viewer']]);
    const open = await dashboard(shared, { title: 'Open doses', spec: spec() });
    const restricted = await dashboard(shared, { title: 'Restricted doses', spec: spec() });
    const foreign = await dashboard(await project(), { title: 'Foreign doses', spec: spec() });
    const tagValue = `only-nobody-${crypto.randomUUID()}`;
    const tagged = await api.call('alice', 'PUT', `/access/tags/dashboard/${restricted.id}`, {
      tags: { sensitivity: tagValue },
    });
    expect(tagged.status).toBe(200);
    const rule = await api.call('alice', 'POST', '/access/rules', {
      tagKey: 'sensitivity',
      tagValue,
      groupIds: [],
    });
    expect(rule.status).toBe(201);

    const ids = async (user: DemoUser) => {
      const answer = await api.call(user, 'GET', '/dashboards');
      expect(answer.status).toBe(200);
      return (answer.body.dashboards as { id: string }[]).map((entry) => entry.id);
    };
    const daves = await ids('dave');
    expect(daves).toContain(open.id);
    expect(daves).not.toContain(restricted.id);
    expect(daves).not.toContain(foreign.id);
    expect(await ids('carol')).not.toContain(open.id);
    expect(await ids('alice')).toEqual(
      expect.arrayContaining([open.id, restricted.id, foreign.id]),
    );

    const listed = await api.call('dave', 'GET', '/dashboards');
    const entry = (listed.body.dashboards as Record<string, unknown>[]).find(
      (candidate) => candidate.id === open.id,
    );
    expect(entry).toMatchObject({ projectId: shared, title: 'Open doses', viewCount: 1 });
    expect(entry?.allowedActions).toEqual(['dashboard.view']);
    expect(entry?.projectName).toMatch(/^p-/);
    expect(entry).not.toHaveProperty('spec');
  });

  it('refuses ids that are not UUIDs before anything is read', async () => {
    for (const id of ['..%2F..%2Fetc', "1' or '1'='1", 'x'.repeat(300)]) {
      expect((await api.call('bob', 'GET', `/dashboards/${id}`)).status).toBe(400);
    }
  });
});

describe('dashboards: the spec is validated and size-limited', () => {
  const invalid: [string, unknown][] = [
    ['an unknown body field', { title: 'x', spec: spec(), owner: 'alice' }],
    ['no spec', { title: 'x' }],
    ['an unknown spec field', { title: 'x', spec: { ...spec(), script: 'alert(1)' } }],
    ['an unknown view field', { title: 'x', spec: spec([{ ...datasetView(), html: '<b>' }]) }],
    ['a wrong kind', { title: 'x', spec: spec([{ ...datasetView(), kind: 'pie' }]) }],
    ['a kind of the wrong type', { title: 'x', spec: spec([{ ...datasetView(), kind: 3 }]) }],
    [
      '51 views',
      { title: 'x', spec: spec(Array.from({ length: 51 }, (_, i) => datasetView(`v${i}`))) },
    ],
    ['a title with control characters', { title: 'a\u0000b', spec: spec() }],
    ['a lone surrogate in the title', { title: 'a\udc00', spec: spec() }],
    [
      'a lone surrogate in a view (jsonb would refuse it)',
      { title: 'x', spec: spec([{ ...datasetView(), title: '\ud800x' }]) },
    ],
    [
      'a NUL in SQL (jsonb would refuse it)',
      { title: 'x', spec: spec([connectionView(crypto.randomUUID(), 'select 1\u0000')]) },
    ],
    ['a spec that is a string', { title: 'x', spec: JSON.stringify(spec()) }],
  ];

  it.each(invalid)('refuses %s with 400 and stores nothing', async (_name, body) => {
    const projectId = await project();
    const response = await api.call('bob', 'POST', `/projects/${projectId}/dashboards`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(await dashboardCount(projectId)).toBe(0);
  });

  it('refuses a spec over 256 KiB with 413, on create and on update, and stores nothing', async () => {
    const projectId = await project();
    const existing = await dashboard(projectId);
    const views = Array.from({ length: 14 }, (_, index) =>
      connectionView(crypto.randomUUID(), `select '${'x'.repeat(19_900)}'`, `v${index}`),
    );
    const created = await api.call('alice', 'POST', `/projects/${projectId}/dashboards`, {
      title: 'Huge',
      spec: spec(views),
    });
    expect(created.status).toBe(413);
    expect(created.body.error.code).toBe('spec_too_large');
    expect(created.body.error.message).toMatch(/262144 bytes/);
    const patched = await api.call('alice', 'PATCH', `/dashboards/${existing.id}`, {
      spec: spec(views),
    });
    expect(patched.status).toBe(413);
    expect(await dashboardCount(projectId)).toBe(1);
    const stored = await api.call('bob', 'GET', `/dashboards/${existing.id}`);
    expect(stored.body.spec).toEqual(spec());
  });

  it('refuses an update with nothing to change or unknown fields', async () => {
    const projectId = await project();
    const existing = await dashboard(projectId);
    expect((await api.call('bob', 'PATCH', `/dashboards/${existing.id}`, {})).status).toBe(400);
    const extra = await api.call('bob', 'PATCH', `/dashboards/${existing.id}`, {
      title: 'x',
      projectId: crypto.randomUUID(),
    });
    expect(extra.status).toBe(400);
  });
});

describe('dashboards: editing with If-Match', () => {
  it('gives the version as ETag and refuses a stale edit with 409', async () => {
    const projectId = await project([['dave', 'editor']]);
    const existing = await dashboard(projectId);
    const read = await api.call('dave', 'GET', `/dashboards/${existing.id}`);
    const etag = read.headers.get('etag');
    expect(etag).toBe(`"${read.body.updatedAt}"`);

    const first = await api.call(
      'bob',
      'PATCH',
      `/dashboards/${existing.id}`,
      { title: 'Bob was here' },
      { 'if-match': etag! },
    );
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).not.toBe(etag);

    const stale = await api.call(
      'dave',
      'PATCH',
      `/dashboards/${existing.id}`,
      { title: 'Dave overwrites' },
      { 'if-match': etag! },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('edit_conflict');
    const now = await api.call('dave', 'GET', `/dashboards/${existing.id}`);
    expect(now.body.title).toBe('Bob was here');

    // The bare updatedAt works as well as the quoted tag; a weak tag never matches.
    const weak = await api.call(
      'dave',
      'PATCH',
      `/dashboards/${existing.id}`,
      { title: 'Weak' },
      { 'if-match': `W/${now.headers.get('etag')}` },
    );
    expect(weak.status).toBe(409);
    const bare = await api.call(
      'dave',
      'PATCH',
      `/dashboards/${existing.id}`,
      { title: 'Dave' },
      { 'if-match': now.body.updatedAt },
    );
    expect(bare.status).toBe(200);
    const star = await api.call(
      'dave',
      'PATCH',
      `/dashboards/${existing.id}`,
      { title: 'Any' },
      { 'if-match': '*' },
    );
    expect(star.status).toBe(200);
    const blind = await api.call('dave', 'PATCH', `/dashboards/${existing.id}`, { title: 'Last' });
    expect(blind.status).toBe(200);
  });

  it('gives quick successive edits distinct versions', async () => {
    const projectId = await project();
    const existing = await dashboard(projectId);
    const tags = new Set<string>();
    for (let index = 0; index < 5; index++) {
      const patched = await api.call('bob', 'PATCH', `/dashboards/${existing.id}`, {
        title: `t${index}`,
      });
      tags.add(patched.headers.get('etag')!);
    }
    expect(tags.size).toBe(5);
  });
});

describe('dashboards: connections are referenced, never granted', () => {
  it('lets a viewer open a dashboard on a connection they may not query', async () => {
    const projectId = await project([['dave', 'viewer']]);
    const connectionId = await connection([['bob', 'use']]);
    const created = await dashboard(projectId, {
      title: 'Live trials',
      spec: spec([connectionView(connectionId, 'select * from trials')]),
    });
    const opened = await api.call('dave', 'GET', `/dashboards/${created.id}`);
    expect(opened.status).toBe(200);
    expect(opened.body.spec.views[0].source).toEqual({
      type: 'connection',
      connectionId,
      sql: 'select * from trials',
    });
    expect(
      opened.body.allowedActions.some((action: string) => action.startsWith('connection.')),
    ).toBe(false);
    // Opening it changed nothing: dave still holds no right on the connection.
    const db = api.server.store.db;
    const dave = await loadSubject(db, api.ids.dave);
    const facts = await loadResourceFacts(db, { type: 'connection', id: connectionId });
    expect(authorize(dave!, 'connection.query', facts!, await loadRules(db)).allowed).toBe(false);
    const grants = await db
      .select()
      .from(schema.connectionGrants)
      .where(
        and(
          eq(schema.connectionGrants.connectionId, connectionId),
          eq(schema.connectionGrants.userId, api.ids.dave),
        ),
      );
    expect(grants).toEqual([]);
  });

  it('lets only someone who may query a connection add a query through it', async () => {
    const projectId = await project([['dave', 'editor']]);
    const connectionId = await connection([['bob', 'use']]);
    const planted = await api.call('dave', 'POST', `/projects/${projectId}/dashboards`, {
      title: 'Planted',
      spec: spec([connectionView(connectionId, 'select * from secrets')]),
    });
    expect(planted.status).toBe(403);
    expect(await dashboardCount(projectId)).toBe(0);
    // A connection that does not exist gets the very same answer.
    const unknown = await api.call('dave', 'POST', `/projects/${projectId}/dashboards`, {
      title: 'Planted',
      spec: spec([connectionView(crypto.randomUUID(), 'select * from secrets')]),
    });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(
      planted.body.error.message.replace(/[0-9a-f-]{36}/, 'ID'),
    );

    const created = await dashboard(projectId, {
      title: 'Live',
      spec: spec([connectionView(connectionId, 'select * from trials'), datasetView()]),
    });
    // dave may still edit everything else, and keep (or move, or drop) bob's query.
    const renamed = await api.call('dave', 'PATCH', `/dashboards/${created.id}`, {
      title: 'Renamed',
      spec: spec([datasetView(), connectionView(connectionId, 'select * from trials', 'moved')]),
    });
    expect(renamed.status).toBe(200);
    const changed = await api.call('dave', 'PATCH', `/dashboards/${created.id}`, {
      spec: spec([connectionView(connectionId, 'select * from secrets')]),
    });
    expect(changed.status).toBe(403);
    const kept = await api.call('bob', 'GET', `/dashboards/${created.id}`);
    expect(kept.body.spec.views.map((view: { id: string }) => view.id)).toEqual(['dose', 'moved']);
    const denial = (await auditEvents(connectionId)).find((event) => event.outcome === 'denied');
    expect(denial).toMatchObject({ action: 'connection.query', actorUserId: api.ids.dave });
  });
});

describe('dashboards: every change is audited with its state', () => {
  it('records create, update and delete with before and after', async () => {
    const projectId = await project();
    const created = await dashboard(projectId, { title: 'One', spec: spec() });
    const newSpec = spec([datasetView('a'), datasetView('b')]);
    expect(
      (await api.call('bob', 'PATCH', `/dashboards/${created.id}`, { title: 'Two', spec: newSpec }))
        .status,
    ).toBe(200);
    expect((await api.call('bob', 'DELETE', `/dashboards/${created.id}`)).status).toBe(204);
    const events = (await auditEvents(created.id)).filter((event) => event.outcome === 'ok');
    expect(events.map((event) => event.action)).toEqual([
      'dashboard.create',
      'dashboard.update',
      'dashboard.delete',
    ]);
    const [create, update, remove] = events;
    expect(create).toMatchObject({
      projectId,
      actorUserId: api.ids.bob,
      before: null,
      after: { id: created.id, projectId, title: 'One', spec: spec(), tags: {} },
    });
    expect(update).toMatchObject({
      before: { title: 'One', spec: spec() },
      after: { title: 'Two', spec: newSpec },
    });
    expect(remove).toMatchObject({ before: { title: 'Two', spec: newSpec }, after: null });
    expect((await api.server.audit.verify()).ok).toBe(true);
  });
});

describe('dashboards and datasets in the OpenAPI document', () => {
  it('lists every route with DPoP security', async () => {
    const response = await fetch(`${api.server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    const expected = {
      '/projects/{id}/dashboards': ['get', 'post'],
      '/dashboards/{id}': ['get', 'patch', 'delete'],
      '/projects/{id}/datasets': ['get', 'post'],
      '/datasets/{id}': ['get', 'delete'],
      '/datasets/{id}/versions': ['post'],
      '/datasets/{id}/versions/{n}/data': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(document.paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
      for (const method of methods) {
        expect(document.paths[path]![method]!.security).toEqual([{ DPoP: [] }]);
      }
    }
  });
});

import { OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDisabledUser, insertGroup } from '../authz/testing.ts';
import { HostAllowList } from '../data-sources/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';
import { connectionRoutes } from './connection-routes.ts';

let api: ApiTestServer;

/** A connection nobody can reach (port 1 on loopback), for tests that never query it. */
function body(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Assay results',
    kind: 'postgres',
    host: '127.0.0.1',
    port: 1,
    database: 'assays',
    user: 'reader',
    password: 'not-the-real-one',
    ssl: false,
    ...overrides,
  };
}

async function create(user: DemoUser = 'bob', overrides: Record<string, unknown> = {}) {
  const created = await api.call(user, 'POST', '/connections', body(overrides));
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function grant(by: DemoUser, id: string, to: DemoUser, permission: 'use' | 'edit' | null) {
  return api.call(by, 'PUT', `/connections/${id}/grants`, {
    principal: { type: 'user', id: api.ids[to] },
    permission,
  });
}

async function count(table: 'connections' | 'connection_grants' | 'audit_events') {
  const [row] = await api.server.store.rows<{ n: number }>(
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  );
  return row?.n ?? 0;
}

// Also on a real PostgreSQL server when TEST_DATABASE_URL names one: there the routes run as the
// request role, not a superuser.
describe.each(storeTargets())('connections on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('a user creates a connection, holds `edit` on it, and the password is write-only', async () => {
    const created = await api.call('bob', 'POST', '/connections', body());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Assay results',
      kind: 'postgres',
      host: '127.0.0.1',
      port: 1,
      database: 'assays',
      user: 'reader',
      ssl: false,
      hasPassword: true,
      myPermission: 'edit',
    });
    expect(created.body).not.toHaveProperty('password');
    expect(created.body.allowedActions).toEqual(
      expect.arrayContaining(['connection.view', 'connection.query', 'connection.update']),
    );
    const grants = await api.call('bob', 'GET', `/connections/${created.body.id}/grants`);
    expect(grants.body.grants).toEqual([
      { principal: { type: 'user', id: api.ids.bob, name: 'bob' }, permission: 'edit' },
    ]);
  });

  it('verifies TLS unless told otherwise', async () => {
    const created = await api.call('bob', 'POST', '/connections', { ...body(), ssl: undefined });
    expect(created.body.ssl).toBe(true);
  });

  it('lists what the caller holds a grant on; Admins see all', async () => {
    const id = await create('bob');
    const ids = async (user: DemoUser) =>
      (await api.call(user, 'GET', '/connections')).body.connections.map(
        (connection: { id: string }) => connection.id,
      );
    expect(await ids('bob')).toContain(id);
    expect(await ids('alice')).toContain(id);
    expect(await ids('dave')).not.toContain(id);
    expect(await ids('carol')).not.toContain(id);
    await grant('bob', id, 'dave', 'use');
    expect(await ids('dave')).toContain(id);
    const listed = (await api.call('dave', 'GET', '/connections')).body.connections.find(
      (connection: { id: string }) => connection.id === id,
    );
    expect(listed.myPermission).toBe('use');
    expect(listed.allowedActions).not.toContain('connection.update');
  });

  it('without any grant every route answers 404', async () => {
    const id = await create('bob');
    const calls: [string, string, unknown?][] = [
      ['GET', `/connections/${id}`],
      ['PATCH', `/connections/${id}`, { name: 'mine now' }],
      ['DELETE', `/connections/${id}`],
      ['GET', `/connections/${id}/grants`],
      [
        'PUT',
        `/connections/${id}/grants`,
        { principal: { type: 'user', id: api.ids.dave }, permission: 'edit' },
      ],
      ['POST', `/connections/${id}/query`, { sql: 'select 1' }],
    ];
    for (const user of ['dave', 'carol'] as const) {
      for (const [method, path, payload] of calls) {
        const response = await api.call(user, method, path, payload);
        expect({ user, method, path, status: response.status }).toEqual({
          user,
          method,
          path,
          status: 404,
        });
      }
    }
    expect((await api.call('bob', 'GET', `/connections/${id}`)).body.name).toBe('Assay results');
  });

  it('`use` may see the connection and its grants but not change, grant or delete', async () => {
    const id = await create('bob');
    await grant('bob', id, 'dave', 'use');
    expect((await api.call('dave', 'GET', `/connections/${id}`)).status).toBe(200);
    expect((await api.call('dave', 'GET', `/connections/${id}/grants`)).status).toBe(200);
    expect((await api.call('dave', 'PATCH', `/connections/${id}`, { name: 'x' })).status).toBe(403);
    expect((await grant('dave', id, 'dave', 'edit')).status).toBe(403);
    expect((await api.call('dave', 'DELETE', `/connections/${id}`)).status).toBe(403);
    expect((await api.call('bob', 'GET', `/connections/${id}`)).body.name).toBe('Assay results');
  });

  it('`edit` may change, grant and delete', async () => {
    const id = await create('bob');
    await grant('bob', id, 'dave', 'edit');
    const renamed = await api.call('dave', 'PATCH', `/connections/${id}`, { name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed');
    expect((await grant('dave', id, 'bob', 'use')).status).toBe(200);
    expect((await api.call('bob', 'PATCH', `/connections/${id}`, { name: 'y' })).status).toBe(403);
    expect((await api.call('dave', 'DELETE', `/connections/${id}`)).status).toBe(204);
    expect((await api.call('dave', 'GET', `/connections/${id}`)).status).toBe(404);
    expect((await api.call('alice', 'GET', `/connections/${id}`)).status).toBe(404);
  });

  it('a Viewer cannot create, and cannot edit even with an `edit` grant', async () => {
    expect((await api.call('carol', 'POST', '/connections', body())).status).toBe(403);
    const id = await create('bob');
    await grant('bob', id, 'carol', 'edit');
    const seen = await api.call('carol', 'GET', `/connections/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.myPermission).toBe('edit');
    expect(seen.body.allowedActions).toEqual(
      expect.arrayContaining(['connection.view', 'connection.query']),
    );
    for (const action of ['connection.update', 'connection.delete', 'connection.grants.manage']) {
      expect(seen.body.allowedActions).not.toContain(action);
    }
    expect((await api.call('carol', 'PATCH', `/connections/${id}`, { name: 'x' })).status).toBe(
      403,
    );
    expect((await grant('carol', id, 'dave', 'use')).status).toBe(403);
    expect((await api.call('carol', 'DELETE', `/connections/${id}`)).status).toBe(403);
  });

  it('grants go to groups too, and reach members', async () => {
    const id = await create('bob');
    const groupId = crypto.randomUUID();
    await api.server.store.db.execute(
      sql`insert into groups (id, name, source, created_at) values (${groupId}, ${`chemists-${groupId}`}, 'local', now())`,
    );
    await api.server.store.db.execute(
      sql`insert into group_members (group_id, user_id) values (${groupId}, ${api.ids.dave})`,
    );
    const granted = await api.call('bob', 'PUT', `/connections/${id}/grants`, {
      principal: { type: 'group', id: groupId },
      permission: 'use',
    });
    expect(granted.status).toBe(200);
    const seen = await api.call('dave', 'GET', `/connections/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.myPermission).toBe('use');
    const removed = await api.call('bob', 'PUT', `/connections/${id}/grants`, {
      principal: { type: 'group', id: groupId },
      permission: null,
    });
    expect(removed.status).toBe(200);
    expect((await api.call('dave', 'GET', `/connections/${id}`)).status).toBe(404);
  });

  it('the last `edit` grant cannot be removed or lowered', async () => {
    const id = await create('bob');
    const removal = await grant('bob', id, 'bob', null);
    expect(removal.status).toBe(409);
    expect(removal.body.error.code).toBe('last_editor');
    expect((await grant('bob', id, 'bob', 'use')).status).toBe(409);
    expect((await grant('alice', id, 'bob', null)).status).toBe(409);
    await grant('bob', id, 'dave', 'edit');
    expect((await grant('bob', id, 'bob', null)).status).toBe(200);
    expect((await api.call('bob', 'GET', `/connections/${id}`)).status).toBe(404);
    expect((await grant('dave', id, 'bob', null)).status).toBe(404);
  });

  describe('the last `edit` holder', () => {
    let counter = 0;
    const uniqueName = (name: string) => `${name}-${(counter += 1)}`;
    const groupWith = (members: string[], subgroups: string[] = []) =>
      insertGroup(api.server.store.db, uniqueName('editors'), { members, subgroups });
    const grantTo = (id: string, type: 'user' | 'group', principalId: string) =>
      api.call('bob', 'PUT', `/connections/${id}/grants`, {
        principal: { type, id: principalId },
        permission: 'edit',
      });

    /** Bob dropping his own `edit` grant and lowering it must both be refused, changing nothing. */
    async function expectBobCannotLetGo(id: string) {
      const before = await api.call('bob', 'GET', `/connections/${id}/grants`);
      for (const permission of [null, 'use'] as const) {
        const refused = await grant('bob', id, 'bob', permission);
        expect(refused.status, String(permission)).toBe(409);
        expect(refused.body.error.code).toBe('last_editor');
      }
      expect((await api.call('bob', 'GET', `/connections/${id}/grants`)).body).toEqual(before.body);
      expect((await api.call('bob', 'GET', `/connections/${id}`)).body.myPermission).toBe('edit');
    }

    it('is not replaced by an `edit` grant to an empty group', async () => {
      const id = await create('bob');
      expect((await grantTo(id, 'group', await groupWith([]))).status).toBe(200);
      await expectBobCannotLetGo(id);
    });

    it('is not replaced by an `edit` grant to a disabled account, nor to its group', async () => {
      const id = await create('bob');
      const former = await insertDisabledUser(api.server.store.db, uniqueName('former'));
      expect((await grantTo(id, 'user', former)).status).toBe(200);
      expect((await grantTo(id, 'group', await groupWith([former]))).status).toBe(200);
      await expectBobCannotLetGo(id);
    });

    it('may let go once a group with an enabled member, through nesting, holds `edit`', async () => {
      const id = await create('bob');
      const team = await groupWith([], [await groupWith([api.ids.dave])]);
      expect((await grantTo(id, 'group', team)).status).toBe(200);
      expect((await grant('bob', id, 'bob', null)).status).toBe(200);
      expect((await api.call('dave', 'GET', `/connections/${id}`)).body.myPermission).toBe('edit');
      const lowered = await api.call('dave', 'PUT', `/connections/${id}/grants`, {
        principal: { type: 'group', id: team },
        permission: 'use',
      });
      expect(lowered.status).toBe(409);
      expect(lowered.body.error.code).toBe('last_editor');
    });
  });

  it('changing where the password goes needs the password again', async () => {
    const id = await create('bob');
    for (const change of [
      { host: 'evil.example.org' },
      { port: 5433 },
      { user: 'postgres' },
      { ssl: true },
    ]) {
      const refused = await api.call('bob', 'PATCH', `/connections/${id}`, change);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('password_required');
    }
    expect((await api.call('bob', 'GET', `/connections/${id}`)).body.host).toBe('127.0.0.1');
    const same = await api.call('bob', 'PATCH', `/connections/${id}`, {
      host: '127.0.0.1',
      database: 'other',
    });
    expect(same.status).toBe(200);
    expect(same.body.database).toBe('other');
    const moved = await api.call('bob', 'PATCH', `/connections/${id}`, {
      host: 'db.example.org',
      password: 'a-new-one',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ host: 'db.example.org', hasPassword: true });
  });

  it('records each change in the audit trail without the secret', async () => {
    const id = await create('bob', { password: 'audited-password-1' });
    await api.call('bob', 'PATCH', `/connections/${id}`, { password: 'audited-password-2' });
    const events = await api.server.store.rows<{
      action: string;
      details: unknown;
      before: unknown;
      after: unknown;
    }>(
      sql`select action, details, before, after from audit_events where resource_id = ${id} order by seq`,
    );
    expect(events.map((event) => event.action)).toEqual(['connection.create', 'connection.update']);
    expect(events[0]?.after).toMatchObject({
      settings: { host: '127.0.0.1', port: 1, database: 'assays', user: 'reader', ssl: false },
      hasPassword: true,
    });
    expect(events[1]?.details).toMatchObject({ passwordChanged: true });
    expect(JSON.stringify(events)).not.toMatch(/audited-password/);
  });

  it('are all in the OpenAPI document, the password write-only', () => {
    // Built from these routes alone, so another feature's document problem cannot hide ours.
    const document = new OpenAPIHono()
      .route(
        '/',
        connectionRoutes({
          statementTimeoutMs: 1000,
          rowLimit: 10,
          allowedHosts: HostAllowList.ANY,
        }),
      )
      .getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'connections', version: '0' } });
    const paths = document.paths ?? {};
    expect(Object.keys(paths['/connections'] ?? {})).toEqual(['get', 'post']);
    expect(Object.keys(paths['/connections/{id}'] ?? {})).toEqual(['get', 'patch', 'delete']);
    expect(Object.keys(paths['/connections/{id}/grants'] ?? {})).toEqual(['get', 'put']);
    expect(JSON.stringify(paths['/connections/{id}/query'])).toContain(
      'application/vnd.apache.arrow.stream',
    );
    const schemas = JSON.parse(JSON.stringify(document.components?.schemas ?? {})) as Record<
      string,
      { properties?: Record<string, unknown> }
    >;
    expect(schemas.CreateConnection?.properties?.password).toMatchObject({ writeOnly: true });
    expect(schemas.Connection?.properties).not.toHaveProperty('password');
  });

  describe('bad input gets 400 and changes nothing', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['an unknown field', { owner: 'alice' }],
      ['port 0', { port: 0 }],
      ['port 70000', { port: 70000 }],
      ['a port as text', { port: '5432' }],
      ['a fractional port', { port: 5432.5 }],
      ['a host with a path', { host: 'db.example.org/other' }],
      ['a Unix socket', { host: '/var/run/postgresql' }],
      ['a host with a user', { host: 'reader@db.example.org' }],
      ['a URL as host', { host: 'postgres://db.example.org:5432/x' }],
      ['a host with a port', { host: 'db.example.org:5432' }],
      ['a host with a space', { host: 'db example' }],
      ['an empty host', { host: '' }],
      ['another kind', { kind: 'mysql' }],
      ['no password', { password: undefined }],
      ['an empty password', { password: '' }],
      ['SQL in the name', { name: "x'); drop table connections; --\u0000" }],
      ['a control character in the user', { user: 'read\ner' }],
      ['a database name too long', { database: 'd'.repeat(64) }],
    ];
    it.each(cases)('%s', async (_label, overrides) => {
      const [connections, audit] = [await count('connections'), await count('audit_events')];
      const response = await api.call('bob', 'POST', '/connections', body(overrides));
      expect(response.status).toBe(400);
      expect(await count('connections')).toBe(connections);
      expect(await count('audit_events')).toBe(audit);
    });

    it('accepts hostnames and IP addresses', async () => {
      for (const host of [
        'db',
        'db-1.lab.example.org',
        'postgres_primary',
        '10.0.0.7',
        '::1',
        'fe80::1',
      ]) {
        expect((await api.call('bob', 'POST', '/connections', body({ host }))).status).toBe(201);
      }
    });

    it('refuses bad changes, bad grants and a path trick in the id', async () => {
      const id = await create('bob');
      const before = await api.call('bob', 'GET', `/connections/${id}`);
      const grants = await count('connection_grants');
      for (const change of [{}, { port: 0 }, { host: 'a/b', password: 'x' }, { secret: 'x' }]) {
        expect((await api.call('bob', 'PATCH', `/connections/${id}`, change)).status).toBe(400);
      }
      for (const payload of [
        { principal: { type: 'user', id: api.ids.dave }, permission: 'admin' },
        { principal: { type: 'role', id: api.ids.dave }, permission: 'use' },
        { principal: { type: 'user', id: '../../etc' }, permission: 'use' },
        { principal: { type: 'user', id: api.ids.dave } },
        { principal: { type: 'user', id: api.ids.dave }, permission: 'use', extra: 1 },
      ]) {
        expect((await api.call('bob', 'PUT', `/connections/${id}/grants`, payload)).status).toBe(
          400,
        );
      }
      const stranger = await api.call('bob', 'PUT', `/connections/${id}/grants`, {
        principal: { type: 'user', id: crypto.randomUUID() },
        permission: 'use',
      });
      expect(stranger.status).toBe(404);
      expect((await api.call('bob', 'GET', '/connections/..%2F..%2Fetc')).status).toBe(400);
      expect((await api.call('bob', 'GET', `/connections/${id}`)).body).toEqual(before.body);
      expect(await count('connection_grants')).toBe(grants);
    });

    it('refuses a query that is too long or not a query', async () => {
      const id = await create('bob');
      const audit = await count('audit_events');
      for (const payload of [
        { sql: 'x'.repeat(100_001) },
        { sql: '' },
        { sql: 1 },
        { query: 'select 1' },
        { sql: 'select 1', limit: 5 },
      ]) {
        expect((await api.call('bob', 'POST', `/connections/${id}/query`, payload)).status).toBe(
          400,
        );
      }
      expect(await count('audit_events')).toBe(audit);
    });
  });
});

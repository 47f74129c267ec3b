/**
 * Bad input, on every route of the API at once: walks the OpenAPI document (so a route added
 * later is walked too) and sends each mutating route wrong types, unknown fields, SQL and path
 * tricks in ids, bodies that are not JSON and bodies over the limit — as an Admin, so nothing is
 * stopped by a missing permission. Each must get a 4xx in the one error shape, and the store must
 * be exactly as it was.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDigests } from './store/testing.ts';
import { startApiTestServer, type ApiTestServer } from './test-api.ts';

interface Operation {
  method: string;
  path: string;
  jsonBody: boolean;
}

let api: ApiTestServer;
let operations: Operation[];
const real: Record<string, string> = {};

/** Every row of every table a route may change, as one comparable value. */
async function storeSnapshot(): Promise<string> {
  const tables = [
    'users',
    'groups',
    'group_members',
    'group_nesting',
    'projects',
    'project_members',
    'dashboards',
    'datasets',
    'dataset_versions',
    'connections',
    'connection_grants',
    'access_rules',
    'access_rule_groups',
  ];
  return JSON.stringify(await tableDigests(api.server.store, tables));
}

/** Fills path parameters with the fixture's real ids, by the resource each path is about. */
function withRealIds(path: string): string {
  const resource = path.split('/')[1] ?? '';
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'id') return real[resource] ?? crypto.randomUUID();
    if (name === 'type') return 'user';
    if (name === 'n') return '1';
    if (name === 'resourceType') return 'project';
    if (name === 'resourceId') return real.projects ?? crypto.randomUUID();
    if (name === 'userId' || name === 'principalId') return real.users ?? crypto.randomUUID();
    if (name === 'childId') return real.childGroup ?? crypto.randomUUID();
    return crypto.randomUUID();
  });
}

beforeAll(async () => {
  api = await startApiTestServer();
  const document = (await (await fetch(`${api.server.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        jsonBody: Boolean(operation.requestBody?.content?.['application/json']),
      })),
  );
  const project = await api.call('alice', 'POST', '/projects', { name: 'Fixture' });
  real.projects = project.body.id;
  real.users = api.ids.dave;
  const dashboard = await api.call('alice', 'POST', `/projects/${real.projects}/dashboards`, {
    title: 'Fixture',
    spec: { version: 1, views: [] },
  });
  real.dashboards = dashboard.body?.id;
  const dataset = await api.call('alice', 'POST', `/projects/${real.projects}/datasets`, {
    name: 'Fixture',
  });
  real.datasets = dataset.body?.id;
  const group = await api.call('alice', 'POST', '/groups', { name: 'fixture' });
  real.groups = group.body?.id;
  const child = await api.call('alice', 'POST', '/groups', { name: 'fixture-child' });
  real.childGroup = child.body?.id;
}, 60_000);
afterAll(() => api?.close());

const wrongTypes = {
  name: 12,
  title: ['x'],
  description: { nested: true },
  spec: 'not a spec',
  role: 'superuser',
  principal: { type: 'robot', id: 'x' },
  permission: 'all',
  tags: 'sensitivity=restricted',
  groupIds: 'everyone',
  sql: 42,
  systemRole: 'root',
  disabled: 'yes',
  admin: 'true',
  port: '5432; drop table users',
};

const badBodies: { label: string; body: string }[] = [
  { label: 'wrong types', body: JSON.stringify(wrongTypes) },
  {
    label: 'unknown fields only',
    body: JSON.stringify({ isAdmin: true, ownerId: crypto.randomUUID() }),
  },
  {
    label: 'prototype pollution',
    body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}',
  },
  { label: 'not JSON', body: "{'name': 'x'" },
  { label: 'JSON null', body: 'null' },
  { label: 'an array', body: '[{"name":"x"}]' },
];

const badIds = [
  '..%2F..%2Fetc%2Fpasswd',
  "1'%20OR%20'1'%3D'1",
  '00000000-0000-0000-0000-00000000000g',
  '%00',
];

describe('hostile input on every mutating route', () => {
  it('walks a table that holds the collaboration routes', () => {
    const names = operations.map((operation) => `${operation.method} ${operation.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /projects',
        'PUT /projects/{id}/members',
        'PATCH /dashboards/{id}',
        'POST /groups',
        'POST /connections',
        'PUT /access/tags/{resourceType}/{resourceId}',
      ]),
    );
  });

  it('refuses malformed bodies on real resources with a 4xx and changes nothing', async () => {
    const before = await storeSnapshot();
    for (const operation of operations.filter((candidate) => candidate.jsonBody)) {
      const path = withRealIds(operation.path);
      for (const { label, body } of badBodies) {
        const response = await api.call('alice', operation.method, path, body, {
          'content-type': 'application/json',
        });
        const where = `${operation.method} ${operation.path} with ${label}`;
        expect(response.status, where).toBeGreaterThanOrEqual(400);
        expect(response.status, where).toBeLessThan(500);
        expect(response.body?.error?.code, where).toBeTruthy();
      }
    }
    expect(await storeSnapshot()).toBe(before);
  });

  it('refuses ids that are not UUIDs (path tricks, SQL, NUL) with a 4xx and changes nothing', async () => {
    const before = await storeSnapshot();
    for (const operation of operations.filter((candidate) => candidate.path.includes('{'))) {
      for (const badId of badIds) {
        const path = operation.path.replace(/\{\w+\}/g, badId);
        const response = await api.call('alice', operation.method, path, '{}', {
          'content-type': 'application/json',
        });
        const where = `${operation.method} ${path}`;
        expect(response.status, where).toBeGreaterThanOrEqual(400);
        expect(response.status, where).toBeLessThan(500);
      }
    }
    expect(await storeSnapshot()).toBe(before);
  });

  it('refuses bodies over the limit with 413 and changes nothing', async () => {
    const before = await storeSnapshot();
    const huge = JSON.stringify({ name: 'x'.repeat(api.server.config.maxRequestBodyBytes + 10) });
    for (const operation of operations.filter((candidate) => candidate.jsonBody)) {
      const response = await api.call(
        'alice',
        operation.method,
        withRealIds(operation.path),
        huge,
        {
          'content-type': 'application/json',
        },
      );
      expect(response.status, `${operation.method} ${operation.path}`).toBe(413);
    }
    expect(await storeSnapshot()).toBe(before);
  });

  it('keeps names with SQL in them as plain text', async () => {
    const name = "Robert'); DROP TABLE projects;--";
    const created = await api.call('alice', 'POST', '/projects', { name });
    expect(created.status).toBe(201);
    expect((await api.call('alice', 'GET', `/projects/${created.body.id}`)).body.name).toBe(name);
    const rows = await api.server.store.rows(sql`select count(*)::int as n from projects`);
    expect(rows[0]).toMatchObject({ n: expect.any(Number) });
  });
});

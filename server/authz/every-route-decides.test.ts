/**
 * "Every route asks the policy, and every denial is audited", proven on the route table itself
 * (walked from the OpenAPI document, so a route added later is walked too): carol, a Viewer with
 * no grant on anything, calls every route that names a resource, on real resources an Admin made.
 * Each call must be denied (403 or 404), leave the store unchanged, and leave an audit event with
 * outcome `denied` under the same request id.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../store/index.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

let api: ApiTestServer;
let operations: { method: string; path: string }[];
const real: Record<string, string> = {};

/** Routes that name a resource but are the caller's own business. */
const selfService = new Set<string>([]);

function withRealIds(path: string): string {
  const resource = path.split('/')[1] ?? '';
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'id') return real[resource] ?? '';
    if (name === 'type') return 'user';
    if (name === 'n') return '1';
    if (name === 'resourceType') return 'project';
    if (name === 'resourceId') return real.projects ?? '';
    if (name === 'userId' || name === 'principalId') return api.ids.dave;
    if (name === 'childId') return real.childGroup ?? '';
    return '';
  });
}

async function changeableRows(): Promise<number> {
  const [row] = await api.server.store.rows<{ n: number }>(sql`
    select (select count(*) from projects) + (select count(*) from project_members)
      + (select count(*) from dashboards) + (select count(*) from datasets)
      + (select count(*) from dataset_versions) + (select count(*) from groups)
      + (select count(*) from group_members) + (select count(*) from connections)
      + (select count(*) from connection_grants) + (select count(*) from access_rules) as n`);
  return Number(row?.n);
}

beforeAll(async () => {
  api = await startApiTestServer();
  const document = (await (await fetch(`${api.server.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
  const project = await api.call('alice', 'POST', '/projects', { name: 'Secret project' });
  real.projects = project.body.id;
  real.dashboards = (
    await api.call('alice', 'POST', `/projects/${real.projects}/dashboards`, {
      title: 'Secret dashboard',
      spec: { version: 1, views: [] },
    })
  ).body.id;
  const dataset = await api.call('alice', 'POST', `/projects/${real.projects}/datasets`, {
    name: 'Secret dataset',
  });
  real.datasets = dataset.body.id;
  await api.call('alice', 'POST', `/datasets/${real.datasets}/versions`, 'a,b\n1,2\n', {
    'content-type': 'text/csv',
  });
  real.groups = (await api.call('alice', 'POST', '/groups', { name: 'secret-group' })).body.id;
  real.childGroup = (await api.call('alice', 'POST', '/groups', { name: 'secret-child' })).body.id;
  real.connections = (
    await api.call('alice', 'POST', '/connections', {
      name: 'Secret LIMS',
      kind: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'lims',
      user: 'reader',
      password: 'never-shown-1',
    })
  ).body.id;
  real.users = api.ids.dave;
  real.rules = (
    await api.call('alice', 'POST', '/access/rules', {
      tagKey: 'sensitivity',
      tagValue: 'secret',
      groupIds: [],
    })
  ).body.id;
  real.access = real.rules ?? '';
  for (const [name, value] of Object.entries(real)) expect(value, name).toMatch(/^[0-9a-f-]{36}$/);
}, 60_000);
afterAll(() => api?.close());

describe('every route asks the policy', () => {
  it('denies a stranger on every route that names a resource, audits it, and changes nothing', async () => {
    const walked = operations.filter(
      (operation) =>
        operation.path.includes('{') && !selfService.has(`${operation.method} ${operation.path}`),
    );
    expect(walked.length).toBeGreaterThan(20);
    const before = await changeableRows();
    const failures: string[] = [];
    for (const operation of walked) {
      const path = withRealIds(operation.path);
      const body = operation.method === 'GET' || operation.method === 'DELETE' ? undefined : {};
      const response = await api.call('carol', operation.method, path, body);
      const where = `${operation.method} ${operation.path}`;
      // An empty body may fail validation first (400, or 415 for an upload that is not a file);
      // that is refused before any decision, and reads nothing.
      if (response.status === 400 || response.status === 415) continue;
      if (![403, 404].includes(response.status)) {
        failures.push(`${where}: ${response.status}`);
        continue;
      }
      const requestId = response.body?.error?.requestId;
      const denials = await api.server.store.db
        .select({ id: schema.auditEvents.id })
        .from(schema.auditEvents)
        .where(
          and(
            eq(schema.auditEvents.requestId, requestId),
            eq(schema.auditEvents.outcome, 'denied'),
          ),
        );
      if (denials.length !== 1) failures.push(`${where}: ${denials.length} denial events`);
    }
    expect(failures).toEqual([]);
    expect(await changeableRows()).toBe(before);
  });

  it('denies with a valid body too (no route decides only after reading the body)', async () => {
    const bodies: Record<string, unknown> = {
      'PATCH /projects/{id}': { name: 'taken over' },
      'PUT /projects/{id}/members': {
        principal: { type: 'user', id: api.ids.carol },
        role: 'owner',
      },
      'PATCH /dashboards/{id}': { title: 'defaced' },
      'PATCH /groups/{id}': { name: 'renamed' },
      'PUT /connections/{id}/grants': {
        principal: { type: 'user', id: api.ids.carol },
        permission: 'edit',
      },
      'POST /connections/{id}/query': { sql: 'select 1' },
      'PUT /access/tags/{resourceType}/{resourceId}': { tags: { sensitivity: 'public' } },
    };
    for (const [route, body] of Object.entries(bodies)) {
      const [method, path] = route.split(' ') as [string, string];
      const response = await api.call('carol', method, withRealIds(path), body);
      expect([403, 404], route).toContain(response.status);
    }
  });
});

/**
 * "Every route asks the policy, and every denial is audited", proven on the route table itself
 * (walked from the OpenAPI document, so a route added later is walked too): carol, a Viewer with
 * no grant on anything, calls every route that names a resource, on real resources an Admin made,
 * with a valid body where the route takes one (so that validation cannot answer first). Each call
 * must be denied (403 or 404), leave the store unchanged, and leave an audit event with outcome
 * `denied` under the same request id.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginZip, testPlugin } from '../plugins/testing.ts';
import { schema } from '../store/index.ts';
import { storeTargets, tableDigests, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

let api: ApiTestServer;
interface Operation {
  method: string;
  path: string;
  hasBody: boolean;
}
let operations: Operation[];
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
    if (name === 'instanceId') return real['plugin-instances'] ?? '';
    if (name === 'eventId') return real.events ?? '';
    return '';
  });
}

function routeKey(operation: Operation): string {
  return `${operation.method} ${operation.path}`;
}

interface ValidRequest {
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A valid request body for each route that takes one: what a stranger would send to take the
 * resource over.
 */
function validRequests(): Record<string, ValidRequest> {
  const carol = { type: 'user', id: api.ids.carol };
  return {
    'PATCH /groups/{id}': { body: { name: 'taken over' } },
    'PUT /groups/{id}/members/{userId}': { body: { admin: true } },
    'PATCH /users/{id}': { body: { systemRole: 'admin' } },
    'PATCH /projects/{id}': { body: { name: 'taken over' } },
    'PUT /projects/{id}/members': { body: { principal: carol, role: 'owner' } },
    'POST /projects/{id}/dashboards': {
      body: { title: 'planted', spec: { version: 1, views: [] } },
    },
    'PATCH /dashboards/{id}': { body: { title: 'defaced' } },
    'POST /projects/{id}/datasets': { body: { name: 'planted' } },
    'POST /datasets/{id}/versions': {
      body: 'a,b\n6,6\n',
      headers: { 'content-type': 'text/csv' },
    },
    'PATCH /connections/{id}': { body: { name: 'taken over' } },
    'PUT /connections/{id}/grants': { body: { principal: carol, permission: 'edit' } },
    'POST /connections/{id}/query': { body: { sql: 'select 1' } },
    'PUT /access/tags/{resourceType}/{resourceId}': { body: { tags: { sensitivity: 'public' } } },
    'PUT /access/rules/{id}': { body: { groupIds: [real.groups] } },
    'PUT /plugins/{id}/consent': { body: { permissions: ['data:read', 'ui:panel'] } },
    'POST /plugins/{id}/launch': { body: { tableName: 'plates', columns: ['signal'] } },
    'POST /plugin-instances/{instanceId}/events': {
      body: { action: 'plugin.data_read', columns: ['signal'], rows: 1 },
    },
  };
}

/** Everything a route could change, as one string to compare before and after each call. */
async function storeContents(): Promise<string> {
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
    'plugins',
    'plugin_files',
    'broken_plugins',
    'plugin_consents',
    'plugin_instances',
    'plugin_policy_rules',
  ];
  return JSON.stringify(await tableDigests(api.server.store, tables));
}

// Also on a real PostgreSQL server when TEST_DATABASE_URL names one: there the routes run as the
// request role, under row-level security.
describe.each(storeTargets())('every route asks the policy, on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    // The ids of the previous target's resources are not this one's.
    for (const name of Object.keys(real)) delete real[name];
    store = await target.open();
    api = await startApiTestServer({ store });
    const document = (await (await fetch(`${api.server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, spec]) => ({
          method: method.toUpperCase(),
          path,
          hasBody: spec.requestBody !== undefined,
        })),
    );
    const project = await api.call('alice', 'POST', '/projects', { name: 'Secret project' });
    real.projects = project.body.id;
    // An event of alice's that carol may not see, for the revert route.
    real.events = (
      await api.server.store.db
        .select({ id: schema.auditEvents.id })
        .from(schema.auditEvents)
        .where(eq(schema.auditEvents.actorUserId, api.ids.alice))
        .limit(1)
    )[0]!.id;
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
    real.childGroup = (
      await api.call('alice', 'POST', '/groups', { name: 'secret-child' })
    ).body.id;
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
    for (const [name, value] of Object.entries(real)) {
      expect(value, name).toMatch(/^[0-9a-f-]{36}$/);
    }
    // A plugin blocked for everyone (so nobody but admins may even see it), with an instance
    // alice launched before the block.
    const plugin = await api.call(
      'alice',
      'POST',
      '/plugins',
      pluginZip(testPlugin({ id: 'test.secret', permissions: ['data:read', 'ui:panel'] })),
      { 'content-type': 'application/zip' },
    );
    expect(plugin.status).toBe(201);
    real.plugins = 'test.secret';
    await api.call('alice', 'PUT', '/plugins/test.secret/consent', {
      permissions: ['data:read', 'ui:panel'],
    });
    const launched = await api.call('alice', 'POST', '/plugins/test.secret/launch', {});
    expect(launched.status).toBe(201);
    real['plugin-instances'] = launched.body.instanceId;
    const block = await api.call('alice', 'POST', '/plugin-policies', {
      pluginId: 'test.secret',
      effect: 'block',
      groupIds: null,
    });
    expect(block.status).toBe(201);
    real['plugin-policies'] = block.body.id;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('denies a stranger on every route that names a resource, audits it, and changes nothing', async () => {
    const walked = operations.filter(
      (operation) => operation.path.includes('{') && !selfService.has(routeKey(operation)),
    );
    expect(walked.length).toBeGreaterThan(30);
    expect(walked.map(routeKey)).toEqual(
      expect.arrayContaining([
        'GET /plugins/{id}',
        'DELETE /plugins/{id}',
        'PUT /plugins/{id}/consent',
        'DELETE /plugins/{id}/consent',
        'POST /plugins/{id}/launch',
        'GET /plugin-instances/{instanceId}',
        'POST /plugin-instances/{instanceId}/events',
        'DELETE /plugin-instances/{instanceId}',
        'DELETE /plugin-policies/{id}',
      ]),
    );
    // Every route that takes a body is walked with a valid one, so that it is the decision, not
    // validation, that refuses it; a route added later without a body here fails this test.
    const requests = validRequests();
    const withBody = walked.filter((operation) => operation.hasBody).map(routeKey);
    expect(withBody.filter((route) => !(route in requests))).toEqual([]);
    expect(Object.keys(requests).filter((route) => !withBody.includes(route))).toEqual([]);
    const failures: string[] = [];
    for (const operation of walked) {
      const where = routeKey(operation);
      const request = requests[where];
      const before = await storeContents();
      const response = await api.call(
        'carol',
        operation.method,
        withRealIds(operation.path),
        request?.body,
        request?.headers,
      );
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
      if ((await storeContents()) !== before) failures.push(`${where}: changed the store`);
    }
    expect(failures).toEqual([]);
  });
});

/**
 * "Every change is an audit event with its state before and after", proven on the route table
 * itself (walked from the OpenAPI document, so a route added later must be added here or this
 * test fails): an Admin calls every route that is not a plain read, on real resources, and each
 * call must leave an `ok` event under its request id. Changes must carry the states: a creation
 * its `after`, a deletion its `before`, an update both. Then everything the Admin did is reverted
 * in one batch, newest first, and the store is back where it started: the recorded states are
 * the real ones, not decoration.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginZip, testPlugin } from '../plugins/testing.ts';
import { schema } from '../store/index.ts';
import { storeTargets, tableDigests, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

/** What a route is: a change shows in `before`/`after`, the rest are recorded acts. */
type Kind = 'create' | 'update' | 'upsert' | 'delete' | 'act';

interface Step {
  route: string;
  kind: Kind;
  path: () => string;
  body?: () => unknown;
  headers?: Record<string, string>;
  /** Remembers what the response made, for later steps. */
  keep?: (body: Record<string, unknown>) => void;
}

let api: ApiTestServer;
const made: Record<string, string> = {};

function steps(): Step[] {
  const dave = () => ({ type: 'user', id: api.ids.dave });
  return [
    {
      route: 'POST /projects',
      kind: 'create',
      path: () => '/projects',
      body: () => ({ name: 'Screening' }),
      keep: (body) => (made.project = String(body.id)),
    },
    {
      route: 'PATCH /projects/{id}',
      kind: 'update',
      path: () => `/projects/${made.project}`,
      body: () => ({ name: 'Screening 2', description: 'Renamed' }),
    },
    {
      route: 'PUT /projects/{id}/members',
      kind: 'upsert',
      path: () => `/projects/${made.project}/members`,
      body: () => ({ principal: dave(), role: 'editor' }),
    },
    {
      route: 'DELETE /projects/{id}/members/{type}/{principalId}',
      kind: 'delete',
      path: () => `/projects/${made.project}/members/user/${api.ids.dave}`,
    },
    {
      route: 'POST /projects/{id}/dashboards',
      kind: 'create',
      path: () => `/projects/${made.project}/dashboards`,
      body: () => ({ title: 'Plates', spec: { version: 1, views: [] } }),
      keep: (body) => (made.dashboard = String(body.id)),
    },
    {
      route: 'PATCH /dashboards/{id}',
      kind: 'update',
      path: () => `/dashboards/${made.dashboard}`,
      body: () => ({ title: 'Plates 2' }),
    },
    {
      route: 'POST /projects/{id}/datasets',
      kind: 'create',
      path: () => `/projects/${made.project}/datasets`,
      body: () => ({ name: 'Assay' }),
      keep: (body) => (made.dataset = String(body.id)),
    },
    {
      route: 'POST /datasets/{id}/versions',
      kind: 'update',
      path: () => `/datasets/${made.dataset}/versions`,
      body: () => 'a,b\n1,2\n',
      headers: { 'content-type': 'text/csv' },
    },
    {
      route: 'POST /datasets/{id}/versions/{n}/restore',
      kind: 'update',
      path: () => `/datasets/${made.dataset}/versions/1/restore`,
    },
    {
      route: 'POST /groups',
      kind: 'create',
      path: () => '/groups',
      body: () => ({ name: 'chemists' }),
      keep: (body) => (made.group = String(body.id)),
    },
    {
      route: 'POST /groups',
      kind: 'create',
      path: () => '/groups',
      body: () => ({ name: 'chemists-emea' }),
      keep: (body) => (made.childGroup = String(body.id)),
    },
    {
      route: 'PATCH /groups/{id}',
      kind: 'update',
      path: () => `/groups/${made.group}`,
      body: () => ({ name: 'medicinal chemists' }),
    },
    {
      route: 'PUT /groups/{id}/members/{userId}',
      kind: 'upsert',
      path: () => `/groups/${made.group}/members/${api.ids.dave}`,
      body: () => ({ admin: false }),
    },
    {
      route: 'DELETE /groups/{id}/members/{userId}',
      kind: 'delete',
      path: () => `/groups/${made.group}/members/${api.ids.dave}`,
    },
    {
      route: 'PUT /groups/{id}/subgroups/{childId}',
      kind: 'upsert',
      path: () => `/groups/${made.group}/subgroups/${made.childGroup}`,
    },
    {
      route: 'DELETE /groups/{id}/subgroups/{childId}',
      kind: 'delete',
      path: () => `/groups/${made.group}/subgroups/${made.childGroup}`,
    },
    {
      route: 'POST /connections',
      kind: 'create',
      path: () => '/connections',
      body: () => ({
        name: 'LIMS',
        kind: 'postgres',
        host: '127.0.0.1',
        port: 1,
        database: 'lims',
        user: 'reader',
        password: 'never-recorded-1',
      }),
      keep: (body) => (made.connection = String(body.id)),
    },
    {
      route: 'PATCH /connections/{id}',
      kind: 'update',
      path: () => `/connections/${made.connection}`,
      body: () => ({ name: 'LIMS (read only)' }),
    },
    {
      route: 'PUT /connections/{id}/grants',
      kind: 'upsert',
      path: () => `/connections/${made.connection}/grants`,
      body: () => ({ principal: dave(), permission: 'use' }),
    },
    {
      route: 'POST /connections/{id}/query',
      kind: 'act',
      path: () => `/connections/${made.connection}/query`,
      body: () => ({ sql: 'select 1 as coverage_marker' }),
    },
    {
      route: 'PUT /access/tags/{resourceType}/{resourceId}',
      kind: 'update',
      path: () => `/access/tags/project/${made.project}`,
      body: () => ({ tags: { sensitivity: 'restricted' } }),
    },
    {
      route: 'POST /access/rules',
      kind: 'create',
      path: () => '/access/rules',
      body: () => ({ tagKey: 'sensitivity', tagValue: 'restricted', groupIds: [] }),
      keep: (body) => (made.rule = String(body.id)),
    },
    {
      route: 'PUT /access/rules/{id}',
      kind: 'update',
      path: () => `/access/rules/${made.rule}`,
      body: () => ({ groupIds: [made.group] }),
    },
    {
      route: 'PATCH /users/{id}',
      kind: 'update',
      path: () => `/users/${api.ids.dave}`,
      body: () => ({ displayName: 'Dave D.' }),
    },
    {
      route: 'POST /users/{id}/password-reset',
      kind: 'update',
      path: () => `/users/${api.ids.dave}/password-reset`,
    },
    {
      route: 'POST /plugins',
      kind: 'create',
      path: () => '/plugins',
      body: () =>
        pluginZip(testPlugin({ id: 'test.coverage', permissions: ['data:read', 'ui:panel'] })),
      headers: { 'content-type': 'application/zip' },
    },
    {
      route: 'PUT /plugins/{id}/consent',
      kind: 'upsert',
      path: () => '/plugins/test.coverage/consent',
      body: () => ({ permissions: ['data:read', 'ui:panel'] }),
    },
    {
      route: 'POST /plugins/{id}/launch',
      kind: 'act',
      path: () => '/plugins/test.coverage/launch',
      body: () => ({ tableName: 'plates', columns: ['signal'] }),
      keep: (body) => (made.instance = String(body.instanceId)),
    },
    {
      route: 'POST /plugin-instances/{instanceId}/events',
      kind: 'act',
      path: () => `/plugin-instances/${made.instance}/events`,
      body: () => ({ action: 'plugin.data_read', columns: ['signal'], rows: 3 }),
    },
    {
      route: 'DELETE /plugin-instances/{instanceId}',
      kind: 'act',
      path: () => `/plugin-instances/${made.instance}`,
    },
    {
      route: 'DELETE /plugins/{id}/consent',
      kind: 'delete',
      path: () => '/plugins/test.coverage/consent',
    },
    {
      route: 'POST /plugin-policies',
      kind: 'create',
      path: () => '/plugin-policies',
      body: () => ({ pluginId: 'test.coverage', effect: 'block', groupIds: null }),
      keep: (body) => (made.policy = String(body.id)),
    },
    {
      route: 'DELETE /plugin-policies/{id}',
      kind: 'delete',
      path: () => `/plugin-policies/${made.policy}`,
    },
    {
      route: 'DELETE /plugins/{id}',
      kind: 'delete',
      path: () => '/plugins/test.coverage',
    },
    {
      route: 'DELETE /access/rules/{id}',
      kind: 'delete',
      path: () => `/access/rules/${made.rule}`,
    },
    {
      route: 'DELETE /connections/{id}',
      kind: 'delete',
      path: () => `/connections/${made.connection}`,
    },
    {
      route: 'DELETE /dashboards/{id}',
      kind: 'delete',
      path: () => `/dashboards/${made.dashboard}`,
    },
    {
      route: 'DELETE /datasets/{id}',
      kind: 'delete',
      path: () => `/datasets/${made.dataset}`,
    },
    {
      route: 'DELETE /groups/{id}',
      kind: 'delete',
      path: () => `/groups/${made.childGroup}`,
    },
    {
      route: 'DELETE /projects/{id}',
      kind: 'delete',
      path: () => `/projects/${made.project}`,
    },
  ];
}

/** The revert routes change things too; they are walked by the batch revert at the end. */
const walkedByTheRevert = new Set(['POST /audit/{eventId}/revert', 'POST /audit/revert-batch']);

/** Everything a route could change, one digest per table, to compare before and after. */
async function storeContents(): Promise<Record<string, string>> {
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
    'plugin_consents',
    'plugin_policy_rules',
  ];
  return tableDigests(api.server.store, tables);
}

describe.each(storeTargets())('every change is audited with its states, on $name', (target) => {
  let store: TestStore | undefined;
  let operations: string[];
  beforeAll(async () => {
    for (const name of Object.keys(made)) delete made[name];
    store = await target.open();
    api = await startApiTestServer({ store });
    const document = (await (await fetch(`${api.server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((method) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('walks every route that is not a plain read', () => {
    const walked = new Set([...steps().map((step) => step.route), ...walkedByTheRevert]);
    expect(operations.filter((operation) => !walked.has(operation))).toEqual([]);
    expect([...walked].filter((route) => !operations.includes(route))).toEqual([]);
  });

  it('records each call as an ok event, changes with their states, and reverts them all', async () => {
    const initial = await storeContents();
    const [daveBefore] = await api.server.store.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.id, api.ids.dave));
    const since = new Date(Date.now() - 1000).toISOString();
    const failures: string[] = [];
    for (const step of steps()) {
      const response = await api.call(
        'alice',
        step.route.split(' ')[0]!,
        step.path(),
        step.body?.(),
        step.headers,
      );
      // The connection points at a closed port: the query is refused upstream (502), which is
      // still an act that must be recorded with its SQL text.
      const upstreamRefused = step.kind === 'act' && response.status === 502;
      if (response.status >= 400 && !upstreamRefused) {
        failures.push(`${step.route}: ${response.status} ${response.text.slice(0, 200)}`);
        continue;
      }
      step.keep?.(response.body as Record<string, unknown>);
      const requestId = response.headers.get('x-request-id') ?? '';
      const events = await api.server.store.db
        .select()
        .from(schema.auditEvents)
        .where(eq(schema.auditEvents.requestId, requestId))
        .orderBy(asc(schema.auditEvents.seq));
      const recorded = events.filter((event) => event.outcome === 'ok' || step.kind === 'act');
      if (recorded.length === 0) {
        failures.push(`${step.route}: no event under request ${requestId}`);
        continue;
      }
      if (step.kind === 'act') continue;
      const change = recorded.find((event) => event.before !== null || event.after !== null);
      const holds =
        change !== undefined &&
        (step.kind === 'create'
          ? change.before === null && change.after !== null
          : step.kind === 'delete'
            ? change.before !== null && change.after === null
            : step.kind === 'update'
              ? change.before !== null && change.after !== null
              : change.after !== null);
      if (!holds) {
        failures.push(
          `${step.route}: ${step.kind} recorded as ${JSON.stringify(
            recorded.map(({ action, before, after }) => ({ action, before, after })),
          ).slice(0, 400)}`,
        );
      }
    }
    expect(failures).toEqual([]);

    const query = await api.server.store.db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'connection.query'));
    expect(JSON.stringify(query.at(-1)?.details)).toContain('select 1 as coverage_marker');

    const batch = await api.call('alice', 'POST', '/audit/revert-batch', {
      actorUserId: api.ids.alice,
      from: since,
    });
    expect(batch.status, batch.text).toBe(200);
    const results = batch.body.results as { action: string; status: string; message: string }[];
    const unexpected = results.filter(
      (result) => !['reverted', 'not_revertible'].includes(result.status),
    );
    expect(unexpected).toEqual([]);
    // Only acts (launch, query, client events, password reset's secret) stay as they were done.
    expect(
      results
        .filter((result) => result.status === 'not_revertible')
        .map((result) => result.action)
        .sort(),
    ).toEqual(expect.arrayContaining(['connection.query', 'plugin.data_read', 'plugin.launch']));
    const after = await storeContents();
    const changedTables = Object.keys(initial).filter((table) => initial[table] !== after[table]);
    // A reset password cannot come back (it is not recorded), and a reset ends sign-ins.
    expect(changedTables.filter((table) => table !== 'users')).toEqual([]);
    const [dave] = await api.server.store.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.id, api.ids.dave));
    expect(dave?.displayName).toBe(daveBefore?.displayName);

    const verified = await api.call('alice', 'GET', '/audit/verify');
    expect(verified.body.ok).toBe(true);
  }, 120_000);
});

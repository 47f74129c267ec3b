/**
 * The permission matrix, through the HTTP API with the demo users: every system role (alice
 * Admin, dave User, carol Viewer) × every project role (none, viewer, editor, owner) × every
 * project-scoped action, each answered exactly as DESIGN §4 says; and every system role × every
 * plugin action, on a plugin the policy lets everyone run and on one it blocks for everyone. The
 * expected answers come from the tables below, written out on their own, not from the policy's
 * code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginZip, testPlugin } from '../plugins/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

type ProjectRole = 'none' | 'viewer' | 'editor' | 'owner';
type SystemRole = 'admin' | 'user' | 'viewer';

/** DESIGN §4: the least project role each action needs, and whether it only reads. */
const table = {
  'project.view': { needs: 'viewer', read: true },
  'project.members.view': { needs: 'viewer', read: true },
  'dashboard.view': { needs: 'viewer', read: true },
  'dataset.view': { needs: 'viewer', read: true },
  'dataset.download': { needs: 'viewer', read: true },
  'dashboard.create': { needs: 'editor', read: false },
  'dashboard.update': { needs: 'editor', read: false },
  'dataset.create': { needs: 'editor', read: false },
  'dataset.upload': { needs: 'editor', read: false },
  'project.update': { needs: 'owner', read: false },
  'project.members.manage': { needs: 'owner', read: false },
  'dashboard.delete': { needs: 'owner', read: false },
  'dataset.delete': { needs: 'owner', read: false },
  'project.delete': { needs: 'owner', read: false },
} as const;
type MatrixAction = keyof typeof table;

const rank: Record<ProjectRole, number> = { none: 0, viewer: 1, editor: 2, owner: 3 };

/** The status DESIGN §4 promises: 2xx when allowed, 404 with no role at all, else 403. */
function expectedStatus(systemRole: SystemRole, projectRole: ProjectRole, action: MatrixAction) {
  if (systemRole === 'admin') return 'allowed';
  if (projectRole === 'none') return 404;
  const { needs, read } = table[action];
  if (rank[projectRole] < rank[needs]) return 403;
  if (systemRole === 'viewer' && !read) return 403;
  return 'allowed';
}

const subjects: { user: DemoUser; systemRole: SystemRole }[] = [
  { user: 'alice', systemRole: 'admin' },
  { user: 'dave', systemRole: 'user' },
  { user: 'carol', systemRole: 'viewer' },
];
const projectRoles: ProjectRole[] = ['none', 'viewer', 'editor', 'owner'];

let api: ApiTestServer;
let groupForGrants: string;

interface Fixture {
  projectId: string;
  dashboardId: string;
  datasetId: string;
}

/** A project owned by bob, with a dashboard and a dataset of one version; the subject gets `role`. */
async function fixture(user: DemoUser, role: ProjectRole): Promise<Fixture> {
  const project = await api.call('bob', 'POST', '/projects', { name: `${user} as ${role}` });
  expect(project.status).toBe(201);
  const projectId = project.body.id as string;
  if (role !== 'none') {
    const grant = await api.call('bob', 'PUT', `/projects/${projectId}/members`, {
      principal: { type: 'user', id: api.ids[user] },
      role,
    });
    expect(grant.status).toBe(200);
  }
  const dashboard = await api.call('bob', 'POST', `/projects/${projectId}/dashboards`, {
    title: 'Hits',
    spec: { version: 1, views: [] },
  });
  expect(dashboard.status).toBe(201);
  const dataset = await api.call('bob', 'POST', `/projects/${projectId}/datasets`, {
    name: 'Plates',
  });
  expect(dataset.status).toBe(201);
  const version = await api.call(
    'bob',
    'POST',
    `/datasets/${dataset.body.id}/versions`,
    'well,signal\nA1,0.5\n',
    { 'content-type': 'text/csv' },
  );
  expect(version.status).toBe(201);
  return { projectId, dashboardId: dashboard.body.id, datasetId: dataset.body.id };
}

/** Each action as the HTTP request that takes it; deletions come last, the project's last of all. */
const requests: Record<
  MatrixAction,
  (f: Fixture) => [method: string, path: string, body?: unknown, headers?: Record<string, string>]
> = {
  'project.view': (f) => ['GET', `/projects/${f.projectId}`],
  'project.members.view': (f) => ['GET', `/projects/${f.projectId}/members`],
  'dashboard.view': (f) => ['GET', `/dashboards/${f.dashboardId}`],
  'dataset.view': (f) => ['GET', `/datasets/${f.datasetId}`],
  'dataset.download': (f) => ['GET', `/datasets/${f.datasetId}/versions/1/data`],
  'dashboard.create': (f) => [
    'POST',
    `/projects/${f.projectId}/dashboards`,
    { title: 'New', spec: { version: 1, views: [] } },
  ],
  'dashboard.update': (f) => ['PATCH', `/dashboards/${f.dashboardId}`, { title: 'Renamed' }],
  'dataset.create': (f) => ['POST', `/projects/${f.projectId}/datasets`, { name: 'More plates' }],
  'dataset.upload': (f) => [
    'POST',
    `/datasets/${f.datasetId}/versions`,
    'well,signal\nA2,0.7\n',
    { 'content-type': 'text/csv' },
  ],
  'project.update': (f) => ['PATCH', `/projects/${f.projectId}`, { description: 'changed' }],
  'project.members.manage': (f) => [
    'PUT',
    `/projects/${f.projectId}/members`,
    { principal: { type: 'group', id: groupForGrants }, role: 'viewer' },
  ],
  'dashboard.delete': (f) => ['DELETE', `/dashboards/${f.dashboardId}`],
  'dataset.delete': (f) => ['DELETE', `/datasets/${f.datasetId}`],
  'project.delete': (f) => ['DELETE', `/projects/${f.projectId}`],
};

beforeAll(async () => {
  api = await startApiTestServer();
  const group = await api.call('alice', 'POST', '/groups', { name: 'matrix-readers' });
  expect(group.status).toBe(201);
  groupForGrants = group.body.id;
}, 60_000);
afterAll(() => api?.close());

describe('the permission matrix over HTTP', () => {
  for (const { user, systemRole } of subjects) {
    for (const projectRole of projectRoles) {
      it(`${user} (system ${systemRole}) holding ${projectRole} on a project`, async () => {
        const f = await fixture(user, projectRole);
        const outcomes: string[] = [];
        const expected: string[] = [];
        for (const action of Object.keys(requests) as MatrixAction[]) {
          const [method, path, body, headers] = requests[action](f);
          const response = await api.call(user, method, path, body, headers);
          const want = expectedStatus(systemRole, projectRole, action);
          const got = response.status >= 200 && response.status < 300 ? 'allowed' : response.status;
          outcomes.push(`${action}: ${got}`);
          expected.push(`${action}: ${want}`);
        }
        expect(outcomes).toEqual(expected);
      });
    }
  }
});

/**
 * Issue 6 and the plugin contract: anyone signed in may list, see, consent to and launch a plugin
 * the policy lets them run, and use their own instances (a Viewer too: a plugin writes only to
 * the user's local table); uploads, removal and policy rules are Admin business. A plugin
 * blocked for everyone is hidden from non-admins (404); Admins see it but are not exempt.
 */
const pluginTable = {
  'plugin.list': { everyone: true, blocked: 'n/a' },
  'plugin.view': { everyone: true, blocked: 'admins see it' },
  'plugin.consent': { everyone: true, blocked: 'nobody' },
  'plugin.launch': { everyone: true, blocked: 'nobody' },
  'plugin.instance.use': { everyone: true, blocked: 'n/a' },
  'plugin.upload': { everyone: false, blocked: 'n/a' },
  'plugin.policy.view': { everyone: false, blocked: 'n/a' },
  'plugin.policy.manage': { everyone: false, blocked: 'n/a' },
  'plugin.delete': { everyone: false, blocked: 'admins only' },
} as const;
type PluginMatrixAction = keyof typeof pluginTable;

function expectedPluginStatus(
  systemRole: SystemRole,
  action: PluginMatrixAction,
  blocked: boolean,
): 'allowed' | 403 | 404 {
  const { everyone, blocked: whenBlocked } = pluginTable[action];
  if (blocked && whenBlocked !== 'n/a') {
    if (systemRole !== 'admin') return 404;
    if (whenBlocked === 'nobody') return 403;
    return 'allowed';
  }
  if (everyone || systemRole === 'admin') return 'allowed';
  return 403;
}

describe('the plugin permission matrix over HTTP', () => {
  let serial = 0;
  /** A fresh uploaded plugin (so deleting it leaves the others), blocked for everyone or not. */
  async function pluginFor(blocked: boolean): Promise<string> {
    serial += 1;
    const id = `matrix.plugin-${String(serial)}`;
    const uploaded = await api.call(
      'alice',
      'POST',
      '/plugins',
      pluginZip(testPlugin({ id, permissions: ['ui:panel'] })),
      { 'content-type': 'application/zip' },
    );
    expect(uploaded.status).toBe(201);
    if (blocked) {
      const rule = await api.call('alice', 'POST', '/plugin-policies', {
        pluginId: id,
        effect: 'block',
        groupIds: null,
      });
      expect(rule.status).toBe(201);
    }
    return id;
  }

  const pluginRequests: Record<
    PluginMatrixAction,
    (
      user: DemoUser,
      id: string,
    ) => Promise<[method: string, path: string, body?: unknown, headers?: Record<string, string>]>
  > = {
    'plugin.list': async () => ['GET', '/plugins'],
    'plugin.view': async (_user, id) => ['GET', `/plugins/${id}`],
    'plugin.consent': async (_user, id) => [
      'PUT',
      `/plugins/${id}/consent`,
      { permissions: ['ui:panel'] },
    ],
    'plugin.launch': async (_user, id) => ['POST', `/plugins/${id}/launch`, {}],
    'plugin.instance.use': async (user) => {
      const id = await pluginFor(false);
      await api.call(user, 'PUT', `/plugins/${id}/consent`, { permissions: ['ui:panel'] });
      const launched = await api.call(user, 'POST', `/plugins/${id}/launch`, {});
      return ['GET', `/plugin-instances/${launched.body.instanceId as string}`];
    },
    'plugin.upload': async () => {
      serial += 1;
      return [
        'POST',
        '/plugins',
        pluginZip(testPlugin({ id: `matrix.upload-${String(serial)}` })),
        { 'content-type': 'application/zip' },
      ];
    },
    'plugin.policy.view': async () => ['GET', '/plugin-policies'],
    'plugin.policy.manage': async (_user, id) => [
      'POST',
      '/plugin-policies',
      { pluginId: id, effect: 'allow', groupIds: null, endsAt: '2000-01-01T00:00:00Z' },
    ],
    'plugin.delete': async (_user, id) => ['DELETE', `/plugins/${id}`],
  };

  for (const { user, systemRole } of subjects) {
    for (const blocked of [false, true]) {
      it(`${user} (system ${systemRole}) on a plugin ${blocked ? 'blocked for everyone' : 'everyone may run'}`, async () => {
        const outcomes: string[] = [];
        const expected: string[] = [];
        for (const action of Object.keys(pluginRequests) as PluginMatrixAction[]) {
          const id = await pluginFor(blocked);
          // Consent first where the action needs one to succeed, as the UI does.
          if (action === 'plugin.launch' && !blocked) {
            await api.call(user, 'PUT', `/plugins/${id}/consent`, { permissions: ['ui:panel'] });
          }
          const [method, path, body, headers] = await pluginRequests[action](user, id);
          const response = await api.call(user, method, path, body, headers);
          const got = response.status >= 200 && response.status < 300 ? 'allowed' : response.status;
          outcomes.push(`${action}: ${got}`);
          expected.push(`${action}: ${expectedPluginStatus(systemRole, action, blocked)}`);
        }
        expect(outcomes).toEqual(expected);
      });
    }
  }
});

describe('the audit read matrix over HTTP', () => {
  for (const { user, systemRole } of subjects) {
    it(`${user} (system ${systemRole}) verifies the trail only as an Admin`, async () => {
      const response = await api.call(user, 'GET', '/audit/verify');
      expect(response.status).toBe(systemRole === 'admin' ? 200 : 403);
    });
    for (const projectRole of projectRoles) {
      it(`${user} (system ${systemRole}) holding ${projectRole} sees a project's events only as owner or Admin`, async () => {
        const project = await api.call('bob', 'POST', '/projects', {
          name: `audit ${user} as ${projectRole}`,
        });
        expect(project.status).toBe(201);
        if (projectRole !== 'none') {
          const grant = await api.call('bob', 'PUT', `/projects/${project.body.id}/members`, {
            principal: { type: 'user', id: api.ids[user] },
            role: projectRole,
          });
          expect(grant.status).toBe(200);
        }
        const event = await api.server.audit.record({
          action: 'project.update',
          actorUserId: api.ids.bob,
          resourceType: 'project',
          resourceId: project.body.id,
          projectId: project.body.id,
          outcome: 'ok',
        });
        const response = await api.call(user, 'GET', `/audit?projectId=${project.body.id}`);
        expect(response.status).toBe(200);
        const seen = (response.body.events as { id: string }[]).map((listed) => listed.id);
        const visible = systemRole === 'admin' || projectRole === 'owner';
        expect(seen.includes(event.id)).toBe(visible);
      });
    }
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

let api: ApiTestServer;
beforeAll(async () => {
  api = await startApiTestServer();
}, 60_000);
afterAll(() => api?.close());

describe('projects', () => {
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
});

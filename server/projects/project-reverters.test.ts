/**
 * Reverting project changes over real HTTP: renames, creations and deletions (with everything
 * the project held coming back with its ids), member changes, the conflicts that name the later
 * event, redoing by reverting a revert, and the policy deciding each revert as it stands now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';

interface Event {
  id: string;
  seq: number;
  action: string;
  actorUserId: string | null;
  resourceId: string | null;
  outcome: string;
  before: unknown;
  after: unknown;
  details: Record<string, unknown> | null;
}

let api: ApiTestServer;
let counter = 0;
const unique = (name: string) => `${name}-${++counter}`;

/** The newest event of an action on a resource, as an Admin reads it from the trail. */
async function lastEvent(action: string, resourceType: string, resourceId: string) {
  const query = new URLSearchParams({ action, resourceType, resourceId, limit: '1' });
  const { status, body } = await api.call<{ events: Event[] }>('alice', 'GET', `/audit?${query}`);
  expect(status).toBe(200);
  expect(body.events).toHaveLength(1);
  return body.events[0]!;
}

const revert = (user: DemoUser, eventId: string) =>
  api.call(user, 'POST', `/audit/${eventId}/revert`);

async function newProject(user: DemoUser = 'bob') {
  const created = await api.call(user, 'POST', '/projects', { name: unique('project') });
  expect(created.status).toBe(201);
  return created.body as { id: string; name: string };
}

async function rename(id: string, name: string, user: DemoUser = 'bob') {
  expect((await api.call(user, 'PATCH', `/projects/${id}`, { name })).status).toBe(200);
  return lastEvent('project.update', 'project', id);
}

async function nameOf(id: string) {
  return (await api.call('bob', 'GET', `/projects/${id}`)).body.name as string;
}

function grant(projectId: string, id: string, role: string, user: DemoUser = 'bob') {
  return api.call(user, 'PUT', `/projects/${projectId}/members`, {
    principal: { type: 'user', id },
    role,
  });
}

describe.each(storeTargets())('reverting project changes on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  it('reverts a rename, recording the revert with both states and what it reverted', async () => {
    const project = await newProject();
    const renamed = await rename(project.id, 'Renamed');
    const { status, body } = await revert('bob', renamed.id);
    expect(status).toBe(200);
    expect(body.reverted.id).toBe(renamed.id);
    expect(body.revert).toMatchObject({
      action: 'audit.revert',
      resourceType: 'project',
      resourceId: project.id,
      projectId: project.id,
      actorUserId: api.ids.bob,
      outcome: 'ok',
      before: { name: 'Renamed' },
      after: { name: project.name },
      details: {
        revertedEventId: renamed.id,
        revertedAction: 'project.update',
        revertedSeq: renamed.seq,
      },
    });
    expect(await nameOf(project.id)).toBe(project.name);
  });

  it('refuses (409) to revert a change made stale by a later one, naming it; then reverts in order', async () => {
    const project = await newProject();
    const first = await rename(project.id, 'First');
    const second = await rename(project.id, 'Second');
    const refused = await revert('bob', first.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('revert_conflict');
    expect(refused.body.error.laterEventId).toBe(second.id);
    expect(refused.body.error.message).toContain(
      `was changed afterwards by event ${second.id} (project.update by bob at `,
    );
    expect(refused.body.error.message).toMatch(/revert that first\.$/);
    expect(await nameOf(project.id)).toBe('Second');

    expect((await revert('bob', second.id)).status).toBe(200);
    expect((await revert('bob', first.id)).status).toBe(200);
    expect(await nameOf(project.id)).toBe(project.name);
  });

  it('redoes a change by reverting its revert', async () => {
    const project = await newProject();
    const renamed = await rename(project.id, 'Redone');
    const undone = await revert('bob', renamed.id);
    expect(await nameOf(project.id)).toBe(project.name);
    const redone = await revert('bob', undone.body.revert.id);
    expect(redone.status).toBe(200);
    expect(redone.body.revert.details.revertedAction).toBe('project.update');
    expect(await nameOf(project.id)).toBe('Redone');
    // The first revert is stale now: the redo changed the project after it.
    const stale = await revert('bob', undone.body.revert.id);
    expect(stale.status).toBe(409);
    expect(stale.body.error.laterEventId).toBe(redone.body.revert.id);
  });

  it('reverts a creation by deleting the project, and its revert brings it back with its id', async () => {
    const project = await newProject();
    const created = await lastEvent('project.create', 'project', project.id);
    expect(created.after).toEqual({
      id: project.id,
      name: project.name,
      description: '',
      tags: {},
    });
    const undone = await revert('bob', created.id);
    expect(undone.status).toBe(200);
    expect(undone.body.revert.after).toBeNull();
    expect(typeof undone.body.revert.details.snapshotId).toBe('string');
    expect((await api.call('bob', 'GET', `/projects/${project.id}`)).status).toBe(404);

    expect((await revert('bob', undone.body.revert.id)).status).toBe(200);
    const back = await api.call('bob', 'GET', `/projects/${project.id}`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: project.id, name: project.name, myRole: 'owner' });
  });

  it('reverts a deletion: the project, its members, dashboards, datasets and versions come back with their ids', async () => {
    const project = await newProject();
    expect((await grant(project.id, api.ids.carol, 'viewer')).status).toBe(200);
    const dashboard = await api.call('bob', 'POST', `/projects/${project.id}/dashboards`, {
      title: 'Plates',
      spec: { version: 1, views: [] },
    });
    expect(dashboard.status).toBe(201);
    const dataset = await api.call('bob', 'POST', `/projects/${project.id}/datasets`, {
      name: 'Assay',
    });
    expect(dataset.status).toBe(201);
    const uploaded = await api.call(
      'bob',
      'POST',
      `/datasets/${dataset.body.id}/versions`,
      new TextEncoder().encode('well,value\nA1,1.5\nA2,2.5\n'),
      { 'content-type': 'text/csv' },
    );
    expect(uploaded.status).toBe(201);
    const data = await api.call('bob', 'GET', `/datasets/${dataset.body.id}/versions/1/data`);
    const membersBefore = (await api.call('bob', 'GET', `/projects/${project.id}/members`)).body;

    expect((await api.call('bob', 'DELETE', `/projects/${project.id}`)).status).toBe(204);
    const deleted = await lastEvent('project.delete', 'project', project.id);
    expect(deleted.before).toMatchObject({ id: project.id, name: project.name });
    expect(deleted.after).toBeNull();
    expect(typeof deleted.details?.snapshotId).toBe('string');
    expect((await api.call('bob', 'GET', `/dashboards/${dashboard.body.id}`)).status).toBe(404);

    const restored = await revert('bob', deleted.id);
    expect(restored.status).toBe(200);
    expect(restored.body.revert.before).toBeNull();
    expect(restored.body.revert.after).toEqual(deleted.before);
    expect((await api.call('bob', 'GET', `/projects/${project.id}/members`)).body).toEqual(
      membersBefore,
    );
    expect((await api.call('carol', 'GET', `/projects/${project.id}`)).status).toBe(200);
    const dashboardBack = await api.call('bob', 'GET', `/dashboards/${dashboard.body.id}`);
    expect(dashboardBack.body).toMatchObject({ id: dashboard.body.id, title: 'Plates' });
    const dataBack = await api.call('bob', 'GET', `/datasets/${dataset.body.id}/versions/1/data`);
    expect(dataBack.status).toBe(200);
    expect(dataBack.text).toBe(data.text);
  });

  it('reverts member changes, and refuses a stale one naming the later change', async () => {
    const project = await newProject();
    const resource = `${project.id}/user/${api.ids.dave}`;
    expect((await grant(project.id, api.ids.dave, 'editor')).status).toBe(200);
    const granted = await lastEvent('project.members.update', 'project_member', resource);
    expect((await grant(project.id, api.ids.dave, 'viewer')).status).toBe(200);
    const demoted = await lastEvent('project.members.update', 'project_member', resource);

    const stale = await revert('bob', granted.id);
    expect(stale.status).toBe(409);
    expect(stale.body.error.laterEventId).toBe(demoted.id);

    const undemoted = await revert('bob', demoted.id);
    expect(undemoted.status).toBe(200);
    expect((await api.call('dave', 'GET', `/projects/${project.id}`)).body.myRole).toBe('editor');
    expect((await revert('bob', granted.id)).status).toBe(200);
    expect((await api.call('dave', 'GET', `/projects/${project.id}`)).status).toBe(404);

    expect((await grant(project.id, api.ids.dave, 'owner')).status).toBe(200);
    const removal = await api.call(
      'bob',
      'DELETE',
      `/projects/${project.id}/members/user/${api.ids.dave}`,
    );
    expect(removal.status).toBe(204);
    const removed = await lastEvent('project.members.remove', 'project_member', resource);
    expect((await revert('bob', removed.id)).status).toBe(200);
    expect((await api.call('dave', 'GET', `/projects/${project.id}`)).body.myRole).toBe('owner');
  });

  it('never reverts a project into having no owner', async () => {
    const project = await newProject();
    expect((await grant(project.id, api.ids.dave, 'owner')).status).toBe(200);
    const daveOwns = await lastEvent(
      'project.members.update',
      'project_member',
      `${project.id}/user/${api.ids.dave}`,
    );
    expect(
      (await api.call('dave', 'DELETE', `/projects/${project.id}/members/user/${api.ids.bob}`))
        .status,
    ).toBe(204);
    // Undoing Dave's grant would leave the project without an owner.
    const refused = await revert('dave', daveOwns.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('last_owner');
    expect((await api.call('dave', 'GET', `/projects/${project.id}`)).body.myRole).toBe('owner');
  });

  it('asks the policy as it stands now: a demoted former owner is refused (403), and that is audited', async () => {
    const project = await newProject();
    expect((await grant(project.id, api.ids.dave, 'owner')).status).toBe(200);
    const daves = await rename(project.id, 'By Dave', 'dave');
    expect((await grant(project.id, api.ids.dave, 'viewer')).status).toBe(200);
    const refused = await revert('dave', daves.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(await nameOf(project.id)).toBe('By Dave');
    const denial = await lastEvent('project.update', 'project', project.id);
    expect(denial).toMatchObject({ actorUserId: api.ids.dave, outcome: 'denied' });
    // Bob still owns it and may.
    expect((await revert('bob', daves.id)).status).toBe(200);
  });

  it('answers 404 for an event the caller may not see or that does not exist, and audits it', async () => {
    const project = await newProject();
    const renamed = await rename(project.id, 'Hidden');
    const hidden = await revert('carol', renamed.id);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('not_found');
    expect((await revert('carol', crypto.randomUUID())).status).toBe(404);
    expect((await revert('carol', 'not-a-uuid')).status).toBe(400);
    const denial = await lastEvent('audit.revert', 'audit_event', renamed.id);
    expect(denial).toMatchObject({ actorUserId: api.ids.carol, outcome: 'denied' });
    expect(await nameOf(project.id)).toBe('Hidden');
  });

  it('answers 422 for an event that records no change: a denial', async () => {
    const project = await newProject();
    expect(
      (await api.call('carol', 'PATCH', `/projects/${project.id}`, { name: 'x' })).status,
    ).toBe(404);
    const denial = await lastEvent('project.update', 'project', project.id);
    expect(denial).toMatchObject({ actorUserId: api.ids.carol, outcome: 'denied' });
    const refused = await revert('carol', denial.id);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('not_revertible');
  });

  it('leaves one unbroken chain after all of it', async () => {
    const { status, body } = await api.call('alice', 'GET', '/audit/verify');
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
  });
});

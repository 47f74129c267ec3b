/**
 * The audit read API over real HTTP: each filter narrows, pages cover every event once even
 * while the trail grows, each caller sees only what the policy lets them, exports match the list
 * (and CSV cannot smuggle a formula), verify catches tampering, and hostile input is refused.
 */
import { sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToEnclave, type SignedInClient } from '../identity/testing/relying-party.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';
import { csvCell, type ChainedAuditEvent } from './index.ts';

interface Event {
  seq: number;
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  actorPlugin: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  projectId: string | null;
  outcome: string;
  sessionId: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
}

let api: ApiTestServer;
let ownedByBob: string;
let ownedByDave: string;
const seeded: Record<string, ChainedAuditEvent> = {};

async function list(user: DemoUser, query: Record<string, string> = {}) {
  return api.call<{ events: Event[]; nextCursor: string | null }>(
    user,
    'GET',
    `/audit?${new URLSearchParams(query)}`,
  );
}

/** Every event a user may see under a filter, page by page. */
async function listAll(user: DemoUser, query: Record<string, string> = {}): Promise<Event[]> {
  const events: Event[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(user, { ...query, limit: '500', ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    events.push(...page.body.events);
    cursor = page.body.nextCursor;
  } while (cursor);
  return events;
}

async function countEvents(): Promise<number> {
  const [row] = await api.server.store.rows<{ count: number }>(
    sql`select count(*)::int as count from audit_events`,
  );
  return row!.count;
}

beforeAll(async () => {
  api = await startApiTestServer();
  const bobs = await api.call('bob', 'POST', '/projects', { name: 'Bob audit' });
  const daves = await api.call('dave', 'POST', '/projects', { name: 'Dave audit' });
  expect([bobs.status, daves.status]).toEqual([201, 201]);
  ownedByBob = bobs.body.id;
  ownedByDave = daves.body.id;
  const { audit } = api.server;
  seeded.carolLaunch = await audit.record({
    action: 'plugin.launch',
    actorUserId: api.ids.carol,
    actorPlugin: 'test.alpha',
    resourceType: 'plugin',
    resourceId: 'test.alpha',
    outcome: 'ok',
  });
  seeded.daveDashboard = await audit.record({
    action: 'dashboard.update',
    actorUserId: api.ids.dave,
    resourceType: 'dashboard',
    resourceId: '00000000-0000-4000-8000-0000000000d1',
    projectId: ownedByDave,
    outcome: 'ok',
    before: { title: 'Old' },
    after: { title: 'New' },
  });
  seeded.aliceProject = await audit.record({
    action: 'project.update',
    actorUserId: api.ids.alice,
    resourceType: 'project',
    resourceId: ownedByBob,
    projectId: ownedByBob,
    outcome: 'ok',
  });
  seeded.daveRead = await audit.record({
    action: 'plugin.data_read',
    actorUserId: api.ids.dave,
    actorPlugin: 'test.beta',
    resourceType: 'pluginInstance',
    resourceId: 'instance-1',
    outcome: 'denied',
    details: { reason: '=cmd|x', note: 'a "quoted", line\nbreak' },
  });
  seeded.carolFormula = await audit.record({
    action: '=HYPERLINK("http://evil.example")',
    actorUserId: api.ids.carol,
    resourceType: 'formula',
    resourceId: '@SUM',
    outcome: 'ok',
  });
});

afterAll(() => api?.close());

const seqs = (events: Event[]) => events.map((event) => event.seq);

describe('GET /audit', () => {
  it('shows Admins every event, newest first, with before and after', async () => {
    const events = await listAll('alice');
    expect(events).toHaveLength(await countEvents());
    const order = seqs(events);
    expect(order).toEqual([...order].sort((a, b) => b - a));
    const dashboard = events.find((event) => event.id === seeded.daveDashboard!.id);
    expect(dashboard).toMatchObject({ before: { title: 'Old' }, after: { title: 'New' } });
  });

  it('narrows by each filter', async () => {
    const carols = await listAll('alice', { actorUserId: api.ids.carol });
    expect(carols.every((event) => event.actorUserId === api.ids.carol)).toBe(true);
    expect(seqs(carols)).toEqual(
      expect.arrayContaining([seeded.carolLaunch!.seq, seeded.carolFormula!.seq]),
    );

    expect(seqs(await listAll('alice', { actorPlugin: 'test.beta' }))).toEqual([
      seeded.daveRead!.seq,
    ]);

    const pluginActions = await listAll('alice', { action: 'plugin.' });
    expect(pluginActions.every((event) => event.action.startsWith('plugin.'))).toBe(true);
    expect(seqs(pluginActions)).toEqual(
      expect.arrayContaining([seeded.carolLaunch!.seq, seeded.daveRead!.seq]),
    );
    const launches = await listAll('alice', { action: 'plugin.launch' });
    expect(launches.every((event) => event.action === 'plugin.launch')).toBe(true);
    expect(seqs(launches)).toContain(seeded.carolLaunch!.seq);

    expect(
      seqs(await listAll('alice', { resourceType: 'pluginInstance', resourceId: 'instance-1' })),
    ).toEqual([seeded.daveRead!.seq]);

    const denied = await listAll('alice', { outcome: 'denied' });
    expect(denied.every((event) => event.outcome === 'denied')).toBe(true);
    expect(seqs(denied)).toContain(seeded.daveRead!.seq);

    const inDaves = await listAll('alice', { projectId: ownedByDave });
    expect(inDaves.every((event) => event.projectId === ownedByDave)).toBe(true);
    expect(seqs(inDaves)).toContain(seeded.daveDashboard!.seq);

    const window = await listAll('alice', {
      from: seeded.daveDashboard!.occurredAt.toISOString(),
      to: seeded.daveRead!.occurredAt.toISOString(),
    });
    const inWindow = seqs(window);
    expect(inWindow).toEqual(
      expect.arrayContaining([seeded.daveDashboard!.seq, seeded.aliceProject!.seq]),
    );
    expect(inWindow).not.toContain(seeded.carolFormula!.seq);
    for (const event of window) {
      expect(event.occurredAt >= seeded.daveDashboard!.occurredAt.toISOString()).toBe(true);
      expect(event.occurredAt <= seeded.daveRead!.occurredAt.toISOString()).toBe(true);
    }
  });

  it('pages over every event exactly once while new events are written', async () => {
    const first = await list('alice', { limit: '3' });
    expect(first.body.events).toHaveLength(3);
    const top = first.body.events[0]!.seq;
    const seen = seqs(first.body.events);
    let cursor = first.body.nextCursor;
    while (cursor) {
      await api.server.audit.record({ action: 'test.between', resourceType: 'x', outcome: 'ok' });
      const page = await list('alice', { limit: '3', cursor });
      expect(page.status).toBe(200);
      seen.push(...seqs(page.body.events));
      cursor = page.body.nextCursor;
    }
    const stored = await api.server.store.rows<{ seq: number }>(
      sql`select seq::int as seq from audit_events where seq <= ${top} order by seq desc`,
    );
    expect(seen).toEqual(stored.map((row) => row.seq));
  });

  it('shows a viewer only their own events', async () => {
    const events = await listAll('carol');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.actorUserId === api.ids.carol)).toBe(true);
    expect(seqs(events)).toContain(seeded.carolLaunch!.seq);
    const peeking = await listAll('carol', { actorUserId: api.ids.dave });
    expect(peeking).toEqual([]);
  });

  it("shows a project owner their project's events and not another project's", async () => {
    const bobs = seqs(await listAll('bob'));
    expect(bobs).toContain(seeded.aliceProject!.seq);
    expect(bobs).not.toContain(seeded.daveDashboard!.seq);
    expect(bobs).not.toContain(seeded.carolLaunch!.seq);
    const daves = seqs(await listAll('dave'));
    expect(daves).toContain(seeded.daveDashboard!.seq);
    expect(daves).not.toContain(seeded.aliceProject!.seq);
    expect(await listAll('bob', { projectId: ownedByDave })).toEqual([]);
  });
});

describe('sign-in sessions', () => {
  const sessionOf = (client: SignedInClient) => decodeJwt(client.accessToken).sid as string;

  async function createProject(client: SignedInClient, name: string): Promise<string> {
    const response = await client.fetch(`${api.server.url}/api/v1/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  it('tells two sign-ins of one person apart, across refreshes, in the list and the export', async () => {
    const laptop = api.clients.bob;
    const desktop = await signInToEnclave(api.server.url, 'bob', 'bob-demo-password');
    const [laptopSession, desktopSession] = [sessionOf(laptop), sessionOf(desktop)];
    expect(laptopSession).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(desktopSession).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(desktopSession).not.toBe(laptopSession);

    const fromLaptop = await createProject(laptop, 'From the laptop');
    const beforeRefresh = await createProject(desktop, 'From the desktop');
    await desktop.refresh();
    expect(sessionOf(desktop)).toBe(desktopSession);
    const afterRefresh = await createProject(desktop, 'From the desktop, refreshed');

    const creations = (events: Event[]) =>
      events.filter((event) => event.action === 'project.create').map((event) => event.resourceId);
    const laptopEvents = await listAll('alice', { sessionId: laptopSession });
    const desktopEvents = await listAll('alice', { sessionId: desktopSession });
    expect(laptopEvents.every((event) => event.sessionId === laptopSession)).toBe(true);
    expect(desktopEvents.every((event) => event.sessionId === desktopSession)).toBe(true);
    expect(laptopEvents.every((event) => event.actorUserId === api.ids.bob)).toBe(true);
    expect(desktopEvents.every((event) => event.actorUserId === api.ids.bob)).toBe(true);
    expect(creations(laptopEvents)).toContain(fromLaptop);
    expect(creations(laptopEvents)).not.toContain(beforeRefresh);
    expect(creations(laptopEvents)).not.toContain(afterRefresh);
    expect(creations(desktopEvents)).toEqual([afterRefresh, beforeRefresh]);
    // The sign-in's own events carry it too: the first tokens, and the refresh.
    expect(desktopEvents.map((event) => event.action)).toEqual(
      expect.arrayContaining(['auth.session_start', 'auth.refresh']),
    );

    // Bob sees his own sessions; the filter does not widen what anyone may see.
    expect(seqs(await listAll('bob', { sessionId: desktopSession }))).toEqual(seqs(desktopEvents));
    const alicesSession = sessionOf(api.clients.alice);
    expect(await listAll('alice', { sessionId: alicesSession })).not.toEqual([]);
    expect(await listAll('bob', { sessionId: alicesSession })).toEqual([]);

    const exported = await api.call(
      'alice',
      'GET',
      `/audit/export?format=csv&sessionId=${desktopSession}`,
    );
    expect(exported.status).toBe(200);
    const [header, ...rows] = exported.text.split('\r\n').filter(Boolean);
    const column = header!.split(',').indexOf('sessionId');
    expect(column).toBeGreaterThan(0);
    expect(rows).toHaveLength(desktopEvents.length);
    // A session id may start with "-", which the export defuses like any formula lead.
    expect(rows.every((row) => row.split(',')[column] === csvCell(desktopSession))).toBe(true);
  });

  it('names the session of the request on what it records, denials included', async () => {
    const response = await api.call('carol', 'GET', '/audit/verify');
    expect(response.status).toBe(403);
    const [denial] = await listAll('alice', { action: 'audit.verify', outcome: 'denied' });
    expect(denial).toMatchObject({
      actorUserId: api.ids.carol,
      sessionId: sessionOf(api.clients.carol),
    });
  });

  it('keeps null for events recorded without a session', async () => {
    const [launch] = await listAll('alice', { actorPlugin: 'test.alpha' });
    expect(launch).toMatchObject({ seq: seeded.carolLaunch!.seq, sessionId: null });
  });
});

describe('GET /audit/export', () => {
  it('streams JSON Lines matching the list, and records the export', async () => {
    const listed = await listAll('alice', { action: 'plugin.' });
    const response = await api.call('alice', 'GET', '/audit/export?format=jsonl&action=plugin.');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    const lines = response.text.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as Event)).toEqual(listed);
    const exports = await listAll('alice', { action: 'audit.export' });
    expect(exports[0]).toMatchObject({ actorUserId: api.ids.alice, outcome: 'ok' });
  });

  it('streams CSV matching the list, quoted, with formulas defused', async () => {
    const listed = await listAll('carol');
    const response = await api.call('carol', 'GET', '/audit/export?format=csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = response.text.split('\r\n').filter(Boolean);
    expect(rows[0]!.startsWith('seq,id,occurredAt,')).toBe(true);
    expect(rows.slice(1).map((row) => Number(row.split(',')[0]))).toEqual(seqs(listed));
    expect(response.text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(response.text).toContain(`,'@SUM,`);
    expect(response.text).not.toMatch(/(^|,)[=+\-@]/m);
  });

  it('quotes cells as RFC 4180 wants and defuses every formula lead', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const lead of ['=', '+', '-', '@']) expect(csvCell(`${lead}1`)).toBe(`'${lead}1`);
    expect(csvCell({ reason: '=x' })).toBe('"{""reason"":""=x""}"');
    expect(csvCell(null)).toBe('');
  });
});

describe('hostile input', () => {
  it.each([
    ['/audit?cursor=not-a-cursor'],
    [`/audit?cursor=${Buffer.from('seq:1 or 1=1').toString('base64url')}`],
    ['/audit?limit=0'],
    ['/audit?limit=10000'],
    ['/audit?limit=abc'],
    ['/audit?actorPlugin=x%27%3B%20DROP%20TABLE%20audit_events%3B--'],
    ['/audit?action=plugin.%25'],
    ['/audit?resourceType=project&resourceId=1%27%20OR%20%271%27%3D%271'],
    ['/audit?resourceId=abc'],
    ['/audit?actorUserId=1%20OR%201%3D1'],
    ['/audit?from=yesterday'],
    ['/audit?outcome=maybe'],
    ['/audit?unknown=1'],
    ['/audit/export?format=xml'],
    ['/audit/export'],
    ['/audit/export?format=csv&projectId=%27%3B--'],
    ['/audit?sessionId='],
    ['/audit?sessionId=a%2Cb'],
    ['/audit?sessionId=a%20b'],
    ['/audit?sessionId=%27%20OR%20%271%27%3D%271'],
    [`/audit?sessionId=${'s'.repeat(129)}`],
    ['/audit/export?format=csv&sessionId=%3D1%2B1%0A'],
  ])('refuses %s with 400 and records nothing', async (path) => {
    const before = await countEvents();
    const response = await api.call('bob', 'GET', path);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(await countEvents()).toBe(before);
  });
});

describe('GET /audit/verify', () => {
  it('is for Admins only, and the denial is recorded', async () => {
    const response = await api.call('carol', 'GET', '/audit/verify');
    expect(response.status).toBe(403);
    const denials = await listAll('alice', { action: 'audit.verify', outcome: 'denied' });
    expect(denials[0]).toMatchObject({ actorUserId: api.ids.carol });
  });

  it('proves the chain intact, then names the event a direct UPDATE altered', async () => {
    const intact = await api.call('alice', 'GET', '/audit/verify');
    expect(intact.status).toBe(200);
    expect(intact.body).toEqual({
      ok: true,
      events: (await countEvents()) - 1,
      archived: { events: 0, files: 0 },
    });
    const verifications = await listAll('alice', { action: 'audit.verify', outcome: 'ok' });
    expect(verifications[0]).toMatchObject({ actorUserId: api.ids.alice });

    const { db } = api.server.store;
    await db.execute(sql.raw('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only'));
    try {
      await db.execute(
        sql`update audit_events set after = '{"title":"Forged"}'::jsonb where seq = ${seeded.daveDashboard!.seq}`,
      );
    } finally {
      await db.execute(sql.raw('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only'));
    }
    const broken = await api.call('alice', 'GET', '/audit/verify');
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({
      ok: false,
      brokenAt: { seq: seeded.daveDashboard!.seq, id: seeded.daveDashboard!.id, reason: 'altered' },
    });
  });
});

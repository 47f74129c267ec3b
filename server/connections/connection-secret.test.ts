/**
 * Hostile tests of the credential: a connection's password, once entered, never leaves the
 * server. Every route is called as every demo user, and every response (body and headers), every
 * log line, every audit event and every row of every table is searched for the password.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrowIpcSummary } from '../arrow/index.ts';
import {
  DEMO_USERNAMES,
  startApiTestServer,
  type ApiTestServer,
  type DemoUser,
} from '../test-api.ts';
import { createTestTarget, type TestTarget } from './test-target.ts';

const PASSWORD = `enclave-secret-${randomBytes(16).toString('hex')}`;

/** The forms the password could leak in besides itself. */
const LEAKED_FORMS = [
  PASSWORD,
  Buffer.from(PASSWORD).toString('base64'),
  Buffer.from(PASSWORD).toString('base64url'),
  Buffer.from(PASSWORD).toString('hex'),
];

let api: ApiTestServer;
let target: TestTarget | undefined;

/** Everything the server said to anyone, to search afterwards. */
const said: { what: string; text: string }[] = [];

beforeAll(async () => {
  api = await startApiTestServer();
  target = await createTestTarget(PASSWORD);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await target?.dispose();
});

function record(what: string, status: number, headers: Headers, text: string) {
  const head = [...headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  said.push({ what: `${what} → ${status}`, text: `${head}\n\n${text}` });
}

async function call(user: DemoUser, method: string, path: string, body?: unknown) {
  const response = await api.call(user, method, path, body);
  record(`${user} ${method} ${path}`, response.status, response.headers, response.text);
  return response;
}

/** A query, with its body kept as bytes (latin1 keeps every byte for the search). */
async function query(user: DemoUser, id: string, sqlText: string) {
  const response = await api.clients[user].fetch(
    `${api.server.url}/api/v1/connections/${id}/query`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: sqlText }),
    },
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  record(
    `${user} POST /connections/${id}/query`,
    response.status,
    response.headers,
    Buffer.from(bytes).toString('latin1'),
  );
  return { status: response.status, bytes };
}

function settings(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'postgres',
    host: target?.host ?? '127.0.0.1',
    port: target?.port ?? 1,
    database: target?.database ?? 'nowhere',
    user: target?.user ?? 'nobody',
    password: PASSWORD,
    ssl: false,
    ...overrides,
  };
}

function expectNoLeak(texts: { what: string; text: string }[]) {
  for (const { what, text } of texts) {
    for (const form of LEAKED_FORMS) {
      if (text.includes(form)) throw new Error(`the password leaked in ${what}`);
    }
  }
}

describe('the password never leaves the server', () => {
  it('through any route, response, header, log line, audit event or table', async () => {
    const created = await call('bob', 'POST', '/connections', { name: 'Samples', ...settings() });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // The same password towards a closed port, and (with a real server) a missing database.
    const closed = await call('bob', 'POST', '/connections', {
      name: 'Closed port',
      ...settings({ host: '127.0.0.1', port: 1 }),
    });
    const missing = await call('bob', 'POST', '/connections', {
      name: 'Missing database',
      ...settings({ database: 'no_such_database' }),
    });
    // Bad input that carries the password is refused without repeating it.
    for (const bad of [
      settings({ port: 0 }),
      settings({ host: 'reader@db.example.org' }),
      settings({ password: 42, secret: PASSWORD }),
      { ...settings(), name: 'x', extra: PASSWORD },
    ]) {
      expect((await call('bob', 'POST', '/connections', bad)).status).toBe(400);
    }
    expect(
      (await call('bob', 'PATCH', `/connections/${id}`, { host: 'a/b', password: PASSWORD }))
        .status,
    ).toBe(400);
    for (const user of ['dave', 'carol'] as const) {
      await call('bob', 'PUT', `/connections/${id}/grants`, {
        principal: { type: 'user', id: api.ids[user] },
        permission: 'use',
      });
    }

    for (const user of DEMO_USERNAMES) {
      await call(user, 'GET', '/connections');
      await call(user, 'GET', `/connections/${id}`);
      await call(user, 'GET', `/connections/${id}/grants`);
      await call(user, 'GET', `/connections/${closed.body.id}`);
      await call(user, 'PATCH', `/connections/${id}`, { name: `Samples (${user})` });
      await call(user, 'PATCH', `/connections/${id}`, { password: PASSWORD });
      await call(user, 'PUT', `/connections/${id}/grants`, {
        principal: { type: 'user', id: api.ids.dave },
        permission: 'use',
      });
      const result = await query(user, id, 'select id, label from samples order by id');
      if (target) {
        expect(result.status).toBe(200);
        expect(readArrowIpcSummary(result.bytes).rowCount).toBeGreaterThan(0);
      }
      await query(user, id, 'select nonsense from nowhere');
      await query(user, id, "insert into samples values (100, 'x', now(), 0)");
      await query(user, id, "select current_setting('password', true)");
      const refused = await query(user, closed.body.id, 'select 1');
      expect(refused.status).toBe(user === 'alice' || user === 'bob' ? 502 : 404);
      await query(user, missing.body.id, 'select 1');
    }
    // Moving the connection elsewhere needs the password; giving it again is allowed.
    expect(
      (await call('bob', 'PATCH', `/connections/${id}`, { host: 'db.example.org' })).status,
    ).toBe(400);
    expect(
      (
        await call('bob', 'PATCH', `/connections/${id}`, {
          host: target?.host ?? '127.0.0.1',
          port: target?.port ?? 1,
          password: PASSWORD,
        })
      ).status,
    ).toBe(200);
    for (const user of ['dave', 'carol'] as const) {
      expect((await call(user, 'DELETE', `/connections/${id}`)).status).toBe(403);
    }
    expect((await call('bob', 'DELETE', `/connections/${id}`)).status).toBe(204);
    for (const other of [closed.body.id, missing.body.id]) {
      expect((await call('alice', 'DELETE', `/connections/${other}`)).status).toBe(204);
    }

    expect(said.length).toBeGreaterThan(60);
    expectNoLeak(said);
    // Result events are written when a stream ends; let the last ones land before looking.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expectNoLeak(
      api.server.logs.map((line, index) => ({
        what: `log line ${index}`,
        text: JSON.stringify(line),
      })),
    );
    const events = await api.server.store.rows(sql`select * from audit_events order by seq`);
    expect(events.some((event) => event.action === 'connection.query')).toBe(true);
    expectNoLeak(
      events.map((event) => ({
        what: `audit event ${String(event.seq)}`,
        text: JSON.stringify(event),
      })),
    );
    await expectNotInAnyTable();
  });

  it('is stored sealed: not in clear in the row, nor anywhere in the database', async () => {
    const created = await call('bob', 'POST', '/connections', { name: 'Sealed', ...settings() });
    const [row] = await api.server.store.rows<{
      settings: unknown;
      secret: Buffer;
      wrapped_key: Buffer;
    }>(sql`select settings, secret, wrapped_key from connections where id = ${created.body.id}`);
    expect(row).toBeDefined();
    expect(JSON.stringify(row!.settings)).not.toContain(PASSWORD);
    for (const stored of [row!.secret, row!.wrapped_key]) {
      for (const form of LEAKED_FORMS) expect(Buffer.from(stored).includes(form)).toBe(false);
    }
    await expectNotInAnyTable();
  });

  it('a sealed secret moved onto another connection does not open there', async () => {
    const donor = await call('bob', 'POST', '/connections', { name: 'Donor', ...settings() });
    const thief = await call('bob', 'POST', '/connections', {
      name: 'Thief',
      ...settings({ host: '127.0.0.1', port: 1, password: 'the-thiefs-own' }),
    });
    await api.server.store.db.execute(sql`
      update connections set secret = donor.secret, wrapped_key = donor.wrapped_key
      from connections donor
      where donor.id = ${donor.body.id} and connections.id = ${thief.body.id}
    `);
    // The closed port would answer 502: a 500 shows the secret was refused before any contact.
    const refused = await api.call('bob', 'POST', `/connections/${thief.body.id}/query`, {
      sql: 'select 1',
    });
    expect(refused.status).toBe(500);
    expect(refused.body.error.code).toBe('secret_unavailable');
    expect(refused.text).not.toContain(PASSWORD);
    // The donor's own row still opens.
    const donorQuery = await api.call('bob', 'POST', `/connections/${donor.body.id}/query`, {
      sql: 'select 1',
    });
    expect(donorQuery.status).toBe(target ? 200 : 502);
  });

  it('THE DATAGROK CASE: a group that may open a dashboard may not use its connection', async () => {
    const connection = await call('bob', 'POST', '/connections', {
      name: 'Behind the dashboard',
      ...settings(),
    });
    const connectionId = connection.body.id as string;
    const group = await api.call('alice', 'POST', '/groups', {
      name: `dashboard-readers-${randomBytes(4).toString('hex')}`,
    });
    expect(group.status).toBe(201);
    for (const user of ['dave', 'carol'] as const) {
      expect(
        (await api.call('alice', 'PUT', `/groups/${group.body.id}/members/${api.ids[user]}`))
          .status,
      ).toBe(200);
    }
    const project = await api.call('bob', 'POST', '/projects', { name: 'Screening' });
    expect(
      (
        await api.call('bob', 'PUT', `/projects/${project.body.id}/members`, {
          principal: { type: 'group', id: group.body.id },
          role: 'viewer',
        })
      ).status,
    ).toBe(200);
    const dashboard = await api.call('bob', 'POST', `/projects/${project.body.id}/dashboards`, {
      title: 'Samples overview',
      spec: {
        version: 1,
        views: [
          {
            id: 'samples',
            title: 'Samples',
            kind: 'table',
            source: { type: 'connection', connectionId, sql: 'select * from samples' },
          },
        ],
      },
    });
    expect(dashboard.status).toBe(201);
    for (const user of ['dave', 'carol'] as const) {
      const opened = await call(user, 'GET', `/dashboards/${dashboard.body.id}`);
      expect(opened.status).toBe(200);
      expect((await call(user, 'GET', `/connections/${connectionId}`)).status).toBe(404);
      expect((await call(user, 'GET', `/connections/${connectionId}/grants`)).status).toBe(404);
      expect((await query(user, connectionId, 'select * from samples')).status).toBe(404);
      const listed = await call(user, 'GET', '/connections');
      expect(listed.body.connections.map((c: { id: string }) => c.id)).not.toContain(connectionId);
    }
    expectNoLeak(said);
  });
});

/** Searches every row of every table of the app's database, as text, for the password. */
async function expectNotInAnyTable() {
  const tables = await api.server.store.rows<{ name: string }>(
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  expect(tables.map((table) => table.name)).toContain('connections');
  for (const { name } of tables) {
    const rows = await api.server.store.rows<{ row: string }>(
      sql`select t::text as row from ${sql.identifier(name)} t`,
    );
    expectNoLeak(rows.map((row, index) => ({ what: `table ${name} row ${index}`, text: row.row })));
  }
}

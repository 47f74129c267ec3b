/**
 * Hostile tests of `CONNECTION_ALLOWED_HOSTS` through the HTTP API: a User must not be able to
 * point a connection at the server's own network (loopback databases, metadata addresses, port
 * probes). A host that can never be allowed is refused when a connection is created or moved,
 * with nothing stored; a host refused at query time is refused before any connection attempt,
 * which a listener that counts connections proves.
 */
import { lookup } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrowIpcSummary } from '../arrow/index.ts';
import { hasTestPostgres } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';
import { createTestTarget, type TestTarget } from './test-target.ts';

const PASSWORD = 'Pr0be-Passw0rd-for-allow-list';

function connectionBody(host: string, port = 5432) {
  return {
    name: `to ${host}`,
    kind: 'postgres',
    host,
    port,
    database: 'postgres',
    user: 'reader',
    password: PASSWORD,
    ssl: false,
  };
}

async function countOf(api: ApiTestServer, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await api.server.store.rows<{ n: number }>(query);
  return Number(row?.n);
}

const storedConnections = (api: ApiTestServer) =>
  countOf(api, sql`select count(*)::int as n from connections`);
const createEvents = (api: ApiTestServer) =>
  countOf(
    api,
    sql`select count(*)::int as n from audit_events where action in ('connection.create', 'connection.update')`,
  );

/** POSTs a query and keeps the body as bytes (an Arrow stream is not text). */
async function query(api: ApiTestServer, id: string, sqlText: string) {
  const response = await api.clients.bob.fetch(`${api.server.url}/api/v1/connections/${id}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql: sqlText }),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes };
}

const asJson = (bytes: Uint8Array) =>
  JSON.parse(new TextDecoder().decode(bytes)) as { error: { code: string; message: string } };

describe('a list of ranges and a wildcard (10.0.0.0/8, fd00::/8, *.lab.example.org)', () => {
  let api: ApiTestServer;
  let listener: Server;
  const sockets = new Set<Socket>();
  let connectionsSeen = 0;
  let listenerPort: number;

  beforeAll(async () => {
    api = await startApiTestServer({
      env: { CONNECTION_ALLOWED_HOSTS: '10.0.0.0/8, fd00::/8, *.lab.example.org' },
    });
    // Stands in for a database on the server's loopback: records every connection made to it.
    listener = createServer((socket) => {
      connectionsSeen++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerPort = (listener.address() as { port: number }).port;
  }, 60_000);
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => listener?.close(resolve));
    await api?.close();
  });

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '::ffff:127.0.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '192.168.1.10',
    '11.0.0.1',
    'fe80::1',
  ])('refuses to create a connection to %s with 400 and stores nothing', async (host) => {
    const [connectionsBefore, eventsBefore] = [
      await storedConnections(api),
      await createEvents(api),
    ];
    const refused = await api.call('bob', 'POST', '/connections', connectionBody(host));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('host_not_allowed');
    expect(refused.body.error.message).toContain(`"${host}"`);
    expect(refused.body.error.message).toContain('CONNECTION_ALLOWED_HOSTS');
    expect(refused.text).not.toContain(PASSWORD);
    expect(await storedConnections(api)).toBe(connectionsBefore);
    expect(await createEvents(api)).toBe(eventsBefore);
  });

  it('refuses the same for an Admin: the list binds everyone', async () => {
    const refused = await api.call('alice', 'POST', '/connections', connectionBody('127.0.0.1'));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('host_not_allowed');
  });

  it('creates connections to listed addresses and to names (where a name resolves decides later)', async () => {
    for (const host of ['10.1.2.3', 'fd00::10', 'pg.lab.example.org', 'db.elsewhere.example']) {
      const created = await api.call('bob', 'POST', '/connections', connectionBody(host));
      expect({ host, status: created.status }).toEqual({ host, status: 201 });
    }
  });

  it('refuses to move a connection to a refused host, and leaves it where it was', async () => {
    const created = await api.call('bob', 'POST', '/connections', connectionBody('10.0.0.7'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const eventsBefore = await createEvents(api);
    for (const host of ['127.0.0.1', '::ffff:7f00:1', '169.254.169.254']) {
      const moved = await api.call('bob', 'PATCH', `/connections/${id}`, {
        host,
        password: PASSWORD,
      });
      expect({ host, status: moved.status, code: moved.body.error?.code }).toEqual({
        host,
        status: 400,
        code: 'host_not_allowed',
      });
      // Refused before the password rule: even without the password, the host is the answer.
      const bare = await api.call('bob', 'PATCH', `/connections/${id}`, { host });
      expect(bare.body.error?.code).toBe('host_not_allowed');
    }
    const after = await api.call('bob', 'GET', `/connections/${id}`);
    expect(after.body.host).toBe('10.0.0.7');
    expect(await createEvents(api)).toBe(eventsBefore);
    // Changing something else, or moving to an allowed host, still works.
    expect((await api.call('bob', 'PATCH', `/connections/${id}`, { name: 'renamed' })).status).toBe(
      200,
    );
    const allowed = await api.call('bob', 'PATCH', `/connections/${id}`, {
      host: 'pg.lab.example.org',
      password: PASSWORD,
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body.host).toBe('pg.lab.example.org');
  });

  it('refuses a query through a name that resolves to loopback, without any connection attempt, and audits it', async () => {
    // `localhost` is a name, so it may be stored; it resolves to loopback, outside the list.
    const created = await api.call('bob', 'POST', '/connections', {
      ...connectionBody('localhost', listenerPort),
      name: 'probe',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const refused = await query(api, id, 'select 1');
    expect(refused.status).toBe(400);
    const { error } = asJson(refused.bytes);
    expect(error.code).toBe('host_not_allowed');
    expect(error.message).toContain('"localhost"');
    expect(error.message).toContain('CONNECTION_ALLOWED_HOSTS');
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1|ECONNREFUSED/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connectionsSeen).toBe(0);

    const requestId = refused.headers.get('x-request-id')!;
    const events = await api.server.store.rows<{
      action: string;
      outcome: string;
      details: Record<string, unknown>;
    }>(
      sql`select action, outcome, details from audit_events where request_id = ${requestId} order by seq`,
    );
    expect(events).toEqual([
      expect.objectContaining({ action: 'connection.query', outcome: 'allowed' }),
      {
        action: 'connection.query.result',
        outcome: 'error',
        details: expect.objectContaining({ code: 'host_not_allowed', message: error.message }),
      },
    ]);
  });

  it('gives a port probe nothing: a closed and an open loopback port answer alike', async () => {
    const answers = [];
    for (const port of [listenerPort, 1]) {
      const created = await api.call('bob', 'POST', '/connections', {
        ...connectionBody('localhost', port),
        name: `probe ${String(port)}`,
      });
      const refused = await query(api, created.body.id as string, 'select 1');
      answers.push({ status: refused.status, code: asJson(refused.bytes).error.code });
    }
    expect(answers).toEqual([
      { status: 400, code: 'host_not_allowed' },
      { status: 400, code: 'host_not_allowed' },
    ]);
    expect(connectionsSeen).toBe(0);
  });
});

describe('a list of names only (db.example.org, *.lab.example.org)', () => {
  let api: ApiTestServer;
  beforeAll(async () => {
    api = await startApiTestServer({
      env: { CONNECTION_ALLOWED_HOSTS: 'db.example.org, *.lab.example.org' },
    });
  }, 60_000);
  afterAll(() => api?.close());

  it.each([
    'localhost',
    'metadata.google.internal',
    'lab.example.org',
    'evil-lab.example.org',
    'db.example.org.evil.com',
    'example.org',
    '127.0.0.1',
    '2130706433',
    '127.1',
  ])('refuses to create a connection to %s', async (host) => {
    const before = await storedConnections(api);
    const refused = await api.call('bob', 'POST', '/connections', connectionBody(host));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('host_not_allowed');
    expect(await storedConnections(api)).toBe(before);
  });

  it.each(['db.example.org', 'DB.Example.Org', 'pg.lab.example.org', 'a.b.lab.example.org.'])(
    'creates a connection to %s',
    async (host) => {
      const created = await api.call('bob', 'POST', '/connections', connectionBody(host));
      expect(created.status).toBe(201);
    },
  );
});

describe.skipIf(!hasTestPostgres)('a list allowing 127.0.0.1/32 (real PostgreSQL)', () => {
  let api: ApiTestServer;
  let target: TestTarget;
  beforeAll(async () => {
    api = await startApiTestServer({ env: { CONNECTION_ALLOWED_HOSTS: '127.0.0.1/32' } });
    target = (await createTestTarget())!;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await target?.dispose();
  });

  it('runs the query on the local PostgreSQL', async () => {
    expect(target.host).toBe('127.0.0.1');
    const created = await api.call('bob', 'POST', '/connections', {
      name: 'Samples',
      kind: 'postgres',
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      password: target.password,
      ssl: false,
    });
    expect(created.status).toBe(201);
    const result = await query(
      api,
      created.body.id as string,
      'select id from samples order by id',
    );
    expect(result.status).toBe(200);
    expect(readArrowIpcSummary(result.bytes).rows()).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('runs it through localhost too, which resolves to the allowed address', async () => {
    const created = await api.call('bob', 'POST', '/connections', {
      name: 'Samples by name',
      kind: 'postgres',
      host: 'localhost',
      port: target.port,
      database: target.database,
      user: target.user,
      password: target.password,
      ssl: false,
    });
    expect(created.status).toBe(201);
    const result = await query(api, created.body.id as string, 'select count(*)::int from samples');
    // Where localhost also resolves to ::1, not every address is in the list: refused instead.
    const addresses = (await lookup('localhost', { all: true })).map(({ address }) => address);
    if (addresses.every((address) => address === '127.0.0.1')) {
      expect(result.status).toBe(200);
      expect(readArrowIpcSummary(result.bytes).rows()).toEqual([[5]]);
    } else {
      expect(result.status).toBe(400);
      expect(asJson(result.bytes).error.code).toBe('host_not_allowed');
    }
  });
});

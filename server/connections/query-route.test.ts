import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrowIpcSummary } from '../arrow/index.ts';
import { hasTestPostgres } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer, type DemoUser } from '../test-api.ts';
import { SAMPLE_ROWS, createTestTarget, type TestTarget } from './test-target.ts';

const ROW_LIMIT = 3;
const TIMEOUT_MS = 1000;

let api: ApiTestServer;
let target: TestTarget;
let connectionId: string;

beforeAll(async () => {
  if (!hasTestPostgres) return;
  api = await startApiTestServer({
    env: {
      CONNECTION_ROW_LIMIT: String(ROW_LIMIT),
      CONNECTION_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
    },
  });
  target = (await createTestTarget())!;
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
  connectionId = created.body.id;
}, 60_000);
afterAll(async () => {
  await api?.close();
  await target?.dispose();
});

/** POSTs a query and keeps the body as bytes (an Arrow stream is not text). */
async function query(user: DemoUser, sqlText: string, id = connectionId) {
  const response = await api.clients[user].fetch(
    `${api.server.url}/api/v1/connections/${id}/query`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: sqlText }),
    },
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    json: () =>
      JSON.parse(new TextDecoder().decode(bytes)) as { error: { code: string; message: string } },
  };
}

interface AuditRow {
  action: string;
  outcome: string;
  details: Record<string, unknown> | null;
}

/** The audit events of one request; the result event is written after the stream ends. */
async function eventsOf(requestId: string, expected: number): Promise<AuditRow[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const rows = await api.server.store.rows<AuditRow & Record<string, unknown>>(
      sql`select action, outcome, details from audit_events where request_id = ${requestId} order by seq`,
    );
    if (rows.length >= expected) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${expected} audit events for ${requestId}`);
}

describe.skipIf(!hasTestPostgres)('querying a connection (real PostgreSQL)', () => {
  it('streams the rows as Arrow, within the row limit, and says so in the headers', async () => {
    const result = await query(
      'bob',
      'select id, label, measured_at, value from samples where id <= 3 order by id',
    );
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    expect(result.headers.get('enclave-row-limit')).toBe(String(ROW_LIMIT));
    expect(result.headers.get('enclave-statement-timeout-ms')).toBe(String(TIMEOUT_MS));
    const table = readArrowIpcSummary(result.bytes);
    expect(table.columns).toEqual([
      { name: 'id', type: 'int32' },
      { name: 'label', type: 'utf8' },
      { name: 'measured_at', type: 'timestamp[us]' },
      { name: 'value', type: 'float64' },
    ]);
    expect(table.rows()).toEqual(
      SAMPLE_ROWS.slice(0, 3).map((row) => [row.id, row.label, row.measuredAt, row.value]),
    );
    const events = await eventsOf(result.headers.get('x-request-id')!, 2);
    expect(events).toEqual([
      {
        action: 'connection.query',
        outcome: 'allowed',
        details: expect.objectContaining({
          sql: 'select id, label, measured_at, value from samples where id <= 3 order by id',
          rowLimit: ROW_LIMIT,
          statementTimeoutMs: TIMEOUT_MS,
        }),
      },
      {
        action: 'connection.query.result',
        outcome: 'ok',
        details: expect.objectContaining({ rowCount: 3, truncated: false }),
      },
    ]);
  });

  it('cuts a longer result at the row limit and records that it did', async () => {
    const result = await query('bob', 'select id from samples order by id');
    expect(result.status).toBe(200);
    expect(readArrowIpcSummary(result.bytes).rows()).toEqual([[1], [2], [3]]);
    const [, end] = await eventsOf(result.headers.get('x-request-id')!, 2);
    expect(end?.details).toMatchObject({ rowCount: 3, truncated: true });
  });

  it('refuses a write, in every disguise, and the table stays as it was', async () => {
    for (const statement of [
      "insert into samples values (99, 'planted', now(), 0)",
      'delete from samples',
      "update samples set label = 'changed'",
      'drop table samples',
      'with gone as (delete from samples returning *) select count(*) from gone',
      'select 1; delete from samples',
      'commit; delete from samples',
      'create table planted (id int)',
    ]) {
      const refused = await query('bob', statement);
      expect({ statement, status: refused.status }).toEqual({ statement, status: 400 });
      expect(['read_only_violation', 'query_failed']).toContain(refused.json().error.code);
    }
    const write = await query('bob', 'delete from samples');
    expect(write.json().error.code).toBe('read_only_violation');
    const rows = await target.query<{ id: number; label: string }>(
      'select id, label from samples order by id',
    );
    expect(rows).toEqual(SAMPLE_ROWS.map((row) => ({ id: row.id, label: row.label })));
    const tables = await target.query(`select 1 from pg_tables where tablename = 'planted'`);
    expect(tables).toEqual([]);
  });

  it('answers bad SQL with 400 and a timeout with 504, as JSON, and records the failure', async () => {
    const bad = await query('bob', 'select nonsense from nowhere');
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('query_failed');
    expect(bad.json().error.message).toMatch(/nowhere/);
    const slow = await query('bob', 'select pg_sleep(10)');
    expect(slow.status).toBe(504);
    expect(slow.json().error.code).toBe('statement_timeout');
    const [, end] = await eventsOf(slow.headers.get('x-request-id')!, 2);
    expect(end).toMatchObject({
      action: 'connection.query.result',
      outcome: 'error',
      details: { code: 'statement_timeout' },
    });
  });

  it('answers an unreachable or refusing server with 502', async () => {
    const wrong = await api.call('bob', 'POST', '/connections', {
      name: 'Wrong password',
      kind: 'postgres',
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      password: 'certainly-not-it',
      ssl: false,
    });
    const refused = await query('bob', 'select 1', wrong.body.id);
    expect(refused.status).toBe(502);
    expect(refused.json().error.code).toBe('connection_failed');
    expect(refused.json().error.message).not.toContain('certainly-not-it');
  });

  it('`use` may query (a Viewer too); no grant gets 404 and nothing is run', async () => {
    const grant = (user: DemoUser) =>
      api.call('bob', 'PUT', `/connections/${connectionId}/grants`, {
        principal: { type: 'user', id: api.ids[user] },
        permission: 'use',
      });
    expect((await query('dave', 'select 1')).status).toBe(404);
    expect((await query('carol', 'select 1')).status).toBe(404);
    await grant('dave');
    await grant('carol');
    for (const user of ['dave', 'carol'] as const) {
      const result = await query(user, 'select count(*)::int as n from samples');
      expect(result.status).toBe(200);
      expect(readArrowIpcSummary(result.bytes).rows()).toEqual([[SAMPLE_ROWS.length]]);
    }
    expect((await query('alice', 'select 1')).status).toBe(200);
  });
});

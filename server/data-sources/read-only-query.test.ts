import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readArrowIpcSummary } from '../arrow/index.ts';
import { createTestDatabase, dropTestDatabase, hasTestPostgres } from '../store/testing.ts';
import {
  DataSourceError,
  HostAllowList,
  runReadOnlyQuery,
  type DataSourceTarget,
  type HostLookup,
  type ReadOnlyQueryOptions,
} from './index.ts';

const defaults: ReadOnlyQueryOptions = {
  statementTimeoutMs: 10_000,
  rowLimit: 100_000,
  allowedHosts: HostAllowList.ANY,
};

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const all: Uint8Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe.skipIf(!hasTestPostgres)('runReadOnlyQuery against PostgreSQL', () => {
  let databaseUrl: string;
  let target: DataSourceTarget;
  let admin: pg.Client;

  beforeAll(async () => {
    databaseUrl = (await createTestDatabase())!;
    const url = new URL(databaseUrl);
    target = {
      host: url.hostname,
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      ssl: false,
    };
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`
      create table t (id int primary key, name text not null);
      insert into t values (1, 'one'), (2, 'two'), (3, 'three');
      create sequence s;
    `);
  });

  afterAll(async () => {
    await admin?.end();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  const tableState = async () =>
    JSON.stringify((await admin.query('select id, name from t order by id')).rows);
  const original = JSON.stringify([
    { id: 1, name: 'one' },
    { id: 2, name: 'two' },
    { id: 3, name: 'three' },
  ]);

  /** Backends our queries opened on the test database that are still there. */
  const openBackends = async () =>
    Number(
      (
        await admin.query(
          `select count(*) from pg_stat_activity
           where datname = current_database() and application_name = 'enclave-data-source'`,
        )
      ).rows[0].count,
    );
  const allClosed = () => waitUntil(async () => (await openBackends()) === 0);

  async function run(sql: string, options: Partial<ReadOnlyQueryOptions> = {}) {
    const result = await runReadOnlyQuery(target, sql, { ...defaults, ...options });
    const summary = readArrowIpcSummary(await collect(result.stream));
    return { ...result, summary, outcome: await result.done };
  }

  async function refusal(sql: string, options: Partial<ReadOnlyQueryOptions> = {}) {
    try {
      await run(sql, options);
    } catch (error) {
      expect(error).toBeInstanceOf(DataSourceError);
      return error as DataSourceError;
    }
    throw new Error(`expected PostgreSQL to refuse: ${sql}`);
  }

  it('returns columns, rows and the outcome of a plain select', async () => {
    const { columns, summary, outcome } = await run('select id, name from t order by id');
    expect(columns).toEqual([
      { name: 'id', kind: 'int32' },
      { name: 'name', kind: 'utf8' },
    ]);
    expect(summary.rows()).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(outcome).toEqual({ rowCount: 3, truncated: false });
    expect(await allClosed()).toBe(true);
  });

  describe('writes are refused and leave the table as it was', () => {
    it.each([
      "insert into t values (4, 'four')",
      "update t set name = 'changed'",
      'delete from t',
      'truncate t',
      'create table u (id int)',
      'drop table t',
      'alter table t add column extra int',
      'with gone as (delete from t returning *) select * from gone',
      "do $$ begin insert into t values (9, 'nine'); end $$",
      "select nextval('s')",
      'copy t from stdin',
      'select * from t for update',
    ])('%s', async (sql) => {
      const error = await refusal(sql);
      expect(error.code).toBe('read_only_violation');
      expect(error.sqlState).toBe('25006');
      expect(error.message).toMatch(/read-only transaction \(SQLSTATE 25006\)$/);
      expect(await tableState()).toBe(original);
    });

    it('refuses a second statement after commit, so the drop never runs', async () => {
      const error = await refusal('commit; drop table t');
      expect(error.code).toBe('query_failed');
      expect(error.message).toMatch(/cannot insert multiple commands/);
      expect(await tableState()).toBe(original);
    });

    it.each([
      "set transaction read write; insert into t values (4, 'four')",
      'set transaction read write',
      'set local transaction_read_only = off',
      "select set_config('transaction_read_only', 'off', false)",
      "do $$ begin set transaction read write; insert into t values (4, 'four'); end $$",
    ])('does not let the transaction become read-write: %s', async (sql) => {
      const error = await refusal(sql);
      expect(error.code).toBe('query_failed');
      expect(['42601', '25001']).toContain(error.sqlState);
      expect(await tableState()).toBe(original);
    });

    it('keeps a changed session default from mattering: each query gets a fresh session', async () => {
      await run('set session characteristics as transaction read write');
      expect(await refusal("insert into t values (4, 'four')")).toMatchObject({
        code: 'read_only_violation',
      });
      expect(await tableState()).toBe(original);
    });

    it('lets default_transaction_read_only be switched off, and still nothing can be written', async () => {
      const { summary } = await run(
        "select set_config('default_transaction_read_only', 'off', false)",
      );
      expect(summary.rows()).toEqual([['off']]);
      expect(await refusal("insert into t values (4, 'four')")).toMatchObject({
        code: 'read_only_violation',
      });
      const commitOnly = await run('commit');
      expect(commitOnly.columns).toEqual([]);
      expect(await tableState()).toBe(original);
      expect(await allClosed()).toBe(true);
    });

    it('refuses COPY TO STDOUT without upsetting the client', async () => {
      const error = await refusal('copy t to stdout');
      expect(error).toMatchObject({ code: 'query_failed' });
      expect(error.message).toMatch(/COPY is not supported/);
      expect(await allClosed()).toBe(true);
    });
  });

  it('stops a statement at its timeout', async () => {
    const started = Date.now();
    const error = await refusal('select pg_sleep(5)', { statementTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(error.code).toBe('statement_timeout');
    expect(error.sqlState).toBe('57014');
    expect(error.message).toMatch(/longer than 300 ms/);
    expect(await allClosed()).toBe(true);
  });

  it('holds to the timeout even when the statement lifts its own for later batches', async () => {
    const started = Date.now();
    const result = await runReadOnlyQuery(
      target,
      `select g, case when g = 1 then set_config('statement_timeout', '0', true) end,
              case when g > 5 then pg_sleep(3) end
       from generate_series(1, 6) g`,
      { ...defaults, statementTimeoutMs: 300, batchRows: 5 },
    );
    const failure = await collect(result.stream).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'statement_timeout' });
    expect(Date.now() - started).toBeLessThan(2_500);
    // PostgreSQL notices the closed connection once the sleeping row is done and sent.
    expect(await allClosed()).toBe(true);
  });

  it('stops reading at the row limit and says the result was truncated', async () => {
    const { summary, outcome } = await run('select g from generate_series(1, 100000) g', {
      rowLimit: 2_500,
      batchRows: 1_000,
    });
    expect(summary.rowCount).toBe(2_500);
    expect(summary.rows().at(-1)).toEqual([2_500]);
    expect(outcome).toEqual({ rowCount: 2_500, truncated: true });
    expect(await allClosed()).toBe(true);
  });

  it('does not call a result of exactly rowLimit rows truncated', async () => {
    const exact = await run('select g from generate_series(1, 2000) g', {
      rowLimit: 2_000,
      batchRows: 1_000,
    });
    expect(exact.outcome).toEqual({ rowCount: 2_000, truncated: false });
    const none = await run('select g from generate_series(1, 3) g', { rowLimit: 0 });
    expect(none.outcome).toEqual({ rowCount: 0, truncated: true });
    expect(none.summary.columns).toEqual([{ name: 'g', type: 'int32' }]);
  });

  it('maps every PostgreSQL type to its Arrow kind and value', async () => {
    const { columns, summary } = await run(`
      select 1::int2 as i2, (-2147483648)::int4 as i4, 9223372036854775807::int8 as i8,
             1.5::float4 as f4, 0.1::float8 as f8, 'NaN'::float8 as nan,
             12345678901234567890.123456789::numeric as num, true as b,
             'text'::text as t, 'varchar'::varchar as vc, 'bp'::char(4) as bp, 'name'::name as nm,
             '123e4567-e89b-12d3-a456-426614174000'::uuid as u,
             '{"a": [1, 2]}'::json as j, '{"a": 1}'::jsonb as jb,
             '2024-02-29'::date as d, '0044-03-15 BC'::date as bc, 'infinity'::date as inf,
             '2024-01-02 03:04:05.123456'::timestamp as ts,
             '2024-01-02 05:04:05.678+02'::timestamptz as tstz,
             '1 day 02:00'::interval as iv, array[1, 2] as arr, null::int4 as missing
    `);
    expect(Object.fromEntries(columns.map((column) => [column.name, column.kind]))).toEqual({
      i2: 'int32',
      i4: 'int32',
      i8: 'int64',
      f4: 'float64',
      f8: 'float64',
      nan: 'float64',
      num: 'utf8',
      b: 'bool',
      t: 'utf8',
      vc: 'utf8',
      bp: 'utf8',
      nm: 'utf8',
      u: 'utf8',
      j: 'utf8',
      jb: 'utf8',
      d: 'date',
      bc: 'date',
      inf: 'date',
      ts: 'timestamp',
      tstz: 'timestamp',
      iv: 'utf8',
      arr: 'utf8',
      missing: 'int32',
    });
    expect(summary.rows()[0]).toEqual([
      1,
      -2147483648,
      9223372036854775807n,
      1.5,
      0.1,
      Number.NaN,
      '12345678901234567890.123456789',
      true,
      'text',
      'varchar',
      'bp  ',
      'name',
      '123e4567-e89b-12d3-a456-426614174000',
      '{"a": [1, 2]}',
      '{"a": 1}',
      new Date('2024-02-29T00:00:00Z'),
      new Date('-000043-03-15T00:00:00Z'),
      null,
      new Date('2024-01-02T03:04:05.123Z'),
      new Date('2024-01-02T03:04:05.678Z'),
      '1 day 02:00:00',
      '{1,2}',
      null,
    ]);
  });

  it("leaves pg's global type parsers alone", async () => {
    const int8Parser = pg.types.getTypeParser(20, 'text');
    const dateParser = pg.types.getTypeParser(1082, 'text');
    await run('select 1::int8, current_date');
    expect(pg.types.getTypeParser(20, 'text')).toBe(int8Parser);
    expect(pg.types.getTypeParser(1082, 'text')).toBe(dateParser);
    const { rows } = await admin.query('select 2::int4 as n, current_date as d');
    expect(rows[0].n).toBe(2);
    expect(rows[0].d).toBeInstanceOf(Date);
  });

  it('reports a failure in a later batch through the stream, with its SQLSTATE', async () => {
    const result = await runReadOnlyQuery(
      target,
      'select 1 / (g - 1500) from generate_series(1, 3000) g',
      { ...defaults, batchRows: 1_000 },
    );
    const failure = await collect(result.stream).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DataSourceError);
    expect(failure).toMatchObject({ code: 'query_failed', sqlState: '22012' });
    expect((failure as Error).message).toBe('The query failed: division by zero (SQLSTATE 22012)');
    await expect(result.done).rejects.toBe(failure);
    expect(await allClosed()).toBe(true);
  });

  it('refuses a wrong password as connection_failed without repeating the password', async () => {
    const password = 'Wr0ng-S3cret-Passw0rd';
    const refused = await runReadOnlyQuery({ ...target, password }, 'select 1', defaults).catch(
      (caught: unknown) => caught,
    );
    expect(refused).toBeInstanceOf(DataSourceError);
    expect(refused).toMatchObject({ code: 'connection_failed', sqlState: '28P01' });
    expect((refused as Error).message).toMatch(/password authentication failed/);
    for (const shown of [(refused as Error).message, inspect(refused), JSON.stringify(refused)]) {
      expect(shown).not.toContain(password);
    }
  });

  it("never fills an empty password, host or user from the server's own PG* settings", async () => {
    vi.stubEnv('PGPASSWORD', target.password);
    vi.stubEnv('PGUSER', target.user);
    try {
      const error = await runReadOnlyQuery({ ...target, password: '' }, 'select 1', defaults).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'connection_failed' });
      await expect(runReadOnlyQuery({ ...target, user: '' }, 'select 1', defaults)).rejects.toThrow(
        'The connection names no user.',
      );
      await expect(
        runReadOnlyQuery({ ...target, host: ' ' }, 'select 1', defaults),
      ).rejects.toThrow('The connection names no host.');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('never echoes the password, even when PostgreSQL quotes it back', async () => {
    const error = await refusal(`select '${target.password}'::int`);
    expect(error.code).toBe('query_failed');
    expect(error.message).toContain('[password]');
    expect(error.message).not.toContain(target.password);
  });

  describe('unreachable servers', () => {
    let silent: Server;
    const silentSockets = new Set<Socket>();
    let silentPort: number;
    let closedPort: number;

    beforeAll(async () => {
      // Accepts the TCP connection and never answers, like a firewall that swallows packets.
      silent = createServer((socket) => {
        silentSockets.add(socket);
        socket.on('close', () => silentSockets.delete(socket));
        socket.resume(); // reads (and ignores) what arrives, so it notices the hang-up
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentPort = (silent.address() as { port: number }).port;
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      closedPort = (probe.address() as { port: number }).port;
      await new Promise((resolve) => probe.close(resolve));
    });

    afterAll(async () => {
      for (const socket of silentSockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('gives up on a silent server after connectTimeoutMs', async () => {
      const started = Date.now();
      const error = await runReadOnlyQuery(
        { ...target, host: '127.0.0.1', port: silentPort },
        'select 1',
        { ...defaults, connectTimeoutMs: 400 },
      ).catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toMatchObject({ code: 'connection_failed' });
      expect((error as Error).message).toContain(`127.0.0.1:${String(silentPort)}`);
      expect((error as Error).message).not.toContain(target.password);
      // The client hung up rather than leaving the socket open.
      expect(await waitUntil(async () => silentSockets.size === 0)).toBe(true);
    });

    it('reports a refused connection as connection_failed', async () => {
      const error = await runReadOnlyQuery(
        { ...target, host: '127.0.0.1', port: closedPort },
        'select 1',
        { ...defaults, connectTimeoutMs: 1_000 },
      ).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'connection_failed' });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });
  });

  describe('releasing the backend', () => {
    const bigQuery = "select g, repeat('x', 100) from generate_series(1, 1000000) g";

    it('closes the backend when the signal aborts mid-stream', async () => {
      const controller = new AbortController();
      const result = await runReadOnlyQuery(target, bigQuery, {
        ...defaults,
        batchRows: 100,
        signal: controller.signal,
      });
      const chunks = result.stream[Symbol.asyncIterator]();
      await chunks.next(); // the schema
      await chunks.next(); // the first batch
      expect(await openBackends()).toBe(1);
      controller.abort();
      await expect(chunks.next()).rejects.toMatchObject({ name: 'AbortError' });
      await expect(result.done).rejects.toMatchObject({ name: 'AbortError' });
      expect(await allClosed()).toBe(true);
    });

    it('closes the backend when the consumer stops after the first chunk', async () => {
      const result = await runReadOnlyQuery(target, bigQuery, { ...defaults, batchRows: 100 });
      expect(await openBackends()).toBe(1);
      for await (const chunk of result.stream) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
      expect(await result.done).toEqual({ rowCount: 100, truncated: true });
      expect(await allClosed()).toBe(true);
    });

    it('refuses to start with an aborted signal, and aborts a query still waiting for rows', async () => {
      const aborted = AbortSignal.abort();
      await expect(
        runReadOnlyQuery(target, 'select 1', { ...defaults, signal: aborted }),
      ).rejects.toMatchObject({
        name: 'AbortError',
      });
      const started = Date.now();
      const pending = runReadOnlyQuery(target, 'select pg_sleep(3)', {
        ...defaults,
        signal: AbortSignal.timeout(300),
      });
      await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });
});

/** A TCP listener on a free loopback port that counts the connections made to it. */
async function recordingListener(onSocket: (socket: Socket) => void = () => {}) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the host allow-list', () => {
  let listener: Awaited<ReturnType<typeof recordingListener>>;
  beforeAll(async () => {
    listener = await recordingListener();
  });
  afterAll(() => listener.close());

  const victim = (host: string): DataSourceTarget => ({
    host,
    port: listener.port,
    database: 'postgres',
    user: 'postgres',
    password: 'Pr0be-Passw0rd',
    ssl: false,
  });

  async function refusedBeforeConnecting(host: string, allowed: string, lookup?: HostLookup) {
    const before = listener.connections();
    const error = await runReadOnlyQuery(victim(host), 'select 1', {
      ...defaults,
      allowedHosts: HostAllowList.parse(allowed),
      ...(lookup ? { lookup } : {}),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataSourceError);
    expect(error).toMatchObject({ code: 'host_not_allowed', status: 400 });
    expect((error as Error).message).toContain(`"${host}"`);
    expect((error as Error).message).toContain('CONNECTION_ALLOWED_HOSTS');
    expect((error as Error).message).not.toContain('Pr0be-Passw0rd');
    // Give a connection that was started the time to arrive, then check none did.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listener.connections()).toBe(before);
    return error as DataSourceError;
  }

  it('refuses 127.0.0.1 when only 10.0.0.0/8 is allowed, without connecting', async () => {
    const error = await refusedBeforeConnecting('127.0.0.1', '10.0.0.0/8');
    expect(error.message).toMatch(/the address is not in CONNECTION_ALLOWED_HOSTS/);
  });

  it('refuses the IPv4-mapped spelling of loopback too', async () => {
    await refusedBeforeConnecting('::ffff:127.0.0.1', '10.0.0.0/8, fd00::/8');
  });

  it('refuses localhost when only a range without loopback is listed, as it resolves to loopback', async () => {
    const error = await refusedBeforeConnecting('localhost', '10.0.0.0/8, fd00::/8');
    // Neither the address it resolved to nor whether it resolved at all is told.
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1/);
    expect(error.message).toMatch(/neither the name nor every address it resolves to/);
  });

  it('refuses a name listed nowhere when the list has names only, without asking DNS', async () => {
    const lookup = vi.fn<HostLookup>(async () => [{ address: '10.0.0.1', family: 4 }]);
    await refusedBeforeConnecting('localhost', 'db.example.org, *.example.org', lookup);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('refuses a name of which one address is outside the list (a rebinding-style answer)', async () => {
    await refusedBeforeConnecting('two-faced.enclave.test', '10.0.0.0/8', async () => [
      { address: '10.0.0.1', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
  });

  it('says the same for a name that does not resolve', async () => {
    const unknown = await refusedBeforeConnecting('nowhere.enclave.test', '10.0.0.0/8', () =>
      Promise.reject(new Error('getaddrinfo ENOTFOUND nowhere.enclave.test')),
    );
    expect(unknown.message).not.toMatch(/ENOTFOUND/);
  });

  it('connects to the checked address, and gives TLS the name (SNI, and the certificate check)', async () => {
    const hellos: Buffer[] = [];
    // Answers PostgreSQL's SSLRequest with "yes", then keeps the TLS ClientHello and hangs up.
    const tlsServer = await recordingListener((socket) => {
      socket.once('data', () => {
        socket.write('S');
        socket.once('data', (hello) => {
          hellos.push(hello);
          socket.destroy();
        });
      });
    });
    try {
      const lookup = vi.fn<HostLookup>(async () => [{ address: '127.0.0.1', family: 4 }]);
      const error = await runReadOnlyQuery(
        { ...victim('db.enclave.test'), port: tlsServer.port, ssl: true },
        'select 1',
        { ...defaults, allowedHosts: HostAllowList.parse('127.0.0.1/32'), lookup },
      ).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'connection_failed' });
      expect(lookup).toHaveBeenCalledTimes(1);
      expect(tlsServer.connections()).toBe(1);
      // `.test` names never resolve, so the client reached the listener by the checked address;
      // the ClientHello carries the name in its server_name extension.
      expect(hellos[0]?.toString('latin1')).toContain('db.enclave.test');
    } finally {
      await tlsServer.close();
    }
  });
});

describe.skipIf(!hasTestPostgres)('the host allow-list against PostgreSQL', () => {
  let databaseUrl: string;
  let target: DataSourceTarget;

  beforeAll(async () => {
    databaseUrl = (await createTestDatabase())!;
    const url = new URL(databaseUrl);
    target = {
      host: url.hostname,
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      ssl: false,
    };
  });
  afterAll(async () => {
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  async function rows(host: string, allowed: string, lookup?: HostLookup) {
    const result = await runReadOnlyQuery({ ...target, host }, 'select 41 + 1 as answer', {
      ...defaults,
      allowedHosts: HostAllowList.parse(allowed),
      ...(lookup ? { lookup } : {}),
    });
    return readArrowIpcSummary(await collect(result.stream)).rows();
  }

  it('runs the query when the address is in a listed range', async () => {
    expect(await rows(target.host, `${target.host}/32`)).toEqual([[42]]);
  });

  it('runs the query through a name resolving to an allowed address, connecting to that address', async () => {
    const lookup = vi.fn<HostLookup>(async () => [{ address: target.host, family: 4 }]);
    // A `.test` name resolves nowhere: the query can only have reached the address checked.
    expect(await rows('warehouse.enclave.test', `${target.host}/32`, lookup)).toEqual([[42]]);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith('warehouse.enclave.test');
  });

  it('runs the query through a listed name without resolving it first', async () => {
    const lookup = vi.fn<HostLookup>();
    expect(await rows('localhost', 'localhost', lookup)).toEqual([[42]]);
    expect(lookup).not.toHaveBeenCalled();
  });
});

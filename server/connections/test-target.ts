/**
 * Test support: a real PostgreSQL database for a connection to point at, with a table of known
 * rows and a login role of its own whose password is random per run. The role may write to the
 * table, so a refused write proves the read-only transaction, not a missing privilege. Needs
 * `TEST_DATABASE_URL` (a role with CREATEDB and CREATEROLE); without it there is no target.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase } from '../store/testing.ts';

/** The rows of `samples`, as the target holds them. */
export const SAMPLE_ROWS = [
  { id: 1, label: 'alpha', measuredAt: new Date('2024-01-02T03:04:05.000Z'), value: 1.5 },
  { id: 2, label: 'beta', measuredAt: new Date('2024-02-03T04:05:06.000Z'), value: -2 },
  { id: 3, label: 'gamma', measuredAt: new Date('2024-03-04T05:06:07.000Z'), value: null },
  { id: 4, label: 'delta', measuredAt: new Date('2024-04-05T06:07:08.000Z'), value: 4.25 },
  { id: 5, label: 'epsilon', measuredAt: new Date('2024-05-06T07:08:09.000Z'), value: 0 },
] as const;

export interface TestTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Runs SQL on the target as its owner (to check what a query could not change). */
  query<Row extends Record<string, unknown>>(text: string): Promise<Row[]>;
  /** Drops the database and the role. */
  dispose(): Promise<void>;
}

/**
 * Creates the target database and its role, or returns undefined without `TEST_DATABASE_URL`.
 *
 * @example
 * const target = await createTestTarget();
 * if (target) await api.call('bob', 'POST', '/connections', { ...target, kind: 'postgres', ssl: false, name: 't' });
 * await target?.dispose();
 */
export async function createTestTarget(
  password = randomBytes(24).toString('base64url'),
): Promise<TestTarget | undefined> {
  const databaseUrl = await createTestDatabase();
  if (!databaseUrl) return undefined;
  const url = new URL(databaseUrl);
  const user = `enclave_conn_${randomBytes(6).toString('hex')}`;
  const owner = new pg.Client({ connectionString: databaseUrl });
  await owner.connect();
  try {
    await owner.query(`create role ${user} login password ${owner.escapeLiteral(password)}`);
    await owner.query(
      'create table samples (id int primary key, label text not null, measured_at timestamptz not null, value double precision)',
    );
    for (const row of SAMPLE_ROWS) {
      await owner.query('insert into samples values ($1, $2, $3, $4)', [
        row.id,
        row.label,
        row.measuredAt,
        row.value,
      ]);
    }
    await owner.query(`grant select, insert, update, delete on samples to ${user}`);
  } catch (error) {
    await owner.end();
    await dropTestDatabase(databaseUrl);
    throw error;
  }
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    database: url.pathname.slice(1),
    user,
    password,
    async query<Row extends Record<string, unknown>>(text: string) {
      return (await owner.query<Row>(text)).rows;
    },
    async dispose() {
      await owner.end();
      await dropTestDatabase(databaseUrl);
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`drop role if exists ${user}`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * The store: one PostgreSQL schema behind drizzle, on embedded PGlite by default or on a
 * PostgreSQL server when a connection URL is given. Migrations are applied on open.
 *
 * Everything above this folder sees only `Store` and `Database`, never the driver.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.ts';

export { schema };

/** A drizzle database over our schema, whichever driver runs it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Store {
  readonly db: Database;
  readonly kind: 'pglite' | 'postgres';
  /** Runs a raw SQL query (parameterised through the `sql` tag) and returns its rows. */
  rows<Row extends Record<string, unknown>>(query: SQL): Promise<Row[]>;
  /**
   * Runs `work` in one transaction as the restricted role `enclave_request` on behalf of a
   * user, so row-level security shows it only rows of projects that user may see. Every route
   * touches data through this; `db` above is for the server's own bookkeeping.
   */
  asUser<T>(userId: string, work: (db: Database) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a query; rejects otherwise. */
  ping(): Promise<void>;
  /** Finishes pending work and releases the database; the store is unusable afterwards. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL connection URL; when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** Folder for PGlite's files; when absent (and no URL), PGlite runs in memory. */
  dataDir?: string | undefined;
  /**
   * Told when the server drops an idle pooled connection (a restart, a failover, an
   * administrator ending it). The pool then opens a new one for the next query; without a
   * listener, node-postgres would raise the error where nothing catches it and end the process.
   */
  onConnectionError?: ((error: Error) => void) | undefined;
}

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Key of the advisory lock that lets one instance at a time apply migrations. */
const migrationLockKey = 0x656e636c; // "encl"

/**
 * Opens the store and brings its schema up to date.
 *
 * @example
 * const store = await openStore({ dataDir: './.enclave' });
 * await store.ping();
 * await store.close();
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.onConnectionError)
    : openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Store> {
  let client: PGlite;
  if (dataDir) {
    const folder = path.join(dataDir, 'pgdata');
    await mkdir(folder, { recursive: true, mode: 0o700 });
    client = await PGlite.create(folder);
  } else {
    client = await PGlite.create();
  }
  const db = drizzlePglite({ client, schema });
  try {
    await migratePglite(db, { migrationsFolder });
  } catch (error) {
    await client.close();
    throw error;
  }
  return storeOver(db as unknown as Database, 'pglite', async () => {
    if (!client.closed) await client.close();
  });
}

async function openPostgres(
  databaseUrl: string,
  onConnectionError: StoreOptions['onConnectionError'],
): Promise<Store> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', (error) => onConnectionError?.(error));
  const db = drizzlePostgres({ client: pool, schema });
  try {
    await migrateUnderLock(pool, () => migratePostgres(db, { migrationsFolder }));
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed = false;
  return storeOver(db as unknown as Database, 'postgres', async () => {
    if (closed) return;
    closed = true;
    await pool.end();
  });
}

/** The same store over either driver: both answer `execute` with `{ rows }`. */
function storeOver(db: Database, kind: Store['kind'], close: () => Promise<void>): Store {
  const rows = async <Row extends Record<string, unknown>>(query: SQL) =>
    ((await db.execute(query)) as unknown as { rows: Row[] }).rows;
  return {
    db,
    kind,
    rows,
    asUser: (userId, work) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local role enclave_request`);
        await tx.execute(sql`select set_config('enclave.user_id', ${userId}, true)`);
        return work(tx as unknown as Database);
      }),
    async ping() {
      await rows(sql`select 1`);
    },
    close,
  };
}

/** Several instances may start at once against one server; only one migrates at a time. */
async function migrateUnderLock(pool: pg.Pool, run: () => Promise<void>): Promise<void> {
  const lockClient = await pool.connect();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [migrationLockKey]);
    try {
      await run();
    } finally {
      await lockClient.query('select pg_advisory_unlock($1)', [migrationLockKey]);
    }
  } finally {
    lockClient.release();
  }
}

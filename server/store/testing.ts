/**
 * Test support: the databases the store's tests run on. PGlite always; a real PostgreSQL server
 * as well when `TEST_DATABASE_URL` names one (CI sets it). Each opened store gets a database of
 * its own, dropped again on dispose, so tests never see each other's rows. `tableDigests` tells
 * whether a call changed any row.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openStore, type Store } from './index.ts';

export interface TestStore extends Store {
  /** Connection URL of the test's own database (PostgreSQL targets only). */
  readonly databaseUrl: string | undefined;
  /** Closes the store and removes its database. */
  dispose(): Promise<void>;
}

export interface StoreTarget {
  name: 'pglite' | 'postgres';
  open(): Promise<TestStore>;
}

const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

async function createDatabase(adminUrl: string): Promise<string> {
  const name = `enclave_test_${crypto.randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return;
      } catch (error) {
        // An autovacuum worker busy in the database cannot be signalled by a role without
        // pg_signal_backend; it finishes within moments, so try again.
        const busy = (error as { code?: string }).code === '42501';
        if (!busy || attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.end();
  }
}

/**
 * A fresh, migrated PostgreSQL database for a test, or undefined when no server is configured.
 *
 * @example
 * const url = await createTestDatabase();
 * if (url) await dropTestDatabase(url);
 */
export async function createTestDatabase(): Promise<string | undefined> {
  return testDatabaseUrl ? createDatabase(testDatabaseUrl) : undefined;
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  if (testDatabaseUrl) await dropDatabase(testDatabaseUrl, databaseUrl);
}

export const hasTestPostgres = testDatabaseUrl !== undefined;

/**
 * The stores to run a suite on: `describe.each(storeTargets())('%s', ...)`.
 *
 * @example
 * describe.each(storeTargets())('audit on $name', (target) => { ... });
 */
export function storeTargets(): StoreTarget[] {
  const targets: StoreTarget[] = [
    {
      name: 'pglite',
      async open() {
        const store = await openStore({});
        return { ...store, databaseUrl: undefined, dispose: () => store.close() };
      },
    },
  ];
  if (testDatabaseUrl) {
    targets.push({
      name: 'postgres',
      async open() {
        const databaseUrl = await createDatabase(testDatabaseUrl);
        const store = await openStore({ databaseUrl });
        return {
          ...store,
          databaseUrl,
          async dispose() {
            await store.close();
            await dropDatabase(testDatabaseUrl, databaseUrl);
          },
        };
      },
    });
  }
  return targets;
}

/**
 * One digest per table over all its rows (order-free), to tell whether anything in them changed
 * between two moments.
 *
 * @example
 * const before = await tableDigests(store, ['projects', 'dashboards']);
 * // ... a call that must change nothing ...
 * expect(await tableDigests(store, ['projects', 'dashboards'])).toEqual(before);
 */
export async function tableDigests(
  store: Pick<Store, 'rows'>,
  tables: readonly string[],
): Promise<Record<string, string>> {
  const rows = await store.rows<{ name: string; digest: string }>(
    sql.join(
      tables.map(
        (table) =>
          sql`select ${table} as name,
            md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
            from ${sql.identifier(table)} t`,
      ),
      sql` union all `,
    ),
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.digest]));
}

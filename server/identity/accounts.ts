/**
 * Local accounts the server creates by itself: the first administrator of an empty store, and the
 * demo users of `ENCLAVE_SEED=demo`. Both are audited like any other account creation.
 */
import { randomBytes } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { count, inArray } from 'drizzle-orm';
import type { AuditTrail } from '../audit/index.ts';
import { schema, type Database } from '../store/index.ts';
import { hashPassword } from './passwords.ts';

const { users } = schema;

export type SystemRole = 'admin' | 'user' | 'viewer';

export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

/** The public view of an account: what audit events and the API may show. */
export interface AccountSummary {
  id: string;
  username: string;
  displayName: string;
  systemRole: SystemRole;
  source: 'local';
  mustChangePassword: boolean;
}

export interface AccountsOptions {
  db: Database;
  audit: AuditTrail;
}

async function createLocalAccount(
  options: AccountsOptions,
  account: Omit<AccountSummary, 'id' | 'source'>,
  password: string,
): Promise<AccountSummary | null> {
  const now = new Date();
  const summary: AccountSummary = { id: crypto.randomUUID(), source: 'local', ...account };
  const inserted = await options.db
    .insert(users)
    .values({
      ...summary,
      passwordHash: await hashPassword(password),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: users.username })
    .returning({ id: users.id });
  if (inserted.length === 0) return null;
  await options.audit.record({
    action: 'user.create',
    resourceType: 'user',
    resourceId: summary.id,
    outcome: 'ok',
    actorClient: 'server',
    before: null,
    after: summary,
  });
  return summary;
}

export interface InitialAdminOptions extends AccountsOptions {
  dataDir: string;
}

/**
 * On a store without any user, creates `admin` with a random password, writes the password to
 * `DATA_DIR/initial-admin-password` (mode 0600) and returns it so the caller can print it once.
 * The admin must change it at first sign-in. Returns null when users exist already (or another
 * instance created the admin at the same moment).
 *
 * @example
 * const created = await ensureInitialAdmin({ db, audit, dataDir });
 * if (created) console.error(`admin password: ${created.password}`);
 */
export async function ensureInitialAdmin(
  options: InitialAdminOptions,
): Promise<{ account: AccountSummary; password: string; file: string } | null> {
  const [existing] = await options.db.select({ n: count() }).from(users);
  if ((existing?.n ?? 0) > 0) return null;
  const password = randomBytes(18).toString('base64url');
  const account = await createLocalAccount(
    options,
    {
      username: 'admin',
      displayName: 'Administrator',
      systemRole: 'admin',
      mustChangePassword: true,
    },
    password,
  );
  if (!account) return null;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dataDir, INITIAL_ADMIN_PASSWORD_FILE);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return { account, password, file };
}

/** The demo users of `ENCLAVE_SEED=demo`; their passwords are public by design. */
export const DEMO_USERS: readonly {
  username: string;
  displayName: string;
  systemRole: SystemRole;
}[] = [
  { username: 'alice', displayName: 'Alice Adams', systemRole: 'admin' },
  { username: 'bob', displayName: 'Bob Brown', systemRole: 'user' },
  { username: 'carol', displayName: 'Carol Clark', systemRole: 'viewer' },
  { username: 'dave', displayName: 'Dave Davis', systemRole: 'user' },
];

/**
 * Creates the demo users that do not exist yet, each with the password `<name>-demo-password`.
 * The configuration allows this only when the server listens on a loopback address.
 *
 * @example
 * await seedDemoUsers({ db, audit }); // alice, bob, carol, dave
 */
export async function seedDemoUsers(options: AccountsOptions): Promise<AccountSummary[]> {
  const present = await options.db
    .select({ username: users.username })
    .from(users)
    .where(
      inArray(
        users.username,
        DEMO_USERS.map((user) => user.username),
      ),
    );
  const existing = new Set(present.map((row) => row.username));
  const created: AccountSummary[] = [];
  for (const user of DEMO_USERS) {
    if (existing.has(user.username)) continue;
    const account = await createLocalAccount(
      options,
      { ...user, mustChangePassword: false },
      `${user.username}-demo-password`,
    );
    if (account) created.push(account);
  }
  return created;
}

import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { asc, eq, gt, sql } from 'drizzle-orm';
import { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../audit/index.ts';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { ensureInitialAdmin, seedDemoUsers } from './accounts.ts';
import type { LdapSettings } from './ldap/index.ts';
import {
  TEST_GROUPS_DN,
  TEST_USERS,
  TEST_USER_DN_TEMPLATE,
  startTestSlapd,
  type TestSlapd,
} from './ldap/test-slapd.ts';
import { createLoginThrottle, type LoginThrottleLimits } from './login-throttle/index.ts';
import {
  INVALID_CREDENTIALS_MESSAGE,
  createPasswordSignIn,
  normalizeUsername,
  type SignInContext,
  type SignInResult,
} from './password-sign-in.ts';
import type * as Passwords from './passwords.ts';
import { verifyPassword } from './passwords.ts';

// The real verifyPassword, watched: which hash each attempt was checked against (or that none
// was) is how these tests see "an unknown user still costs a scrypt" and "a throttled attempt
// never reaches the hash", without measuring time.
vi.mock('./passwords.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof Passwords>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});
const verifyCalls = vi.mocked(verifyPassword);

const { users, groups, groupMembers, auditEvents, loginThrottle } = schema;
type UserRow = typeof users.$inferSelect;

const quietLogger = { info() {} };
const IP = '198.51.100.7';
const WRONG = 'not-the-password';
const MISSING: SignInResult = {
  ok: false,
  refusal: 'missing_credentials',
  message: 'Enter your username and your password.',
};
const INVALID: SignInResult = {
  ok: false,
  refusal: 'invalid_credentials',
  message: INVALID_CREDENTIALS_MESSAGE,
};
const DISABLED: SignInResult = {
  ok: false,
  refusal: 'account_disabled',
  message: 'This account is disabled. Ask an administrator to enable it.',
};
const CANNOT_CHANGE = { ok: false, message: 'This account cannot change its password here.' };
const LOCKED_BY_THROTTLE =
  'This account is locked after too many failed sign-ins. ' +
  'Try again in 60 minutes or ask an administrator.';

/** Usernames an attacker would send to an LDAP-backed login form. */
const HOSTILE_USERNAMES = [
  '*',
  'alice*',
  ')(uid=*',
  'alice)(uid=*',
  '*)(objectClass=*',
  'admin,dc=example',
  'alice,ou=people',
  `uid=alice,${TEST_USER_DN_TEMPLATE.slice('uid={username},'.length)}`,
  'alice\\2a',
  '#alice',
  'alice+cn=x',
];

const demoPassword = (username: string) => `${username}-demo-password`;

let requestCounter = 0;
function context(ip: string | null = IP): SignInContext {
  requestCounter += 1;
  return { ip, requestId: `req-${requestCounter}`, clientId: 'enclave-web' };
}

/** A loopback port nothing listens on: the "directory" there is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

let slapd: TestSlapd;
let ldap: LdapSettings;
let ldapDown: LdapSettings;

beforeAll(async () => {
  slapd = await startTestSlapd();
  ldap = {
    url: slapd.url,
    userDnTemplate: TEST_USER_DN_TEMPLATE,
    groupBase: TEST_GROUPS_DN,
    timeoutMs: 3_000,
  };
  ldapDown = { ...ldap, url: `ldap://127.0.0.1:${await closedPort()}` };
});
afterAll(async () => {
  await slapd?.stop();
});

describe('normalizeUsername', () => {
  it('trims and lower-cases', () => {
    expect(normalizeUsername('  Alice ')).toBe('alice');
    expect(normalizeUsername('BOB')).toBe('bob');
    expect(normalizeUsername('\tcarol\n')).toBe('carol');
  });

  it('refuses names that cannot name an account', () => {
    expect(normalizeUsername('')).toBeNull();
    expect(normalizeUsername('   ')).toBeNull();
    expect(normalizeUsername('a'.repeat(257))).toBeNull();
    expect(normalizeUsername('a'.repeat(256))).toBe('a'.repeat(256));
    // Text PostgreSQL cannot store names no account.
    expect(normalizeUsername('bob\u0000')).toBeNull();
    expect(normalizeUsername('bob\uD800')).toBeNull();
    expect(normalizeUsername('\uDC00bob')).toBeNull();
    expect(normalizeUsername('Bob\uD83D\uDE00')).toBe('bob\uD83D\uDE00');
  });
});

describe.each(storeTargets())('password sign-in on $name', (target) => {
  let store: TestStore;
  let audit: AuditTrail;
  /** The demo users as seeded once; put back before every test (hashing them is slow). */
  let demoRows: UserRow[];
  let demo: Record<string, UserRow>;
  /** The last audit seq before the test ran; events after it are the test's own. */
  let mark: number;

  beforeAll(async () => {
    store = await target.open();
    audit = createAuditTrail({ db: store.db, logger: quietLogger, mirrorToLog: false });
    await seedDemoUsers({ db: store.db, audit });
    demoRows = await store.db.select().from(users);
    demo = Object.fromEntries(demoRows.map((row) => [row.username, row]));
    expect(Object.keys(demo).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    await store.db.delete(users);
    await store.db.delete(groups);
    await store.db.delete(loginThrottle);
    await store.db.insert(users).values(demoRows);
    mark = await lastSeq();
    verifyCalls.mockClear();
  });

  async function lastSeq(): Promise<number> {
    const [last] = await store.db
      .select({ seq: auditEvents.seq })
      .from(auditEvents)
      .orderBy(sql`${auditEvents.seq} desc`)
      .limit(1);
    return last?.seq ?? 0;
  }

  const signInWith = (
    options: { limits?: Partial<LoginThrottleLimits>; ldap?: LdapSettings | undefined } = {},
  ) =>
    createPasswordSignIn({
      db: store.db,
      audit,
      throttle: createLoginThrottle({ db: store.db, limits: options.limits }),
      ldap: options.ldap,
    });

  async function events(action?: string) {
    const rows = await store.db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, mark))
      .orderBy(asc(auditEvents.seq));
    return action ? rows.filter((row) => row.action === action) : rows;
  }

  async function userRow(username: string) {
    const [row] = await store.db.select().from(users).where(eq(users.username, username));
    return row;
  }

  async function throttleRow(key: string) {
    const [row] = await store.db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
    return row;
  }

  /** The hashes verifyPassword was asked to check against since the test began. */
  const checkedHashes = () => verifyCalls.mock.calls.map(([, stored]) => stored);

  describe('local accounts', () => {
    it('signs in with the right password, audited with who, from where and how', async () => {
      const ctx = context();
      const result = await signInWith().signIn('bob', demoPassword('bob'), ctx);
      expect(result).toEqual({
        ok: true,
        method: 'password',
        mustChangePassword: false,
        account: {
          id: demo.bob!.id,
          username: 'bob',
          displayName: 'Bob Brown',
          systemRole: 'user',
        },
      });
      expect(checkedHashes()).toEqual([demo.bob!.passwordHash]);

      const recorded = await events();
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        action: 'auth.login',
        outcome: 'ok',
        resourceType: 'user',
        resourceId: demo.bob!.id,
        actorUserId: demo.bob!.id,
        actorClient: 'enclave-web',
        requestId: ctx.requestId,
        ip: IP,
        details: { username: 'bob', method: 'password' },
      });
      expect(JSON.stringify(recorded)).not.toContain(demoPassword('bob'));
      expect((await audit.verify()).ok).toBe(true);
    });

    it('refuses a wrong password with the one message, audited against the account', async () => {
      const ctx = context();
      expect(await signInWith().signIn('bob', WRONG, ctx)).toEqual(INVALID);
      expect(await signInWith().signIn('bob', demoPassword('carol'), context())).toEqual(INVALID);
      const [denied] = await events();
      expect(denied).toMatchObject({
        action: 'auth.login',
        outcome: 'denied',
        resourceId: demo.bob!.id,
        actorUserId: demo.bob!.id,
        actorClient: 'enclave-web',
        requestId: ctx.requestId,
        ip: IP,
        details: { username: 'bob', reason: 'invalid_credentials' },
      });
      expect(JSON.stringify(await events())).not.toContain(WRONG);
    });

    it('answers an unknown user exactly like a wrong password, after a scrypt of the same cost', async () => {
      const passwordSignIn = signInWith();
      const wrong = await passwordSignIn.signIn('bob', WRONG, context());
      const unknown = await passwordSignIn.signIn('mallory', WRONG, context());
      const unknownAgain = await passwordSignIn.signIn('nobody', 'something else', context());
      expect(unknown).toEqual(wrong);
      expect(unknownAgain).toEqual(wrong);

      // Each unknown user was checked against a real scrypt hash (the same one each time),
      // with the cost parameters of a stored hash: the same work as a known user.
      const [bobHash, unknownHash, unknownHashAgain] = checkedHashes();
      expect(bobHash).toBe(demo.bob!.passwordHash);
      expect(unknownHash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
      expect(unknownHash).toBe(unknownHashAgain);
      expect(demoRows.map((row) => row.passwordHash)).not.toContain(unknownHash);
      expect(unknownHash!.split('$').slice(0, 4)).toEqual(bobHash!.split('$').slice(0, 4));
      expect(verifyCalls.mock.calls.map(([typed]) => typed)).toEqual([
        WRONG,
        WRONG,
        'something else',
      ]);

      const denied = await events('auth.login');
      expect(denied.slice(1)).toEqual([
        expect.objectContaining({
          outcome: 'denied',
          resourceId: null,
          actorUserId: null,
          details: { username: 'mallory', reason: 'invalid_credentials' },
        }),
        expect.objectContaining({
          outcome: 'denied',
          actorUserId: null,
          details: { username: 'nobody', reason: 'invalid_credentials' },
        }),
      ]);
      expect(await userRow('mallory')).toBeUndefined();
    });

    it('never signs in to an account of an issuer or a directory with a password', async () => {
      for (const source of ['oidc', 'ldap'] as const) {
        await store.db.insert(users).values({
          id: crypto.randomUUID(),
          username: `${source}-user`,
          displayName: 'Directory person',
          systemRole: 'admin',
          source,
          externalSubject: source === 'oidc' ? 'https://issuer.example.org sub' : null,
          createdAt: new Date(),
          updatedAt: new Date(),
        });
        // Even an empty stored hash and any password: nothing to match, and still one scrypt.
        verifyCalls.mockClear();
        const result = await signInWith().signIn(`${source}-user`, 'whatever it is', context());
        expect(result).toEqual(INVALID);
        expect(checkedHashes()).toEqual([expect.stringMatching(/^scrypt\$/)]);
      }
    });

    it('refuses empty credentials without counting, checking or auditing them', async () => {
      const passwordSignIn = signInWith();
      for (let i = 0; i < 5; i++) {
        expect(await passwordSignIn.signIn('bob', '', context())).toEqual(MISSING);
      }
      expect(await passwordSignIn.signIn('', demoPassword('bob'), context())).toEqual(MISSING);
      expect(await passwordSignIn.signIn('  \t ', demoPassword('bob'), context())).toEqual(MISSING);
      expect(await passwordSignIn.signIn('', '', context())).toEqual(MISSING);
      expect(await store.db.select().from(loginThrottle)).toEqual([]);
      expect(await events()).toEqual([]);
      expect(verifyCalls).not.toHaveBeenCalled();

      // Five empty ones did not use up bob's five attempts: the sixth goes ahead.
      const sixth = await passwordSignIn.signIn('bob', demoPassword('bob'), context());
      expect(sixth).toMatchObject({ ok: true, account: { username: 'bob' } });
    });

    it('refuses a username PostgreSQL cannot store as missing, before any lookup or audit', async () => {
      const passwordSignIn = signInWith();
      for (const username of ['bob\u0000', '\u0000', 'b\u0000ob', 'bob\uD800', '\uDC00bob']) {
        expect(await passwordSignIn.signIn(username, demoPassword('bob'), context())).toEqual(
          MISSING,
        );
      }
      expect(verifyCalls).not.toHaveBeenCalled();
      expect(await store.db.select().from(loginThrottle)).toEqual([]);
      expect(await events()).toEqual([]);
      // A well-formed pair is ordinary text: an unknown user like any other.
      expect(await passwordSignIn.signIn('bob\uD83D\uDE00', WRONG, context())).toEqual(INVALID);
    });

    it('refuses an over-long password unread, with the one message', async () => {
      const huge = 'p'.repeat(257);
      expect(await signInWith().signIn('bob', huge, context())).toEqual(INVALID);
      expect(verifyCalls).not.toHaveBeenCalled();
      expect(await events()).toEqual([
        expect.objectContaining({
          action: 'auth.login',
          outcome: 'denied',
          details: { username: 'bob', reason: 'password_too_long' },
        }),
      ]);
      expect(JSON.stringify(await events())).not.toContain(huge);
      // Longest allowed still gets a real check.
      expect(await signInWith().signIn('bob', 'p'.repeat(256), context())).toEqual(INVALID);
      expect(checkedHashes()).toEqual([demo.bob!.passwordHash]);
    });

    it('trims and lower-cases the username, for sign-in and for the throttle', async () => {
      const passwordSignIn = signInWith();
      const padded = await passwordSignIn.signIn(' Bob ', demoPassword('bob'), context());
      expect(padded).toMatchObject({ ok: true, account: { id: demo.bob!.id, username: 'bob' } });
      const shouted = await passwordSignIn.signIn('CAROL', demoPassword('carol'), context());
      expect(shouted).toMatchObject({ ok: true, account: { username: 'carol' } });
      expect((await events('auth.login')).map((event) => event.details)).toEqual([
        { username: 'bob', method: 'password' },
        { username: 'carol', method: 'password' },
      ]);

      // Spelling the name differently does not buy more guesses.
      for (const spelling of ['Bob', ' bob', 'BOB ', 'bOb', 'bob']) {
        expect(await passwordSignIn.signIn(spelling, WRONG, context())).toEqual(INVALID);
      }
      const sixth = await passwordSignIn.signIn('bob', demoPassword('bob'), context());
      expect(sixth).toMatchObject({ ok: false, refusal: 'login_throttled' });
    });

    it('refuses a disabled account only after the right password, so guessers learn nothing', async () => {
      await store.db.update(users).set({ disabled: true }).where(eq(users.username, 'bob'));
      const passwordSignIn = signInWith();

      const wrong = await passwordSignIn.signIn('bob', WRONG, context());
      const unknown = await passwordSignIn.signIn('mallory', WRONG, context());
      expect(wrong).toEqual(INVALID);
      expect(wrong).toEqual(unknown);

      const ctx = context();
      expect(await passwordSignIn.signIn('bob', demoPassword('bob'), ctx)).toEqual(DISABLED);
      expect((await events('auth.login')).at(-1)).toMatchObject({
        outcome: 'denied',
        resourceId: demo.bob!.id,
        actorUserId: demo.bob!.id,
        requestId: ctx.requestId,
        ip: IP,
        details: { username: 'bob', method: 'password', reason: 'account_disabled' },
      });
      expect(await events()).not.toContainEqual(expect.objectContaining({ outcome: 'ok' }));
    });

    it('records a missing address and request id as null, and throttles them under one key', async () => {
      const ctx = { ip: null, requestId: null, clientId: null };
      expect(await signInWith().signIn('bob', WRONG, ctx)).toEqual(INVALID);
      expect((await events())[0]).toMatchObject({ ip: null, requestId: null, actorClient: null });
      expect(await throttleRow('address:unknown')).toMatchObject({ attempts: 1 });
    });
  });

  describe('throttling', () => {
    it('refuses the 6th attempt for an account, right password or not, without checking it', async () => {
      const passwordSignIn = signInWith();
      for (let i = 0; i < 5; i++) {
        expect(await passwordSignIn.signIn('bob', WRONG, context(`198.51.100.${i}`))).toEqual(
          INVALID,
        );
      }
      verifyCalls.mockClear();

      const ctx = context('198.51.100.99');
      const sixth = await passwordSignIn.signIn('bob', demoPassword('bob'), ctx);
      expect(sixth).toEqual({
        ok: false,
        refusal: 'login_throttled',
        message: 'Too many failed sign-ins for this account. Try again in 15 minutes.',
      });
      expect(verifyCalls).not.toHaveBeenCalled();
      expect((await events('auth.login')).at(-1)).toMatchObject({
        outcome: 'denied',
        resourceId: null,
        actorUserId: null,
        requestId: ctx.requestId,
        ip: '198.51.100.99',
        details: { username: 'bob', reason: 'throttled_account' },
      });

      // The right password during throttling reset nothing: the counters stand, and it is
      // still refused.
      expect(await throttleRow('account:bob')).toMatchObject({
        attempts: 6,
        consecutiveFailures: 5,
      });
      expect(await passwordSignIn.signIn('bob', demoPassword('bob'), context())).toMatchObject({
        refusal: 'login_throttled',
      });
      expect(verifyCalls).not.toHaveBeenCalled();

      // Other accounts are not affected.
      expect(await passwordSignIn.signIn('carol', demoPassword('carol'), context())).toMatchObject({
        ok: true,
      });
    });

    it('refuses the 21st attempt from one address, for any username, and no other address', async () => {
      const passwordSignIn = signInWith();
      for (let i = 0; i < 20; i++) {
        expect(await passwordSignIn.signIn(`user${i}`, WRONG, context('203.0.113.7'))).toEqual(
          INVALID,
        );
      }
      verifyCalls.mockClear();

      const refused = await passwordSignIn.signIn(
        'bob',
        demoPassword('bob'),
        context('203.0.113.7'),
      );
      expect(refused).toEqual({
        ok: false,
        refusal: 'login_throttled',
        message: 'Too many failed sign-ins from your network address. Try again in 15 minutes.',
      });
      expect(verifyCalls).not.toHaveBeenCalled();
      expect((await events('auth.login')).at(-1)).toMatchObject({
        outcome: 'denied',
        ip: '203.0.113.7',
        details: { username: 'bob', reason: 'throttled_address' },
      });

      const elsewhere = await passwordSignIn.signIn(
        'bob',
        demoPassword('bob'),
        context('203.0.113.8'),
      );
      expect(elsewhere).toMatchObject({ ok: true, account: { username: 'bob' } });
    });

    it('locks the account after failures in a row and says so on the locking attempt', async () => {
      const passwordSignIn = signInWith({
        limits: { maxAttemptsPerAccount: 100, lockoutAfterConsecutiveFailures: 3 },
      });
      expect(await passwordSignIn.signIn('bob', WRONG, context())).toEqual(INVALID);
      expect(await passwordSignIn.signIn('bob', WRONG, context())).toEqual(INVALID);
      expect(await events('auth.lockout')).toEqual([]);

      const ctx = context();
      const before = Date.now();
      const locking = await passwordSignIn.signIn('bob', WRONG, ctx);
      expect(locking).toEqual({
        ok: false,
        refusal: 'account_locked',
        message: `${INVALID_CREDENTIALS_MESSAGE} After too many failed sign-ins this account is now locked for 60 minutes.`,
      });
      const lockouts = await events('auth.lockout');
      expect(lockouts).toEqual([
        expect.objectContaining({
          outcome: 'denied',
          resourceType: 'user',
          resourceId: demo.bob!.id,
          actorUserId: demo.bob!.id,
          actorClient: 'enclave-web',
          requestId: ctx.requestId,
          ip: IP,
          details: { username: 'bob', lockedUntil: expect.any(String) },
        }),
      ]);
      const lockedUntil = Date.parse((lockouts[0]!.details as { lockedUntil: string }).lockedUntil);
      expect(lockedUntil - before).toBeGreaterThanOrEqual(3_600_000);
      expect(lockedUntil - Date.now()).toBeLessThanOrEqual(3_600_000);
      // The locking attempt was a wrong password too, and is audited as one.
      expect((await events('auth.login')).at(-1)).toMatchObject({
        details: { username: 'bob', reason: 'invalid_credentials' },
      });

      verifyCalls.mockClear();
      const right = await passwordSignIn.signIn('bob', demoPassword('bob'), context());
      expect(right).toEqual({ ok: false, refusal: 'account_locked', message: LOCKED_BY_THROTTLE });
      expect(verifyCalls).not.toHaveBeenCalled();
      expect((await events('auth.login')).at(-1)).toMatchObject({
        outcome: 'denied',
        actorUserId: null,
        details: { username: 'bob', reason: 'account_locked' },
      });
      expect(await passwordSignIn.signIn('carol', demoPassword('carol'), context())).toMatchObject({
        ok: true,
      });
    });

    it('locks an unknown username exactly like a real one', async () => {
      const passwordSignIn = signInWith({
        limits: { maxAttemptsPerAccount: 100, lockoutAfterConsecutiveFailures: 2 },
      });
      const answers = async (username: string) => [
        await passwordSignIn.signIn(username, WRONG, context()),
        await passwordSignIn.signIn(username, WRONG, context()),
        await passwordSignIn.signIn(username, WRONG, context()),
      ];
      const real = await answers('bob');
      expect(await answers('mallory')).toEqual(real);
      expect(real.map((result) => !result.ok && result.refusal)).toEqual([
        'invalid_credentials',
        'account_locked',
        'account_locked',
      ]);
      expect((await events('auth.lockout')).map((event) => event.resourceId)).toEqual([
        demo.bob!.id,
        null,
      ]);
    });

    it('names a lock of one minute in the singular', async () => {
      const passwordSignIn = signInWith({
        limits: { lockoutAfterConsecutiveFailures: 1, lockoutSeconds: 60 },
      });
      expect(await passwordSignIn.signIn('bob', WRONG, context())).toEqual({
        ok: false,
        refusal: 'account_locked',
        message: `${INVALID_CREDENTIALS_MESSAGE} After too many failed sign-ins this account is now locked for 1 minute.`,
      });
    });

    it('clears failures in a row on a right password', async () => {
      const passwordSignIn = signInWith({
        limits: { maxAttemptsPerAccount: 100, lockoutAfterConsecutiveFailures: 3 },
      });
      await passwordSignIn.signIn('bob', WRONG, context());
      await passwordSignIn.signIn('bob', WRONG, context());
      expect(await passwordSignIn.signIn('bob', demoPassword('bob'), context())).toMatchObject({
        ok: true,
      });
      expect(await throttleRow('account:bob')).toBeUndefined();
      expect(await passwordSignIn.signIn('bob', WRONG, context())).toEqual(INVALID);
      expect(await passwordSignIn.signIn('bob', WRONG, context())).toEqual(INVALID);
    });
  });

  describe('forced password change', () => {
    let dataDir: string;
    let admin: { id: string; password: string };

    beforeEach(async () => {
      await store.db.delete(users);
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-sign-in-'));
      const created = await ensureInitialAdmin({ db: store.db, audit, dataDir });
      if (!created) throw new Error('the initial admin was not created');
      admin = { id: created.account.id, password: created.password };
      mark = await lastSeq();
      return () => rm(dataDir, { recursive: true, force: true });
    });

    it('signs the initial admin in with mustChangePassword', async () => {
      const result = await signInWith().signIn('admin', admin.password, context());
      expect(result).toEqual({
        ok: true,
        method: 'password',
        mustChangePassword: true,
        account: {
          id: admin.id,
          username: 'admin',
          displayName: 'Administrator',
          systemRole: 'admin',
        },
      });
    });

    it.each([
      ['too short', 'short pass', 'short pass', 'Use at least 12 characters.'],
      ['too long', 'x'.repeat(257), 'x'.repeat(257), 'Use at most 256 characters.'],
      [
        'common',
        'password1234',
        'password1234',
        'This password is too common or too easy to guess. Use a longer passphrase of unrelated words.',
      ],
      [
        'containing the username',
        'Admin-tulip-cathedral-91',
        'Admin-tulip-cathedral-91',
        'Do not use your user name or the product name in your password.',
      ],
      [
        'containing the product name',
        'my-Enclave-tulip-cathedral',
        'my-Enclave-tulip-cathedral',
        'Do not use your user name or the product name in your password.',
      ],
      [
        'not repeated exactly',
        'violet tractor lantern meadow',
        'violet tractor lantern meadoW',
        'The two new passwords are not the same.',
      ],
    ])('refuses a new password %s, changing nothing', async (_case, next, repeated, message) => {
      const before = await userRow('admin');
      const result = await signInWith().changePassword(admin.id, next, repeated, context());
      expect(result).toEqual({ ok: false, message });
      expect(await userRow('admin')).toEqual(before);
      expect(await events()).toEqual([]);
    });

    it('refuses the current password as the new one', async () => {
      const before = await userRow('admin');
      const result = await signInWith().changePassword(
        admin.id,
        admin.password,
        admin.password,
        context(),
      );
      expect(result).toEqual({
        ok: false,
        message: 'Choose a password different from the current one.',
      });
      expect(await userRow('admin')).toEqual(before);
      expect(await events()).toEqual([]);
    });

    it('sets a good new password: the flag clears, the change is audited, the old one stops working', async () => {
      const next = 'violet tractor lantern meadow';
      const passwordSignIn = signInWith();
      const before = await userRow('admin');
      const ctx = context();
      expect(await passwordSignIn.changePassword(admin.id, next, next, ctx)).toEqual({ ok: true });

      const after = await userRow('admin');
      expect(after).toMatchObject({ mustChangePassword: false, source: 'local' });
      expect(after!.passwordHash).not.toBe(before!.passwordHash);
      expect(after!.passwordHash).toMatch(/^scrypt\$/);
      expect(after!.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());

      const changes = await events('auth.password_change');
      expect(changes).toEqual([
        expect.objectContaining({
          outcome: 'ok',
          resourceType: 'user',
          resourceId: admin.id,
          actorUserId: admin.id,
          actorClient: 'enclave-web',
          requestId: ctx.requestId,
          ip: IP,
          before: { mustChangePassword: true },
          after: { mustChangePassword: false },
        }),
      ]);
      const recorded = JSON.stringify(await events());
      expect(recorded).not.toContain(next);
      expect(recorded).not.toContain(admin.password);
      expect(recorded).not.toContain('scrypt$');

      expect(await passwordSignIn.signIn('admin', admin.password, context())).toEqual(INVALID);
      expect(await passwordSignIn.signIn('admin', next, context())).toMatchObject({
        ok: true,
        mustChangePassword: false,
        account: { id: admin.id },
      });
    });

    it('refuses accounts that have no local password to change, or are disabled', async () => {
      const next = 'violet tractor lantern meadow';
      const ldapUser = crypto.randomUUID();
      await store.db.insert(users).values({
        id: ldapUser,
        username: 'lena',
        displayName: 'Lena Directory',
        systemRole: 'user',
        source: 'ldap',
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      await store.db.update(users).set({ disabled: true }).where(eq(users.id, admin.id));
      const rowsBefore = await store.db.select().from(users).orderBy(asc(users.username));

      const passwordSignIn = signInWith();
      for (const userId of [ldapUser, admin.id, crypto.randomUUID()]) {
        expect(await passwordSignIn.changePassword(userId, next, next, context())).toEqual(
          CANNOT_CHANGE,
        );
      }
      expect(await store.db.select().from(users).orderBy(asc(users.username))).toEqual(rowsBefore);
      expect(await events()).toEqual([]);
    });
  });

  describe('with LDAP', () => {
    let bind: ReturnType<typeof vi.spyOn>;

    beforeEach(async () => {
      // The demo users share their names with the directory's people; start with none of them.
      await store.db.delete(users);
      mark = await lastSeq();
      bind = vi.spyOn(Client.prototype, 'bind');
    });
    afterEach(() => {
      bind.mockRestore();
    });

    async function memberships(userId: string) {
      const rows = await store.db
        .select({ name: groups.name, source: groups.source })
        .from(groupMembers)
        .innerJoin(groups, eq(groups.id, groupMembers.groupId))
        .where(eq(groupMembers.userId, userId))
        .orderBy(asc(groups.name));
      return rows.map((row) => `${row.source}:${row.name}`);
    }

    it('signs a directory user in and gives them an account with their groups, once', async () => {
      const passwordSignIn = signInWith({ ldap });
      const ctx = context();
      const result = await passwordSignIn.signIn('alice', TEST_USERS.alice.password, ctx);
      expect(result).toEqual({
        ok: true,
        method: 'ldap',
        mustChangePassword: false,
        account: {
          id: expect.any(String),
          username: 'alice',
          displayName: 'Alice L.',
          systemRole: 'user',
        },
      });
      if (!result.ok) throw new Error('unreachable');
      const id = result.account.id;
      expect(await userRow('alice')).toMatchObject({
        id,
        source: 'ldap',
        displayName: 'Alice L.',
        email: 'alice@example.org',
        passwordHash: null,
        mustChangePassword: false,
        disabled: false,
      });
      expect(await memberships(id)).toEqual(['ldap:chemistry', 'ldap:oncology']);
      expect(verifyCalls).not.toHaveBeenCalled();

      const recorded = await events();
      expect(recorded.map((event) => event.action)).toEqual([
        'user.create',
        'user.groups.sync',
        'auth.login',
      ]);
      for (const event of recorded) {
        expect(event).toMatchObject({ requestId: ctx.requestId, ip: IP, resourceId: id });
      }
      expect(recorded[2]).toMatchObject({
        outcome: 'ok',
        actorUserId: id,
        actorClient: 'enclave-web',
        details: { username: 'alice', method: 'ldap' },
      });

      // Again, spelled differently: the same account, nothing created or re-synced.
      mark = await lastSeq();
      const again = await passwordSignIn.signIn(' ALICE ', TEST_USERS.alice.password, context());
      expect(again).toMatchObject({ ok: true, method: 'ldap', account: { id } });
      expect(await store.db.select({ id: users.id }).from(users)).toEqual([{ id }]);
      expect((await events()).map((event) => event.action)).toEqual(['auth.login']);
      const groupRows = await store.db.select().from(groups).orderBy(asc(groups.name));
      expect(groupRows.map((group) => `${group.source}:${group.name}`)).toEqual([
        'ldap:chemistry',
        'ldap:oncology',
      ]);
    });

    it('refuses a wrong directory password or an unknown person with the one message', async () => {
      const passwordSignIn = signInWith({ ldap });
      expect(await passwordSignIn.signIn('alice', WRONG, context())).toEqual(INVALID);
      expect(await passwordSignIn.signIn('alice', TEST_USERS.bob.password, context())).toEqual(
        INVALID,
      );
      expect(await passwordSignIn.signIn('mallory', WRONG, context())).toEqual(INVALID);
      expect(bind).toHaveBeenCalledTimes(3);
      expect(await store.db.select().from(users)).toEqual([]);
      expect((await events()).map((event) => [event.action, event.details])).toEqual([
        ['auth.login', { username: 'alice', reason: 'invalid_credentials' }],
        ['auth.login', { username: 'alice', reason: 'invalid_credentials' }],
        ['auth.login', { username: 'mallory', reason: 'invalid_credentials' }],
      ]);
      expect(await throttleRow('account:alice')).toMatchObject({ consecutiveFailures: 2 });
    });

    it('checks a local account of the same name locally only', async () => {
      await store.db.insert(users).values(demo.alice!);
      const passwordSignIn = signInWith({ ldap });

      expect(await passwordSignIn.signIn('alice', TEST_USERS.alice.password, context())).toEqual(
        INVALID,
      );
      expect(bind).not.toHaveBeenCalled();
      expect(checkedHashes()).toEqual([demo.alice!.passwordHash]);

      const local = await passwordSignIn.signIn('alice', demoPassword('alice'), context());
      expect(local).toEqual({
        ok: true,
        method: 'password',
        mustChangePassword: false,
        account: {
          id: demo.alice!.id,
          username: 'alice',
          displayName: 'Alice Adams',
          systemRole: 'admin',
        },
      });
      expect(bind).not.toHaveBeenCalled();
      expect(await userRow('alice')).toEqual(demo.alice);
      expect(await memberships(demo.alice!.id)).toEqual([]);
    });

    it('never lets the directory sign in to an account of an issuer', async () => {
      const issuerBob = {
        id: crypto.randomUUID(),
        username: 'bob',
        displayName: 'Issuer Bob',
        systemRole: 'admin',
        source: 'oidc',
        externalSubject: 'https://issuer.example.org bob',
        createdAt: new Date('2030-01-01T00:00:00.000Z'),
        updatedAt: new Date('2030-01-01T00:00:00.000Z'),
      };
      await store.db.insert(users).values(issuerBob);
      const result = await signInWith({ ldap }).signIn('bob', TEST_USERS.bob.password, context());
      expect(result).toEqual(INVALID);
      expect(bind).not.toHaveBeenCalled();
      expect(await userRow('bob')).toMatchObject(issuerBob);
    });

    it('keeps signing in local accounts while the directory is down', async () => {
      await store.db.insert(users).values(demo.bob!);
      const result = await signInWith({ ldap: ldapDown }).signIn(
        'bob',
        demoPassword('bob'),
        context(),
      );
      expect(result).toMatchObject({ ok: true, method: 'password' });
    });

    it('says the directory is unavailable when it is, without counting a failure in a row', async () => {
      const limits = { maxAttemptsPerAccount: 100, lockoutAfterConsecutiveFailures: 2 };
      const down = signInWith({ ldap: ldapDown, limits });
      const unavailable = {
        ok: false,
        refusal: 'directory_unavailable',
        message: 'The sign-in directory (LDAP) is unavailable; try again later.',
      };
      const ctx = context();
      expect(await down.signIn('alice', TEST_USERS.alice.password, ctx)).toEqual(unavailable);
      expect(await down.signIn('alice', WRONG, context())).toEqual(unavailable);
      expect(await down.signIn('alice', WRONG, context())).toEqual(unavailable);
      expect(await throttleRow('account:alice')).toMatchObject({
        attempts: 3,
        consecutiveFailures: 0,
        lockedUntil: null,
      });
      expect(await events('auth.lockout')).toEqual([]);
      expect((await events('auth.login'))[0]).toMatchObject({
        outcome: 'denied',
        requestId: ctx.requestId,
        ip: IP,
        details: { username: 'alice', method: 'ldap', reason: 'directory_unavailable' },
      });
      expect(await store.db.select().from(users)).toEqual([]);

      // Back up: not locked, and she signs in.
      const up = await signInWith({ ldap, limits }).signIn(
        'alice',
        TEST_USERS.alice.password,
        context(),
      );
      expect(up).toMatchObject({ ok: true, method: 'ldap' });
    });

    it('fails closed when the directory hides the user from themselves', async () => {
      const result = await signInWith({ ldap }).signIn('dave', TEST_USERS.dave.password, context());
      expect(result).toMatchObject({ ok: false, refusal: 'directory_unavailable' });
      expect(await userRow('dave')).toBeUndefined();
    });

    it.each(HOSTILE_USERNAMES.map((username) => [JSON.stringify(username), username]))(
      'refuses the injection attempt %s without asking the directory',
      async (_shown, username) => {
        const passwordSignIn = signInWith({ ldap });
        for (const password of [TEST_USERS.alice.password, '*']) {
          expect(await passwordSignIn.signIn(username, password, context())).toEqual(INVALID);
        }
        expect(bind).not.toHaveBeenCalled();
        expect(await store.db.select().from(users)).toEqual([]);
        expect(await events('auth.login')).toHaveLength(2);
        expect(await events('auth.login')).not.toContainEqual(
          expect.objectContaining({ outcome: 'ok' }),
        );
      },
    );

    it('refuses a disabled directory account only after the right directory password', async () => {
      const passwordSignIn = signInWith({ ldap });
      await passwordSignIn.signIn('alice', TEST_USERS.alice.password, context());
      await store.db.update(users).set({ disabled: true }).where(eq(users.username, 'alice'));

      expect(await passwordSignIn.signIn('alice', WRONG, context())).toEqual(INVALID);
      expect(await passwordSignIn.signIn('alice', TEST_USERS.alice.password, context())).toEqual(
        DISABLED,
      );
      expect((await events('auth.login')).at(-1)).toMatchObject({
        outcome: 'denied',
        details: { username: 'alice', method: 'ldap', reason: 'account_disabled' },
      });
      expect(await userRow('alice')).toMatchObject({ disabled: true });
    });

    it('no longer signs a directory account in once LDAP is switched off', async () => {
      await signInWith({ ldap }).signIn('alice', TEST_USERS.alice.password, context());
      bind.mockClear();
      verifyCalls.mockClear();
      const result = await signInWith().signIn('alice', TEST_USERS.alice.password, context());
      expect(result).toEqual(INVALID);
      expect(bind).not.toHaveBeenCalled();
      expect(checkedHashes()).toEqual([expect.stringMatching(/^scrypt\$/)]);
    });

    it('does not let a directory user change a password here', async () => {
      const passwordSignIn = signInWith({ ldap });
      const result = await passwordSignIn.signIn('bob', TEST_USERS.bob.password, context());
      if (!result.ok) throw new Error(`bob did not sign in: ${result.message}`);
      const next = 'violet tractor lantern meadow';
      expect(await passwordSignIn.changePassword(result.account.id, next, next, context())).toEqual(
        CANNOT_CHANGE,
      );
      expect(await userRow('bob')).toMatchObject({ passwordHash: null });
    });
  });

  it('leaves an intact audit chain behind', async () => {
    const passwordSignIn = signInWith({ ldap });
    await passwordSignIn.signIn('bob', demoPassword('bob'), context());
    await passwordSignIn.signIn('bob', WRONG, context());
    await passwordSignIn.signIn('mallory', WRONG, context());
    expect((await events('auth.login')).map((event) => event.outcome)).toEqual([
      'ok',
      'denied',
      'denied',
    ]);
    expect((await audit.verify()).ok).toBe(true);
  });
});

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../errors/index.ts';
import { openStore, schema } from '../../store/index.ts';
import { storeTargets, type TestStore } from '../../store/testing.ts';
import {
  AccountLockedError,
  createLoginThrottle,
  DEFAULT_LOGIN_THROTTLE_LIMITS,
  LoginThrottledError,
  MAX_LOGIN_THROTTLE_KEY_BYTES,
  throttleKey,
  type LoginThrottleLimits,
} from './index.ts';

const START = new Date('2030-01-01T00:00:00.000Z');

describe('login throttle errors', () => {
  it('say what happened and when to try again, in whole minutes rounded up', () => {
    const account = new LoginThrottledError('account', 720);
    expect(account.message).toBe(
      'Too many failed sign-ins for this account. Try again in 12 minutes.',
    );
    expect(new LoginThrottledError('address', 180).message).toBe(
      'Too many failed sign-ins from your network address. Try again in 3 minutes.',
    );
    expect(new LoginThrottledError('account', 61).message).toContain('Try again in 2 minutes.');
    expect(new LoginThrottledError('account', 119).message).toContain('Try again in 2 minutes.');
    expect(new LoginThrottledError('account', 60).message).toContain('Try again in 1 minute.');
    expect(new LoginThrottledError('account', 1).message).toContain('Try again in 1 minute.');
    expect(new LoginThrottledError('account', 0).message).toContain('Try again in 1 minute.');

    const lockedUntil = new Date(START.getTime() + 3_600_000);
    const locked = new AccountLockedError(lockedUntil, 3600);
    expect(locked.message).toBe(
      'This account is locked after too many failed sign-ins. ' +
        'Try again in 60 minutes or ask an administrator.',
    );
    expect(new AccountLockedError(lockedUntil, 30).message).toContain('Try again in 1 minute or');
    expect(new AccountLockedError(lockedUntil, 3601).message).toContain('in 61 minutes or');
  });

  it('are 429 ApiErrors with stable codes and their fields', () => {
    const throttled = new LoginThrottledError('address', 42);
    expect(throttled).toBeInstanceOf(ApiError);
    expect(throttled).toMatchObject({
      status: 429,
      code: 'login_throttled',
      scope: 'address',
      retryAfterSeconds: 42,
      name: 'LoginThrottledError',
    });
    const lockedUntil = new Date(START.getTime() + 1000);
    const locked = new AccountLockedError(lockedUntil, 1);
    expect(locked).toBeInstanceOf(ApiError);
    expect(locked).toMatchObject({
      status: 429,
      code: 'account_locked',
      lockedUntil,
      retryAfterSeconds: 1,
      name: 'AccountLockedError',
    });
  });
});

describe('throttleKey', () => {
  it('keeps short names as they are', () => {
    expect(throttleKey('account', 'alice')).toBe('account:alice');
    expect(throttleKey('address', '203.0.113.7')).toBe('address:203.0.113.7');
  });

  it('hashes keys over the byte limit into a bounded key of their own', () => {
    const fits = 'a'.repeat(MAX_LOGIN_THROTTLE_KEY_BYTES - 'account:'.length);
    expect(throttleKey('account', fits)).toBe(`account:${fits}`);
    const over = throttleKey('account', `${fits}a`);
    expect(over).toMatch(/^account#sha256:[0-9a-f]{64}$/);
    // Counted in UTF-8 bytes, not characters: 300 × 'é' is 600 bytes.
    expect(throttleKey('account', 'é'.repeat(300))).toMatch(/^account#sha256:/);
    expect(throttleKey('account', `${fits}b`)).not.toBe(over);
    expect(throttleKey('address', `${fits}a`)).toBe(over.replace('account#', 'address#'));
  });

  it('hashes names PostgreSQL text cannot hold exactly, without merging distinct ones', () => {
    expect(throttleKey('account', 'a\0b')).toMatch(/^account#sha256:/);
    const high = throttleKey('account', 'a\uD800');
    const low = throttleKey('account', 'a\uDC00');
    expect(high).toMatch(/^account#sha256:/);
    expect(low).not.toBe(high);
  });

  it('cannot be forged by a name that looks like a hashed key', () => {
    const hashed = throttleKey('account', 'x'.repeat(1000));
    const forged = throttleKey('account', hashed.slice('account#'.length));
    expect(forged).not.toBe(hashed);
  });
});

describe('createLoginThrottle limits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LOGIN_THROTTLE_LIMITS).toEqual({
      windowSeconds: 900,
      maxAttemptsPerAccount: 5,
      maxAttemptsPerAddress: 20,
      lockoutAfterConsecutiveFailures: 10,
      lockoutSeconds: 3600,
    });
    expect(Object.isFrozen(DEFAULT_LOGIN_THROTTLE_LIMITS)).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a limit of %s', (value) => {
    const db = {} as never;
    for (const name of Object.keys(DEFAULT_LOGIN_THROTTLE_LIMITS)) {
      expect(() => createLoginThrottle({ db, limits: { [name]: value } })).toThrow(RangeError);
    }
  });
});

describe.each(storeTargets())('createLoginThrottle on $name', (target) => {
  let store: TestStore;
  let clock: { now: Date };

  beforeAll(async () => {
    store = await target.open();
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    await store.db.delete(schema.loginThrottle);
    clock = { now: START };
  });

  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  const throttle = (limits?: Partial<LoginThrottleLimits>) =>
    createLoginThrottle({ db: store.db, clock: () => clock.now, limits });

  async function row(key: string) {
    const rows = await store.rows<{
      key: string;
      attempts: string | number;
      consecutive_failures: string | number;
      locked_until: unknown;
    }>(
      sql`select key, attempts, consecutive_failures, locked_until from login_throttle where key = ${key}`,
    );
    const found = rows[0];
    if (!found) return undefined;
    return {
      attempts: Number(found.attempts),
      consecutiveFailures: Number(found.consecutive_failures),
      locked: found.locked_until !== null,
    };
  }

  async function allKeys(): Promise<string[]> {
    const rows = await store.rows<{ key: string }>(
      sql`select key from login_throttle order by key`,
    );
    return rows.map((r) => r.key);
  }

  async function refusal(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected the attempt to be refused');
  }

  describe('per account', () => {
    it('refuses the 6th attempt in the window, says when, and lets attempts in after it', async () => {
      const t = throttle();
      for (let i = 0; i < 5; i++) await t.begin('alice', `198.51.100.${i}`);

      const sixth = await refusal(t.begin('alice', '198.51.100.99'));
      expect(sixth).toBeInstanceOf(LoginThrottledError);
      expect(sixth).toMatchObject({ scope: 'account', retryAfterSeconds: 900 });

      advance(600);
      const later = await refusal(t.begin('alice', '198.51.100.99'));
      expect(later).toMatchObject({ scope: 'account', retryAfterSeconds: 300 });
      expect((later as Error).message).toBe(
        'Too many failed sign-ins for this account. Try again in 5 minutes.',
      );

      advance(299.5);
      expect(await refusal(t.begin('alice', '198.51.100.99'))).toMatchObject({
        retryAfterSeconds: 1,
      });

      // Exactly one window after the first attempt a new window starts, with 5 attempts again.
      advance(0.5);
      for (let i = 0; i < 5; i++) await t.begin('alice', '198.51.100.99');
      expect(await refusal(t.begin('alice', '198.51.100.99'))).toMatchObject({
        scope: 'account',
        retryAfterSeconds: 900,
      });
    });

    it('does not count refused attempts as failures in a row', async () => {
      const t = throttle();
      for (let i = 0; i < 5; i++) await t.begin('alice', '198.51.100.1');
      for (let i = 0; i < 20; i++) await refusal(t.begin('alice', '198.51.100.1'));
      expect(await row('account:alice')).toMatchObject({
        attempts: 25,
        consecutiveFailures: 0,
        locked: false,
      });
    });

    it('keeps accounts apart', async () => {
      const t = throttle();
      for (let i = 0; i < 5; i++) await t.begin('alice', '198.51.100.1');
      await expect(t.begin('alice', '198.51.100.1')).rejects.toBeInstanceOf(LoginThrottledError);
      await expect(t.begin('bob', '198.51.100.1')).resolves.toBeDefined();
    });

    it('lets exactly 5 of 40 parallel attempts for one account go ahead', async () => {
      const t = throttle();
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => t.begin('alice', `198.51.100.${i}`)),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect(refused).toHaveLength(35);
      for (const r of refused) {
        expect(r.reason).toBeInstanceOf(LoginThrottledError);
        expect(r.reason).toMatchObject({ scope: 'account' });
      }
      expect(await row('account:alice')).toMatchObject({ attempts: 40 });
    });
  });

  describe('per address', () => {
    it('refuses the 21st attempt from one address, for any account, and no other address', async () => {
      const t = throttle();
      for (let i = 0; i < 20; i++) await t.begin(`user${i}`, '203.0.113.7');

      const refused = await refusal(t.begin('user20', '203.0.113.7'));
      expect(refused).toBeInstanceOf(LoginThrottledError);
      expect(refused).toMatchObject({ scope: 'address', retryAfterSeconds: 900 });
      expect((refused as Error).message).toBe(
        'Too many failed sign-ins from your network address. Try again in 15 minutes.',
      );

      await expect(t.begin('user20', '203.0.113.8')).resolves.toBeDefined();
      await expect(t.begin('user21', '203.0.113.8')).resolves.toBeDefined();

      advance(900);
      await expect(t.begin('user22', '203.0.113.7')).resolves.toBeDefined();
    });

    it('lets exactly 20 of 40 parallel attempts from one address go ahead', async () => {
      const t = throttle();
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => t.begin(`user${i}`, '203.0.113.7')),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ scope: 'address' });
      }
    });

    it('reports the account before the address when both are over', async () => {
      const t = throttle({ maxAttemptsPerAddress: 5 });
      for (let i = 0; i < 5; i++) await t.begin('alice', '203.0.113.7');
      expect(await refusal(t.begin('alice', '203.0.113.7'))).toMatchObject({ scope: 'account' });
    });
  });

  describe('success', () => {
    it("clears the account's counters, so 5 more attempts go ahead", async () => {
      const t = throttle();
      for (let i = 0; i < 4; i++) await (await t.begin('alice', '198.51.100.1')).failed();
      await (await t.begin('alice', '198.51.100.1')).succeeded();
      expect(await row('account:alice')).toBeUndefined();

      for (let i = 0; i < 5; i++) await t.begin('alice', '198.51.100.1');
      expect(await refusal(t.begin('alice', '198.51.100.1'))).toMatchObject({ scope: 'account' });
    });

    it('gives the address its attempt back', async () => {
      const t = throttle({ maxAttemptsPerAddress: 3 });
      await (await t.begin('alice', '203.0.113.7')).succeeded();
      expect(await row('address:203.0.113.7')).toMatchObject({ attempts: 0 });
      // Without the refund the third of these would be the fourth attempt and refused.
      for (let i = 0; i < 3; i++) await t.begin(`user${i}`, '203.0.113.7');
      expect(await refusal(t.begin('user3', '203.0.113.7'))).toMatchObject({ scope: 'address' });
    });

    it('refunds only the window the attempt was counted in, and never below 0', async () => {
      const t = throttle();
      const old = await t.begin('alice', '203.0.113.7');
      advance(900);
      await t.begin('bob', '203.0.113.7');
      await old.succeeded();
      expect(await row('address:203.0.113.7')).toMatchObject({ attempts: 1 });

      const current = await t.begin('carol', '203.0.113.7');
      await store.db.execute(
        sql`update login_throttle set attempts = 0 where key = 'address:203.0.113.7'`,
      );
      await current.succeeded();
      expect(await row('address:203.0.113.7')).toMatchObject({ attempts: 0 });
    });
  });

  describe('lockout', () => {
    const small = { maxAttemptsPerAccount: 100, lockoutAfterConsecutiveFailures: 3 };

    it('locks the account after 3 failures in a row, for lockoutSeconds, then lets it in', async () => {
      const t = throttle(small);
      expect(await (await t.begin('alice', '198.51.100.1')).failed()).toEqual({
        lockedOut: false,
        lockedUntil: null,
      });
      expect(await (await t.begin('alice', '198.51.100.1')).failed()).toEqual({
        lockedOut: false,
        lockedUntil: null,
      });
      const lockedUntil = new Date(START.getTime() + 3_600_000);
      expect(await (await t.begin('alice', '198.51.100.1')).failed()).toEqual({
        lockedOut: true,
        lockedUntil,
      });

      // Nothing else is wrong: the account's attempts and the address are well under their limits.
      const locked = await refusal(t.begin('alice', '198.51.100.2'));
      expect(locked).toBeInstanceOf(AccountLockedError);
      expect(locked).toMatchObject({
        lockedUntil,
        retryAfterSeconds: 3600,
        code: 'account_locked',
      });
      expect((locked as Error).message).toBe(
        'This account is locked after too many failed sign-ins. ' +
          'Try again in 60 minutes or ask an administrator.',
      );
      await expect(t.begin('bob', '198.51.100.1')).resolves.toBeDefined();

      advance(3599);
      expect(await refusal(t.begin('alice', '198.51.100.2'))).toMatchObject({
        retryAfterSeconds: 1,
      });
      // Refused attempts during the lock did not count as failures in a row.
      expect(await row('account:alice')).toMatchObject({ consecutiveFailures: 0 });

      advance(1);
      const after = await t.begin('alice', '198.51.100.2');
      // The count in a row started again at the lock: two more failures do not lock, a third does.
      expect((await after.failed()).lockedOut).toBe(false);
      expect((await (await t.begin('alice', '198.51.100.2')).failed()).lockedOut).toBe(false);
      expect((await (await t.begin('alice', '198.51.100.2')).failed()).lockedOut).toBe(true);
    });

    it('locks even when the next attempt brings the right password', async () => {
      const t = throttle(small);
      for (let i = 0; i < 3; i++) await (await t.begin('alice', '198.51.100.1')).failed();
      // begin refuses before any password is checked, so the caller cannot reach succeeded().
      await expect(t.begin('alice', '198.51.100.1')).rejects.toBeInstanceOf(AccountLockedError);
    });

    it('is checked before the account and address limits', async () => {
      const t = throttle({ ...small, maxAttemptsPerAccount: 3, maxAttemptsPerAddress: 3 });
      for (let i = 0; i < 3; i++) await (await t.begin('alice', '198.51.100.1')).failed();
      await expect(t.begin('alice', '198.51.100.1')).rejects.toBeInstanceOf(AccountLockedError);
    });

    it('counts only failures in a row: a success between resets the count', async () => {
      const t = throttle(small);
      await (await t.begin('alice', '198.51.100.1')).failed();
      await (await t.begin('alice', '198.51.100.1')).failed();
      await (await t.begin('alice', '198.51.100.1')).succeeded();
      expect((await (await t.begin('alice', '198.51.100.1')).failed()).lockedOut).toBe(false);
      expect((await (await t.begin('alice', '198.51.100.1')).failed()).lockedOut).toBe(false);
      await expect(t.begin('alice', '198.51.100.1')).resolves.toBeDefined();
      expect(await row('account:alice')).toMatchObject({ consecutiveFailures: 2, locked: false });
    });

    it('counts failures in a row across windows', async () => {
      const t = throttle({ lockoutAfterConsecutiveFailures: 3 });
      await (await t.begin('alice', '198.51.100.1')).failed();
      advance(900);
      await (await t.begin('alice', '198.51.100.1')).failed();
      advance(900);
      expect((await (await t.begin('alice', '198.51.100.1')).failed()).lockedOut).toBe(true);
    });

    it('reports the lock to exactly the failures that set it, under concurrency', async () => {
      const t = throttle(small);
      const attempts = [];
      for (let i = 0; i < 9; i++) attempts.push(await t.begin('alice', '198.51.100.1'));
      const outcomes = await Promise.all(attempts.map((a) => a.failed()));
      expect(outcomes.filter((o) => o.lockedOut)).toHaveLength(3);
      expect(await row('account:alice')).toMatchObject({ consecutiveFailures: 0, locked: true });
    });

    it('keeps a lock set while a slower attempt succeeded', async () => {
      const t = throttle(small);
      const slow = await t.begin('alice', '198.51.100.1');
      for (let i = 0; i < 3; i++) await (await t.begin('alice', '198.51.100.2')).failed();
      await slow.succeeded();
      await expect(t.begin('alice', '198.51.100.1')).rejects.toBeInstanceOf(AccountLockedError);
    });

    it('clears an expired lock on success', async () => {
      const t = throttle(small);
      for (let i = 0; i < 3; i++) await (await t.begin('alice', '198.51.100.1')).failed();
      advance(3600);
      await (await t.begin('alice', '198.51.100.1')).succeeded();
      expect(await row('account:alice')).toBeUndefined();
    });

    it('counts a failure whose row a concurrent success removed', async () => {
      const t = throttle({ ...small, lockoutAfterConsecutiveFailures: 2 });
      const first = await t.begin('alice', '198.51.100.1');
      const second = await t.begin('alice', '198.51.100.1');
      await first.succeeded();
      expect(await second.failed()).toEqual({ lockedOut: false, lockedUntil: null });
      expect(await row('account:alice')).toMatchObject({ consecutiveFailures: 1 });
      expect((await (await t.begin('alice', '198.51.100.1')).failed()).lockedOut).toBe(true);
    });

    it('locks on the first failure when the threshold is 1, with or without a row', async () => {
      const t = throttle({ lockoutAfterConsecutiveFailures: 1, lockoutSeconds: 60 });
      const first = await t.begin('alice', '198.51.100.1');
      const second = await t.begin('alice', '198.51.100.1');
      await first.succeeded(); // the row is gone; second's failure inserts it
      const lockedUntil = new Date(START.getTime() + 60_000);
      expect(await second.failed()).toEqual({ lockedOut: true, lockedUntil });
      expect(await refusal(t.begin('alice', '198.51.100.1'))).toMatchObject({
        lockedUntil,
        retryAfterSeconds: 60,
      });
    });
  });

  it('settles an attempt once only', async () => {
    const t = throttle();
    const attempt = await t.begin('alice', '198.51.100.1');
    await attempt.failed();
    await expect(attempt.failed()).rejects.toThrow('already settled');
    await expect(attempt.succeeded()).rejects.toThrow('already settled');
    expect(await row('account:alice')).toMatchObject({ consecutiveFailures: 1 });
  });

  it('stores a bounded key for a huge username, and still throttles it', async () => {
    const t = throttle();
    const huge = 'u'.repeat(100 * 1024);
    for (let i = 0; i < 5; i++) await t.begin(huge, '198.51.100.1');
    await expect(t.begin(huge, '198.51.100.1')).rejects.toMatchObject({ scope: 'account' });
    await expect(t.begin(`${huge}v`, '198.51.100.1')).resolves.toBeDefined();

    const keys = await allKeys();
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(Buffer.byteLength(key)).toBeLessThanOrEqual(512);
    expect(keys).toContain(throttleKey('account', huge));
    expect(keys).toContain('address:198.51.100.1');
  });

  it('takes names with characters PostgreSQL text cannot hold', async () => {
    const t = throttle();
    await (await t.begin('a\0b', '198.51.100.1\0')).failed();
    expect(await row(throttleKey('account', 'a\0b'))).toMatchObject({ consecutiveFailures: 1 });
  });

  it.runIf(target.name === 'postgres')(
    'is shared by two server instances on the same database',
    async () => {
      const second = await openStore({ databaseUrl: store.databaseUrl });
      try {
        const here = throttle();
        const there = createLoginThrottle({ db: second.db, clock: () => clock.now });
        const results = await Promise.allSettled(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 === 0 ? here : there).begin('alice', `198.51.100.${i}`),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
        expect(results.filter((r) => r.status === 'rejected')).toHaveLength(35);

        const small = { maxAttemptsPerAccount: 100, lockoutAfterConsecutiveFailures: 3 };
        const lockHere = throttle(small);
        const lockThere = createLoginThrottle({
          db: second.db,
          clock: () => clock.now,
          limits: small,
        });
        await (await lockHere.begin('bob', '198.51.100.1')).failed();
        await (await lockThere.begin('bob', '198.51.100.1')).failed();
        expect((await (await lockHere.begin('bob', '198.51.100.1')).failed()).lockedOut).toBe(true);
        await expect(lockThere.begin('bob', '198.51.100.1')).rejects.toBeInstanceOf(
          AccountLockedError,
        );
      } finally {
        await second.close();
      }
    },
  );
});

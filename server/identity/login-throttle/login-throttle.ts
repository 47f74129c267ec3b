/**
 * Sign-in throttling and lockout, with every bit of state in the `login_throttle` table so that
 * any number of server instances share it and none keeps a counter of its own.
 *
 * Each sign-in is counted before its password is checked, for the account and for the network
 * address, by one `INSERT … ON CONFLICT DO UPDATE … RETURNING` per key. PostgreSQL serialises
 * those statements on the row, so concurrent attempts see distinct counts and at most the limit
 * of them go ahead, however many processes race. A wrong password then counts a failure in a
 * row; enough of them lock the account for a while, which also catches guessing slowed down to
 * stay under the per-window limit. A right password clears the account's row and gives the
 * address its attempt back.
 */
import { createHash } from 'node:crypto';
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { ApiError } from '../../errors/index.ts';
import { schema, type Database } from '../../store/index.ts';

const { loginThrottle } = schema;

export interface LoginThrottleLimits {
  /** Length of a counting window, in seconds; a window starts at its first attempt. */
  windowSeconds: number;
  /** Attempts per window for one account before further ones are refused. */
  maxAttemptsPerAccount: number;
  /** Attempts per window from one network address before further ones are refused. */
  maxAttemptsPerAddress: number;
  /** Wrong passwords in a row (no success between, across windows) that lock the account. */
  lockoutAfterConsecutiveFailures: number;
  /** How long a lock lasts, in seconds. */
  lockoutSeconds: number;
}

/** 5 attempts per account and 20 per address in 15 minutes; 10 failures in a row lock for 1 h. */
export const DEFAULT_LOGIN_THROTTLE_LIMITS: LoginThrottleLimits = Object.freeze({
  windowSeconds: 900,
  maxAttemptsPerAccount: 5,
  maxAttemptsPerAddress: 20,
  lockoutAfterConsecutiveFailures: 10,
  lockoutSeconds: 3600,
});

/** Longest key stored as is, in UTF-8 bytes; longer ones are stored as their SHA-256. */
export const MAX_LOGIN_THROTTLE_KEY_BYTES = 512;

export interface LoginThrottleOptions {
  db: Database;
  /** The clock windows and locks are judged by; tests pass their own. */
  clock?: (() => Date) | undefined;
  /** Overrides of `DEFAULT_LOGIN_THROTTLE_LIMITS`; each must be a positive whole number. */
  limits?: Partial<LoginThrottleLimits> | undefined;
}

/** One counted sign-in attempt; settle it once, after the password check. */
export interface LoginAttempt {
  /** The password was right: clears the account's counters; the address gets this attempt back. */
  succeeded(): Promise<void>;
  /** The password was wrong: counts a failure in a row; reports whether this failure locked the account. */
  failed(): Promise<{ lockedOut: boolean; lockedUntil: Date | null }>;
}

export interface LoginThrottle {
  /**
   * Counts an attempt for the account and the address BEFORE the password is checked, atomically;
   * throws `LoginThrottledError` or `AccountLockedError` when the attempt must not go ahead.
   */
  begin(username: string, address: string): Promise<LoginAttempt>;
}

/** "1 minute", "12 minutes": the wait rounded up to whole minutes, never less than one. */
function minutesText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/**
 * Too many sign-in attempts in the current window, for the account or from the address: 429,
 * code `login_throttled`. `retryAfterSeconds` suits a `Retry-After` header.
 *
 * @example
 * throw new LoginThrottledError('account', 720);
 * // "Too many failed sign-ins for this account. Try again in 12 minutes."
 */
export class LoginThrottledError extends ApiError {
  override readonly name: string = 'LoginThrottledError';
  constructor(
    readonly scope: 'account' | 'address',
    readonly retryAfterSeconds: number,
  ) {
    const who = scope === 'account' ? 'for this account' : 'from your network address';
    super(
      429,
      'login_throttled',
      `Too many failed sign-ins ${who}. Try again in ${minutesText(retryAfterSeconds)}.`,
    );
  }
}

/**
 * The account is locked after too many wrong passwords in a row: 429, code `account_locked`.
 * No password is checked until `lockedUntil`, not even the right one.
 *
 * @example
 * throw new AccountLockedError(new Date(Date.now() + 3_600_000), 3600);
 * // "This account is locked after too many failed sign-ins. Try again in 60 minutes or ask an administrator."
 */
export class AccountLockedError extends ApiError {
  override readonly name: string = 'AccountLockedError';
  constructor(
    readonly lockedUntil: Date,
    readonly retryAfterSeconds: number,
  ) {
    super(
      429,
      'account_locked',
      'This account is locked after too many failed sign-ins. ' +
        `Try again in ${minutesText(retryAfterSeconds)} or ask an administrator.`,
    );
  }
}

/**
 * The row key for a scope and an opaque name. Names that would make a long key, or hold text
 * PostgreSQL cannot store exactly (NUL, lone surrogates), are stored as the SHA-256 of their
 * UTF-16 code units under a `<scope>#sha256:` prefix, which no plain `<scope>:` key can equal.
 *
 * @example
 * throttleKey('account', 'alice'); // 'account:alice'
 * throttleKey('account', 'x'.repeat(100_000)); // 'account#sha256:9f0c…' (79 characters)
 */
export function throttleKey(scope: 'account' | 'address', name: string): string {
  const plain = `${scope}:${name}`;
  const utf8 = Buffer.from(plain, 'utf8');
  const storable = !plain.includes('\0') && utf8.toString('utf8') === plain;
  if (storable && utf8.length <= MAX_LOGIN_THROTTLE_KEY_BYTES) return plain;
  const digest = createHash('sha256').update(Buffer.from(name, 'utf16le')).digest('hex');
  return `${scope}#sha256:${digest}`;
}

function resolveLimits(overrides: Partial<LoginThrottleLimits> = {}): LoginThrottleLimits {
  const limits = { ...DEFAULT_LOGIN_THROTTLE_LIMITS };
  for (const name of Object.keys(limits) as (keyof LoginThrottleLimits)[]) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Login throttle limit ${name} must be a positive whole number.`);
    }
    limits[name] = value;
  }
  return limits;
}

/** Whole seconds from `now` until `end`, at least 1 (a past end still means "try again soon"). */
function secondsUntil(end: Date, now: Date): number {
  return Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));
}

/**
 * The sign-in throttle over `login_throttle`. Call `begin` before checking the password and
 * settle the attempt it returns with `succeeded` or `failed`.
 *
 * @example
 * const throttle = createLoginThrottle({ db: store.db });
 * const attempt = await throttle.begin(username.toLowerCase(), clientAddress); // may throw 429
 * if (await passwordMatches(username, password)) await attempt.succeeded();
 * else await attempt.failed();
 */
export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const { db } = options;
  const clock = options.clock ?? (() => new Date());
  const limits = resolveLimits(options.limits);
  const windowMs = limits.windowSeconds * 1000;

  /**
   * Counts one attempt on a key: a new window when the row's window has passed (or there is no
   * row), the next count in the current one otherwise. One statement, so one row lock: racing
   * attempts are serialised by PostgreSQL and each sees its own count.
   */
  async function count(key: string, now: Date) {
    const nowText = now.toISOString();
    const windowOver = sql`${loginThrottle.windowStartedAt} <= ${new Date(now.getTime() - windowMs).toISOString()}::timestamptz`;
    const [row] = await db
      .insert(loginThrottle)
      .values({ key, windowStartedAt: now, attempts: 1 })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          attempts: sql`case when ${windowOver} then 1 else ${loginThrottle.attempts} + 1 end`,
          windowStartedAt: sql`case when ${windowOver} then ${nowText}::timestamptz else ${loginThrottle.windowStartedAt} end`,
        },
      })
      .returning();
    if (!row) throw new Error(`login_throttle: the upsert of ${key} returned no row`);
    return row;
  }

  return {
    async begin(username, address) {
      const now = clock();
      const accountKey = throttleKey('account', username);
      const addressKey = throttleKey('address', address);
      const [account, source] = await Promise.all([count(accountKey, now), count(addressKey, now)]);

      if (account.lockedUntil && account.lockedUntil > now) {
        throw new AccountLockedError(account.lockedUntil, secondsUntil(account.lockedUntil, now));
      }
      const windowEnd = (row: { windowStartedAt: Date }) =>
        new Date(row.windowStartedAt.getTime() + windowMs);
      if (account.attempts > limits.maxAttemptsPerAccount) {
        throw new LoginThrottledError('account', secondsUntil(windowEnd(account), now));
      }
      if (source.attempts > limits.maxAttemptsPerAddress) {
        throw new LoginThrottledError('address', secondsUntil(windowEnd(source), now));
      }

      let settled = false;
      const settle = () => {
        if (settled) throw new Error('This login attempt was already settled.');
        settled = true;
      };

      return {
        async succeeded() {
          settle();
          const at = clock();
          // Counters go, and so does a lock that has run out; a lock set meanwhile by a
          // concurrent failure stays.
          await db
            .delete(loginThrottle)
            .where(
              and(
                eq(loginThrottle.key, accountKey),
                or(isNull(loginThrottle.lockedUntil), lte(loginThrottle.lockedUntil, at)),
              ),
            );
          // Only the window this attempt was counted in gives it back.
          await db
            .update(loginThrottle)
            .set({ attempts: sql`greatest(${loginThrottle.attempts} - 1, 0)` })
            .where(
              and(
                eq(loginThrottle.key, addressKey),
                eq(loginThrottle.windowStartedAt, source.windowStartedAt),
              ),
            );
        },

        async failed() {
          settle();
          const at = clock();
          const lockEnd = new Date(at.getTime() + limits.lockoutSeconds * 1000);
          const threshold = limits.lockoutAfterConsecutiveFailures;
          const locksNow = sql`${loginThrottle.consecutiveFailures} + 1 >= ${threshold}`;
          const lockingInsert = threshold <= 1;
          // An upsert, so the failure counts even if a concurrent success deleted the row.
          // Only the statement that reaches the threshold resets the count to 0, so a 0 in the
          // returned row means this failure is the one that locked.
          const [row] = await db
            .insert(loginThrottle)
            .values({
              key: accountKey,
              windowStartedAt: at,
              attempts: 0,
              consecutiveFailures: lockingInsert ? 0 : 1,
              lockedUntil: lockingInsert ? lockEnd : null,
            })
            .onConflictDoUpdate({
              target: loginThrottle.key,
              set: {
                consecutiveFailures: sql`case when ${locksNow} then 0 else ${loginThrottle.consecutiveFailures} + 1 end`,
                lockedUntil: sql`case when ${locksNow} then ${lockEnd.toISOString()}::timestamptz else ${loginThrottle.lockedUntil} end`,
              },
            })
            .returning({
              consecutiveFailures: loginThrottle.consecutiveFailures,
              lockedUntil: loginThrottle.lockedUntil,
            });
          if (row && row.consecutiveFailures === 0 && row.lockedUntil) {
            return { lockedOut: true, lockedUntil: row.lockedUntil };
          }
          return { lockedOut: false, lockedUntil: null };
        },
      };
    },
  };
}

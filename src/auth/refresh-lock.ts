/**
 * The one lock every token refresh runs under, shared by all tabs of the app through the Web
 * Locks API, and the refresh-or-adopt step taken while holding it. Refresh tokens rotate on every
 * use and the server revokes the whole sign-in when one is used twice, so two tabs must never
 * refresh at the same moment, and a tab that waited for the lock must not refresh again with
 * what it read before waiting.
 */
import { SessionEndedError } from './session-ended-error.ts';
import { shouldSkipRefresh } from './should-skip-refresh.ts';

/** The lock's name; every tab of this origin asks for the same one. */
export const REFRESH_LOCK_NAME = 'enclave-token-refresh';

/** Where Web Locks are missing, this chain at least keeps one tab's own refreshes in line. */
let inTabQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `task` while holding the refresh lock, exclusively across the app's tabs, and resolves
 * with its result once the lock is released.
 *
 * @example
 * const user = await withRefreshLock(() => refreshWith(await readStoredUser()));
 */
export function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  // Web Locks exist in every browser the app supports, but only in secure contexts (https or
  // localhost), where WebCrypto is too; this fallback serves tests and nothing else of note.
  if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) {
    return navigator.locks.request(REFRESH_LOCK_NAME, { mode: 'exclusive' }, task);
  }
  const run = inTabQueue.then(task, task);
  inTabQueue = run.catch(() => undefined);
  return run;
}

export interface RenewUnderLockOptions<T> {
  /** When the token this tab was using expires (seconds since the epoch), read before waiting. */
  seenExpiresAt: number | undefined;
  /** Reads the stored sign-in; null when there is none. */
  readStored(): Promise<T | null>;
  expiresAtOf(stored: T): number | undefined;
  /** Takes over a token another tab renewed. */
  adopt(stored: T): Promise<void>;
  /** Spends the stored refresh token; resolves with the renewed sign-in it stored. */
  refresh(stored: T): Promise<T>;
  /** The clock in milliseconds; `Date.now` unless a test brings its own. */
  now?: () => number;
}

/**
 * Inside the refresh lock, re-reads the stored sign-in and either adopts it, when another tab
 * renewed it meanwhile, or refreshes it. Rejects with `SessionEndedError` when nothing is stored
 * any more (someone signed out).
 *
 * @example
 * const user = await renewUnderLock({
 *   seenExpiresAt: current.expires_at,
 *   readStored: () => userStore.load(),
 *   expiresAtOf: (user) => user.expires_at,
 *   adopt: (user) => timers.load(user),
 *   refresh: (user) => refreshWith(user.refresh_token),
 * });
 */
export function renewUnderLock<T>(options: RenewUnderLockOptions<T>): Promise<T> {
  const now = options.now ?? Date.now;
  return withRefreshLock(async () => {
    const stored = await options.readStored();
    if (!stored) throw new SessionEndedError('signed-out-elsewhere');
    const renewedElsewhere = shouldSkipRefresh({
      seenExpiresAt: options.seenExpiresAt,
      storedExpiresAt: options.expiresAtOf(stored),
      nowSeconds: Math.floor(now() / 1000),
    });
    if (!renewedElsewhere) return options.refresh(stored);
    await options.adopt(stored);
    return stored;
  });
}

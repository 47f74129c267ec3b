/**
 * The decision every tab makes once it holds the refresh lock: spend the refresh token, or take
 * the access token another tab has just renewed. Refresh tokens rotate on every use and a token
 * used twice revokes the whole sign-in, so a tab that waited for the lock must not refresh again
 * with what it read before waiting.
 */

/**
 * An access token with less life left than this is not worth taking over: it would need renewing
 * at once anyway. It also keeps the fetch wrapper's "about to expire" rule and this one in step.
 */
export const MIN_USEFUL_LIFETIME_SECONDS = 30;

export interface RefreshSkipInput {
  /**
   * When the access token this tab was using expires (seconds since the epoch), read before it
   * asked for the lock; `undefined` when this tab had none.
   */
  seenExpiresAt: number | undefined;
  /** When the access token now in storage expires, read inside the lock. */
  storedExpiresAt: number | undefined;
  nowSeconds: number;
}

/**
 * Whether the stored token is a newer, still useful one than the token this tab saw: another
 * tab renewed it while this one waited, so this one must not refresh.
 *
 * @example
 * shouldSkipRefresh({ seenExpiresAt: 1000, storedExpiresAt: 2800, nowSeconds: 990 }); // true
 * shouldSkipRefresh({ seenExpiresAt: 1000, storedExpiresAt: 1000, nowSeconds: 990 }); // false
 */
export function shouldSkipRefresh({
  seenExpiresAt,
  storedExpiresAt,
  nowSeconds,
}: RefreshSkipInput): boolean {
  if (storedExpiresAt === undefined) return false;
  if (storedExpiresAt - nowSeconds <= MIN_USEFUL_LIFETIME_SECONDS) return false;
  return seenExpiresAt === undefined || storedExpiresAt > seenExpiresAt;
}

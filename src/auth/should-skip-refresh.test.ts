/** Unit tests of the refresh-or-take-over decision made inside the refresh lock. */
import { describe, expect, it } from 'vitest';
import { MIN_USEFUL_LIFETIME_SECONDS, shouldSkipRefresh } from './should-skip-refresh.ts';

const now = 1_700_000_000;

describe('shouldSkipRefresh', () => {
  it('skips when another tab stored a later, fresh token while this one waited', () => {
    expect(
      shouldSkipRefresh({ seenExpiresAt: now + 50, storedExpiresAt: now + 1800, nowSeconds: now }),
    ).toBe(true);
  });

  it('refreshes when the stored token is the one this tab saw', () => {
    expect(
      shouldSkipRefresh({ seenExpiresAt: now + 50, storedExpiresAt: now + 50, nowSeconds: now }),
    ).toBe(false);
  });

  it('refreshes when the stored token is older than the one this tab saw', () => {
    expect(
      shouldSkipRefresh({ seenExpiresAt: now + 900, storedExpiresAt: now + 50, nowSeconds: now }),
    ).toBe(false);
  });

  it('refreshes when the later token is itself about to expire', () => {
    expect(
      shouldSkipRefresh({
        seenExpiresAt: now - 100,
        storedExpiresAt: now + MIN_USEFUL_LIFETIME_SECONDS,
        nowSeconds: now,
      }),
    ).toBe(false);
    expect(
      shouldSkipRefresh({
        seenExpiresAt: now - 100,
        storedExpiresAt: now + MIN_USEFUL_LIFETIME_SECONDS + 1,
        nowSeconds: now,
      }),
    ).toBe(true);
  });

  it('refreshes when the stored token has no known expiry', () => {
    expect(
      shouldSkipRefresh({ seenExpiresAt: now, storedExpiresAt: undefined, nowSeconds: now }),
    ).toBe(false);
  });

  it('takes a fresh stored token when this tab had seen none', () => {
    expect(
      shouldSkipRefresh({ seenExpiresAt: undefined, storedExpiresAt: now + 1800, nowSeconds: now }),
    ).toBe(true);
    expect(
      shouldSkipRefresh({ seenExpiresAt: undefined, storedExpiresAt: now + 10, nowSeconds: now }),
    ).toBe(false);
  });
});

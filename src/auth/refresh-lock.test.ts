/**
 * Unit tests of the refresh lock and the refresh-or-adopt step. Node has no Web Locks, so these
 * run on the in-tab fallback, which gives the same one-at-a-time guarantee within one process;
 * the "tabs" here are concurrent callers sharing one store, as tabs share IndexedDB.
 */
import { describe, expect, it } from 'vitest';
import { renewUnderLock, withRefreshLock } from './refresh-lock.ts';
import { SessionEndedError } from './session-ended-error.ts';

const nowMs = 1_700_000_000_000;
const nowSeconds = nowMs / 1000;

interface StoredUser {
  refreshToken: string;
  expiresAt: number;
}

/** A store shared by "tabs" and an issuer that rotates refresh tokens and refuses reuse. */
function sharedSignIn() {
  const spent = new Set<string>();
  let generation = 1;
  let stored: StoredUser | null = { refreshToken: 'r1', expiresAt: nowSeconds + 40 };
  const refreshes: string[] = [];
  const adoptions: StoredUser[] = [];

  async function refresh(user: StoredUser): Promise<StoredUser> {
    refreshes.push(user.refreshToken);
    // The issuer takes a moment, so a second tab would get in if the lock did not hold it off.
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (spent.has(user.refreshToken)) throw new Error('refresh token reused: grant revoked');
    spent.add(user.refreshToken);
    generation += 1;
    stored = { refreshToken: `r${generation}`, expiresAt: nowSeconds + 1800 };
    return stored;
  }

  function tab(seenExpiresAt: number | undefined) {
    return renewUnderLock<StoredUser>({
      seenExpiresAt,
      readStored: async () => stored,
      expiresAtOf: (user) => user.expiresAt,
      adopt: async (user) => {
        adoptions.push(user);
      },
      refresh,
      now: () => nowMs,
    });
  }

  return {
    tab,
    refreshes,
    adoptions,
    signOut: () => {
      stored = null;
    },
  };
}

describe('renewUnderLock', () => {
  it('lets only one of two tabs spend the refresh token; the other adopts its result', async () => {
    const signIn = sharedSignIn();
    const [first, second] = await Promise.all([
      signIn.tab(nowSeconds + 40),
      signIn.tab(nowSeconds + 40),
    ]);
    expect(signIn.refreshes).toEqual(['r1']);
    expect(first).toEqual({ refreshToken: 'r2', expiresAt: nowSeconds + 1800 });
    expect(second).toEqual(first);
    expect(signIn.adoptions).toEqual([first]);
  });

  it('refreshes again with the newest token when the adopted one is the one it saw', async () => {
    const signIn = sharedSignIn();
    const renewed = await signIn.tab(nowSeconds + 40);
    const again = await signIn.tab(renewed.expiresAt);
    expect(signIn.refreshes).toEqual(['r1', 'r2']);
    expect(again.refreshToken).toBe('r3');
  });

  it('ends the session when the stored sign-in is gone', async () => {
    const signIn = sharedSignIn();
    signIn.signOut();
    await expect(signIn.tab(nowSeconds + 40)).rejects.toBeInstanceOf(SessionEndedError);
    expect(signIn.refreshes).toEqual([]);
  });
});

describe('withRefreshLock', () => {
  it('runs tasks one at a time, also after one of them failed', async () => {
    const events: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        events.push(`${name} start`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        events.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      withRefreshLock(task('a')),
      withRefreshLock(task('b', true)),
      withRefreshLock(task('c')),
    ]);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

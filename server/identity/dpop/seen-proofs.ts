/**
 * The DPoP replay store on the database: a proof's `jti` (scoped by its key) is accepted once,
 * across every server instance, because the first `INSERT` wins on the primary key and every
 * later one conflicts. Rows are only needed while a proof could still be accepted, so expired
 * ones are deleted now and then, in bounded batches, by whichever instance happens to be writing.
 */
import { inArray, lt } from 'drizzle-orm';
import { schema, type Store } from '../../store/index.ts';
import type { SeenProofs } from './verify-dpop-proof.ts';

const { dpopSeenProofs } = schema;

export interface SeenProofsOptions {
  /** Every how many `firstUse` calls to purge expired rows; default 100, 0 never. */
  purgeEvery?: number | undefined;
  /** Most rows one purge deletes, so it never holds up a request for long; default 1000. */
  purgeBatchSize?: number | undefined;
  /** The clock expiry is judged by; the same one the verifier's `now` comes from. */
  clock?: (() => Date) | undefined;
}

/** The database-backed replay store, with the purge exposed for tests and maintenance. */
export interface DatabaseSeenProofs extends SeenProofs {
  /** Deletes up to one batch of expired rows; resolves with how many went. */
  purgeExpired(): Promise<number>;
}

/**
 * A replay store over `dpop_seen_proofs`.
 *
 * @example
 * const seenProofs = createSeenProofs(store);
 * await seenProofs.firstUse('thumbprint:jti', new Date(Date.now() + 305_000)); // true
 * await seenProofs.firstUse('thumbprint:jti', new Date(Date.now() + 305_000)); // false
 */
export function createSeenProofs(
  store: Pick<Store, 'db'>,
  options: SeenProofsOptions = {},
): DatabaseSeenProofs {
  const { db } = store;
  const purgeEvery = options.purgeEvery ?? 100;
  const purgeBatchSize = options.purgeBatchSize ?? 1000;
  const clock = options.clock ?? (() => new Date());
  let calls = 0;

  async function purgeExpired(): Promise<number> {
    const expired = db
      .select({ key: dpopSeenProofs.key })
      .from(dpopSeenProofs)
      .where(lt(dpopSeenProofs.expiresAt, clock()))
      .limit(purgeBatchSize);
    const deleted = await db
      .delete(dpopSeenProofs)
      .where(inArray(dpopSeenProofs.key, expired))
      .returning({ key: dpopSeenProofs.key });
    return deleted.length;
  }

  return {
    async firstUse(key, expiresAt) {
      calls += 1;
      // Before the insert, and awaited: a failing database fails the request (closed), and no
      // stray work outlives a closed store.
      if (purgeEvery > 0 && calls % purgeEvery === 0) await purgeExpired();
      // An expired row that has not been purged yet still blocks its key: the same key again
      // means a client reused a jti, which a proof must never do.
      const inserted = await db
        .insert(dpopSeenProofs)
        .values({ key, expiresAt })
        .onConflictDoNothing({ target: dpopSeenProofs.key })
        .returning({ key: dpopSeenProofs.key });
      return inserted.length === 1;
    },
    purgeExpired,
  };
}

/**
 * The storage adapter of the OpenID provider (oidc-provider's `Adapter` interface) over our
 * store: one row per model instance in `oidc_models`, keyed by model kind and id. Nothing lives
 * in process memory, so any instance can continue what another started.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import { schema, type Database } from '../store/index.ts';

const { oidcModels } = schema;

/** The payload oidc-provider hands us; opaque to us apart from a few indexed fields. */
export type OidcPayload = Record<string, unknown> & {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
};

/** The adapter interface of oidc-provider, restated so the core does not import the library. */
export interface OidcAdapter {
  upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<OidcPayload | undefined>;
  findByUserCode(userCode: string): Promise<OidcPayload | undefined>;
  findByUid(uid: string): Promise<OidcPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export interface OidcAdapterOptions {
  db: Database;
  /** Fraction of writes that also purge expired rows (keeps the table small without a job). */
  purgeRate?: number;
  now?: () => Date;
}

type Row = typeof oidcModels.$inferSelect;

/**
 * Builds the adapter class oidc-provider's `adapter` option takes.
 *
 * @example
 * const provider = new Provider(issuer, { adapter: createOidcAdapter({ db: store.db }), ... });
 */
export function createOidcAdapter(options: OidcAdapterOptions): new (kind: string) => OidcAdapter {
  const { db } = options;
  const purgeRate = options.purgeRate ?? 0.01;
  const now = options.now ?? (() => new Date());

  const live = (row: Row | undefined): OidcPayload | undefined => {
    if (!row) return undefined;
    if (row.expiresAt && row.expiresAt <= now()) return undefined;
    const payload = row.payload as OidcPayload;
    return row.consumedAt
      ? { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) }
      : payload;
  };

  return class StoreOidcAdapter implements OidcAdapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: OidcPayload, expiresIn?: number): Promise<void> {
      const values = {
        payload,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000) : null,
      };
      await db
        .insert(oidcModels)
        .values({ kind: this.kind, id, ...values })
        .onConflictDoUpdate({ target: [oidcModels.kind, oidcModels.id], set: values });
      if (Math.random() < purgeRate) {
        await db.delete(oidcModels).where(lt(oidcModels.expiresAt, now()));
      }
    }

    async find(id: string) {
      const [row] = await db
        .select()
        .from(oidcModels)
        .where(and(eq(oidcModels.kind, this.kind), eq(oidcModels.id, id)));
      return live(row);
    }

    async findByUserCode(userCode: string) {
      const [row] = await db
        .select()
        .from(oidcModels)
        .where(and(eq(oidcModels.kind, this.kind), eq(oidcModels.userCode, userCode)));
      return live(row);
    }

    async findByUid(uid: string) {
      const [row] = await db
        .select()
        .from(oidcModels)
        .where(and(eq(oidcModels.kind, this.kind), eq(oidcModels.uid, uid)));
      return live(row);
    }

    async consume(id: string): Promise<void> {
      // The first consumer wins: a code or rotated refresh token used twice keeps its first time.
      await db
        .update(oidcModels)
        .set({ consumedAt: sql`coalesce(${oidcModels.consumedAt}, ${now()})` })
        .where(and(eq(oidcModels.kind, this.kind), eq(oidcModels.id, id)));
    }

    async destroy(id: string): Promise<void> {
      await db.delete(oidcModels).where(and(eq(oidcModels.kind, this.kind), eq(oidcModels.id, id)));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.delete(oidcModels).where(eq(oidcModels.grantId, grantId));
    }
  };
}

/**
 * Ends every sign-in of an account: its sessions at the provider, its grants and every token and
 * code they issued. Access tokens already out stop working on their next request, because the API
 * checks that their grant still exists. Used when an account is disabled or its password reset.
 *
 * @example
 * const ended = await endSignInsOf(store.db, userId); // rows removed
 */
export async function endSignInsOf(db: Database, accountId: string): Promise<number> {
  const removed = await db
    .delete(oidcModels)
    .where(sql`${oidcModels.payload}->>'accountId' = ${accountId}`)
    .returning({ id: oidcModels.id });
  return removed.length;
}

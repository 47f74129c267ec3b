/**
 * The IndexedDB database `enclave-auth`, where the sign-in keeps what must survive a reload: the
 * signed-in user's tokens, the state of a sign-in in progress (its PKCE verifier), the last
 * known sign-in settings and the last answer of `GET /me` (who is signed in, for offline use). Nothing of it goes to localStorage or sessionStorage, which every script
 * on the page reads synchronously and which browsers persist as plain files.
 *
 * The DPoP key pair lives apart, in oidc-client-ts's own database: it is a non-extractable
 * WebCrypto key that only that library's store reads and writes.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** Settings the sign-in needs to start: where to sign in, as whom, asking for what. */
export interface AuthSettings {
  /** The OpenID Connect issuer URL, e.g. `https://enclave.example/oidc`. */
  readonly issuer: string;
  /** The SPA's public client id at the issuer. */
  readonly clientId: string;
  /** Space-separated scopes, e.g. `openid profile offline_access`. */
  readonly scope: string;
}

export interface AuthDatabaseSchema extends DBSchema {
  /** Sign-in and sign-out requests in progress, by state id (oidc-client-ts's `stateStore`). */
  'sign-in-state': { key: string; value: string };
  /** The signed-in user, tokens included (oidc-client-ts's `userStore`). */
  user: { key: string; value: string };
  /** The last sign-in settings the server gave, to find a stored sign-in while offline. */
  settings: { key: 'auth'; value: AuthSettings };
  /** The signed-in user as `GET /me` last described them; forgotten when the session ends. */
  'current-user': { key: 'me'; value: Record<string, unknown> };
}

/** The stores that hold oidc-client-ts's strings. */
export type StringStoreName = 'sign-in-state' | 'user';

const DATABASE_NAME = 'enclave-auth';
const DATABASE_VERSION = 2;

let database: Promise<IDBPDatabase<AuthDatabaseSchema>> | undefined;

/**
 * The open database, opened on first use and shared afterwards.
 *
 * @example
 * const db = await openAuthDatabase();
 * await db.get('settings', 'auth');
 */
export function openAuthDatabase(): Promise<IDBPDatabase<AuthDatabaseSchema>> {
  database ??= openDB<AuthDatabaseSchema>(DATABASE_NAME, DATABASE_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('sign-in-state');
        db.createObjectStore('user');
        db.createObjectStore('settings');
      }
      if (oldVersion < 2) db.createObjectStore('current-user');
    },
    // A newer version of the app in another tab wants to upgrade: let it, and reopen on next use.
    blocking(_currentVersion, _blockedVersion, event) {
      (event.target as IDBDatabase).close();
      database = undefined;
    },
    terminated() {
      database = undefined;
    },
  }).catch((error: unknown) => {
    database = undefined;
    throw error;
  });
  return database;
}

/**
 * The IndexedDB database `enclave-datasets`, where datasets opened in the browser are kept,
 * encrypted, for the next visit. Three stores:
 * - `keys`: one record per signed-in user holding that user's AES-GCM key as a non-extractable
 *   `CryptoKey` object (IndexedDB's structured clone keeps it non-extractable; its bytes never
 *   reach script), with a random `keyId` that each dataset names, to tell a replaced key apart.
 * - `datasets`: one record per dataset; only id, owner and creation time in clear, the rest of
 *   its description sealed (see `sealed-description.ts`). A record is `saving` until its last
 *   chunk is written, and only `saved` records are ever listed or loaded.
 * - `chunks`: the Arrow IPC bytes in 8 MiB encrypted chunks, keyed `[datasetId, index]`, so one
 *   key range holds all of a dataset's chunks in order.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SealedBytes } from './dataset-cipher.ts';
import { storageMissingError, toLocalStoreError } from './local-store-error.ts';

/** The version of the record layout; records of a later version are left alone. */
export const RECORD_VERSION = 1;

export interface StoredOwnerKey {
  readonly ownerId: string;
  /** Random id of this key; a dataset sealed under another key names another id. */
  readonly keyId: string;
  readonly key: CryptoKey;
  readonly createdAt: string;
}

export interface StoredDataset {
  readonly id: string;
  readonly ownerId: string;
  readonly createdAt: string;
  readonly recordVersion: number;
  readonly keyId: string;
  /** `saving` while chunks are being written; a `saving` record nobody is writing is debris. */
  readonly state: 'saving' | 'saved';
  /** The sealed description (a `SealedDescription` as JSON). */
  readonly metadata: SealedBytes;
}

export interface StoredChunk {
  readonly datasetId: string;
  readonly index: number;
  readonly sealed: SealedBytes;
}

export interface LocalDatasetDatabaseSchema extends DBSchema {
  keys: { key: string; value: StoredOwnerKey };
  datasets: { key: string; value: StoredDataset; indexes: { 'by-owner': string } };
  chunks: { key: [string, number]; value: StoredChunk };
}

export type LocalDatasetDatabase = IDBPDatabase<LocalDatasetDatabaseSchema>;

const DATABASE_NAME = 'enclave-datasets';
const DATABASE_VERSION = 1;

let database: Promise<LocalDatasetDatabase> | undefined;

/**
 * The open database, opened on first use and shared afterwards. Rejects with an `unavailable`
 * `LocalStoreError` when this browser has no IndexedDB or WebCrypto here or refuses to open it
 * (some private windows).
 *
 * @example
 * const db = await openLocalDatasetDatabase();
 * const keys = await db.getAllKeys('datasets');
 */
export function openLocalDatasetDatabase(): Promise<LocalDatasetDatabase> {
  if (typeof indexedDB === 'undefined') return Promise.reject(storageMissingError('IndexedDB'));
  // WebCrypto's `subtle` exists only in secure contexts; without it nothing could be read anyway.
  if (typeof crypto === 'undefined' || !crypto.subtle) {
    return Promise.reject(storageMissingError('WebCrypto'));
  }
  database ??= openDB<LocalDatasetDatabaseSchema>(DATABASE_NAME, DATABASE_VERSION, {
    upgrade(db) {
      db.createObjectStore('keys', { keyPath: 'ownerId' });
      const datasets = db.createObjectStore('datasets', { keyPath: 'id' });
      datasets.createIndex('by-owner', 'ownerId');
      db.createObjectStore('chunks', { keyPath: ['datasetId', 'index'] });
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
    throw toLocalStoreError(error);
  });
  return database;
}

/**
 * The key range of all chunks of one dataset.
 *
 * @example
 * await transaction.objectStore('chunks').delete(chunksOf(datasetId));
 */
export function chunksOf(datasetId: string): IDBKeyRange {
  return IDBKeyRange.bound([datasetId, 0], [datasetId, Infinity]);
}

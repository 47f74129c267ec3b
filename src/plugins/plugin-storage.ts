/**
 * `storage:own` in IndexedDB (database `enclave-plugin-storage`): the small private key-value
 * store the host keeps for each plugin and user, since a sandboxed frame has no storage of its
 * own. A plugin reaches only its own entries: the broker hands this module the plugin's id from
 * the launch, never from the plugin. The rules (key scheme, limits) are `plugin-storage-rules.ts`;
 * this is the thin adapter, proved in the browser by the end-to-end tests.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  pluginStorageBounds,
  pluginStorageKey,
  storageTotalAfterSet,
  type PluginStorageEntry,
} from './plugin-storage-rules.ts';

interface PluginStorageSchema extends DBSchema {
  entries: { key: [string, string, string]; value: PluginStorageEntry };
}

let database: Promise<IDBPDatabase<PluginStorageSchema>> | undefined;

function openStorage(): Promise<IDBPDatabase<PluginStorageSchema>> {
  database ??= openDB<PluginStorageSchema>('enclave-plugin-storage', 1, {
    upgrade(db) {
      db.createObjectStore('entries', { keyPath: ['userId', 'pluginId', 'key'] });
    },
    blocking(_current, _blocked, event) {
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

/** One plugin's store for one user. */
export interface PluginStorage {
  get(key: string): Promise<string | null>;
  set(key: string, value: string | null): Promise<void>;
}

/**
 * @example
 * const storage = pluginStorage(user.id, 'enclave.chart');
 * await storage.set('settings', '{"x":"dose"}');
 */
export function pluginStorage(userId: string, pluginId: string): PluginStorage {
  return {
    async get(key) {
      const db = await openStorage();
      const entry = await db.get('entries', pluginStorageKey(userId, pluginId, key));
      return entry?.value ?? null;
    },
    async set(key, value) {
      const db = await openStorage();
      const transaction = db.transaction('entries', 'readwrite');
      const store = transaction.objectStore('entries');
      const entries = await store.getAll(
        IDBKeyRange.bound(...pluginStorageBounds(userId, pluginId)),
      );
      storageTotalAfterSet(entries, key, value);
      if (value === null) await store.delete(pluginStorageKey(userId, pluginId, key));
      else await store.put({ userId, pluginId, key, value });
      await transaction.done;
    },
  };
}

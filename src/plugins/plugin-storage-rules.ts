/**
 * The rules of `storage:own`, kept apart from IndexedDB so they can be tested here: each entry is
 * keyed by `[userId, pluginId, key]` (a compound key, so no plugin id or key can be crafted to
 * reach into another plugin's or user's range, as a joined string could), and one plugin's store
 * for one user holds at most 1 MiB. Sizes are counted in UTF-16 code units, as the values are
 * kept: key ≤ 200, value ≤ 65 536, keys and values together ≤ 1 048 576.
 */
import { PluginCallError } from './broker/index.ts';

export const STORAGE_TOTAL_MAX_LENGTH = 1024 * 1024;

/** One stored entry, as kept in IndexedDB. */
export interface PluginStorageEntry {
  readonly userId: string;
  readonly pluginId: string;
  readonly key: string;
  readonly value: string;
}

/** The primary key of an entry. */
export type PluginStorageKey = [userId: string, pluginId: string, key: string];

/**
 * @example
 * pluginStorageKey('u1', 'enclave.chart', 'settings'); // ['u1', 'enclave.chart', 'settings']
 */
export function pluginStorageKey(userId: string, pluginId: string, key: string): PluginStorageKey {
  return [userId, pluginId, key];
}

/**
 * The bounds of every entry of one plugin for one user: arrays sort after strings in IndexedDB,
 * so `[userId, pluginId, []]` is above every string key of that plugin and below the next one.
 *
 * @example
 * IDBKeyRange.bound(...pluginStorageBounds('u1', 'enclave.chart'));
 */
export function pluginStorageBounds(
  userId: string,
  pluginId: string,
): [lower: [string, string, string], upper: [string, string, never[]]] {
  return [
    [userId, pluginId, ''],
    [userId, pluginId, []],
  ];
}

function sizeOf(entry: { key: string; value: string }): number {
  return entry.key.length + entry.value.length;
}

/**
 * The plugin's total after setting `key` to `value` (null deletes), given its entries now;
 * throws a `failed` `PluginCallError` the plugin sees when the store would be over its limit.
 *
 * @example
 * storageTotalAfterSet([{ key: 'a', value: 'xy' }], 'a', 'xyz'); // 4
 */
export function storageTotalAfterSet(
  entries: readonly { readonly key: string; readonly value: string }[],
  key: string,
  value: string | null,
): number {
  const others = entries
    .filter((entry) => entry.key !== key)
    .reduce((total, entry) => total + sizeOf(entry), 0);
  const total = others + (value === null ? 0 : sizeOf({ key, value }));
  if (value !== null && total > STORAGE_TOTAL_MAX_LENGTH) {
    throw new PluginCallError(
      'failed',
      `The plugin's storage is full: ${total} of ${STORAGE_TOTAL_MAX_LENGTH} characters.`,
    );
  }
  return total;
}

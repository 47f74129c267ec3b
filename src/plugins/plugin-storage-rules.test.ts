/** The key scheme and the limit of a plugin's private store. */
import { describe, expect, it } from 'vitest';
import { PluginCallError } from './broker/index.ts';
import {
  STORAGE_TOTAL_MAX_LENGTH,
  pluginStorageBounds,
  pluginStorageKey,
  storageTotalAfterSet,
} from './plugin-storage-rules.ts';

describe('pluginStorageKey', () => {
  it('keeps user, plugin and key apart, so no crafted key reaches another plugin', () => {
    expect(pluginStorageKey('u1', 'enclave.a', 'b/k')).toEqual(['u1', 'enclave.a', 'b/k']);
    expect(pluginStorageKey('u1', 'enclave.a', 'b/k')).not.toEqual(
      pluginStorageKey('u1', 'enclave.a/b', 'k'),
    );
  });

  it('bounds one plugin of one user', () => {
    const [lower, upper] = pluginStorageBounds('u1', 'enclave.a');
    expect(lower).toEqual(['u1', 'enclave.a', '']);
    expect(upper).toEqual(['u1', 'enclave.a', []]);
  });
});

describe('storageTotalAfterSet', () => {
  const entries = [
    { key: 'a', value: 'xx' },
    { key: 'b', value: 'yyy' },
  ];

  it('counts a new entry, a replaced one and a deleted one', () => {
    expect(storageTotalAfterSet(entries, 'c', 'z')).toBe(3 + 4 + 2);
    expect(storageTotalAfterSet(entries, 'a', 'x')).toBe(2 + 4);
    expect(storageTotalAfterSet(entries, 'a', null)).toBe(4);
  });

  it('refuses a write that would pass 1 MiB, but always allows deleting', () => {
    const full = [{ key: 'big', value: 'v'.repeat(STORAGE_TOTAL_MAX_LENGTH - 3) }];
    expect(() => storageTotalAfterSet(full, 'k', 'v')).toThrow(PluginCallError);
    expect(() => storageTotalAfterSet(full, 'k', 'v')).toThrow(/storage is full/);
    expect(storageTotalAfterSet(full, 'big', null)).toBe(0);
    expect(storageTotalAfterSet(full, 'big', 'small')).toBe(8);
  });
});

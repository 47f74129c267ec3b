/**
 * A key-value store over one object store of the `enclave-auth` IndexedDB database, in the shape
 * oidc-client-ts asks of its `userStore` and `stateStore` (its `StateStore` interface), so tokens
 * and PKCE verifiers never touch Web Storage.
 */
import { openAuthDatabase, type StringStoreName } from './auth-database.ts';

/**
 * @example
 * const users = new IdbStateStore('user');
 * await users.set('user:https://enclave.example/oidc:enclave-web', user.toStorageString());
 */
export class IdbStateStore {
  constructor(private readonly storeName: StringStoreName) {}

  async set(key: string, value: string): Promise<void> {
    const db = await openAuthDatabase();
    await db.put(this.storeName, value, key);
  }

  async get(key: string): Promise<string | null> {
    const db = await openAuthDatabase();
    return (await db.get(this.storeName, key)) ?? null;
  }

  /** Removes the entry and resolves with what it held, in one transaction. */
  async remove(key: string): Promise<string | null> {
    const db = await openAuthDatabase();
    const transaction = db.transaction(this.storeName, 'readwrite');
    const value = await transaction.store.get(key);
    await transaction.store.delete(key);
    await transaction.done;
    return value ?? null;
  }

  async getAllKeys(): Promise<string[]> {
    const db = await openAuthDatabase();
    return db.getAllKeys(this.storeName);
  }
}

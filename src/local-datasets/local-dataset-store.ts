/**
 * The operations on datasets kept on this device: save, list, load, delete, and wipe all of a
 * user's datasets with their key. Everything written is encrypted first (`dataset-cipher.ts`);
 * the key never leaves the browser and cannot be exported.
 *
 * Saving works chunk by chunk so that no second copy of a large table is ever held: each 8 MiB
 * chunk is encrypted and written in its own transaction (a transaction cannot wait for
 * WebCrypto, so one transaction for everything would need every chunk encrypted up front). The
 * dataset's record is written first as `saving` and turned `saved` only after its last chunk, so
 * a listing never shows a half-written dataset. A save that fails removes what it wrote; a save
 * cut short by a closed tab leaves a `saving` record that the next listing removes, once the Web
 * Lock its save held is free (so a save still running in another tab is never touched).
 *
 * Every failure comes out as a `LocalStoreError`; a full quota is `quota_exceeded`, with the
 * space the dataset needs and the space free when the browser says.
 */
import {
  chunkCountFor,
  DATASET_CHUNK_BYTES,
  decryptChunk,
  encryptChunk,
  generateDatasetKey,
  openMetadata,
  sealMetadata,
  type MetadataBinding,
} from './dataset-cipher.ts';
import type { LoadedLocalDataset, LocalDatasetMetadata, NewLocalDataset } from './local-dataset.ts';
import {
  chunksOf,
  openLocalDatasetDatabase,
  RECORD_VERSION,
  type LocalDatasetDatabase,
  type StoredDataset,
  type StoredOwnerKey,
} from './local-dataset-database.ts';
import { LocalStoreError, toLocalStoreError } from './local-store-error.ts';
import { describedBy, sealedDescriptionOf } from './sealed-description.ts';

/**
 * @example
 * const options: SaveDatasetOptions = { onProgress: (done, total) => console.log(done / total) };
 */
export interface SaveDatasetOptions {
  /** Called as the bytes are stored: at the start, then after each chunk (bytes done, in all). */
  onProgress?(done: number, total: number): void;
}

/**
 * How much the browser lets this origin store and how much it uses (everything the origin keeps,
 * not only datasets), in bytes.
 *
 * @example
 * const { freeBytes }: LocalStorageEstimate = (await storageEstimate()) ?? { freeBytes: 0 };
 */
export interface LocalStorageEstimate {
  readonly usedBytes: number;
  readonly quotaBytes: number;
  readonly freeBytes: number;
}

/**
 * Encrypts and keeps `dataset` on this device for `ownerId` (the signed-in user's id), and
 * resolves with its metadata once every byte is stored. On failure nothing of it stays behind;
 * rejects with `quota_exceeded` when the browser refuses the space, `unavailable` when it offers
 * no storage here.
 *
 * @example
 * const metadata = await saveDataset(user.id, { name, format, sourceName, rows, columns, ipc }, {
 *   onProgress: (done, total) => setProgress(done / total),
 * });
 */
export async function saveDataset(
  ownerId: string,
  dataset: NewLocalDataset,
  options: SaveDatasetOptions = {},
): Promise<LocalDatasetMetadata> {
  const db = await openLocalDatasetDatabase();
  const id = crypto.randomUUID();
  return withSaveLock(id, () => writeDataset(db, ownerId, id, dataset, options));
}

/**
 * The datasets kept on this device for `ownerId`, the most recently opened first. Datasets whose
 * description fails its integrity check are left out (and left in place: `wipeDatasets` removes
 * them); debris of saves cut short is removed on the way.
 *
 * @example
 * const datasets = await listDatasets(user.id);
 */
export async function listDatasets(ownerId: string): Promise<LocalDatasetMetadata[]> {
  const db = await openLocalDatasetDatabase();
  const transaction = db.transaction(['keys', 'datasets']);
  const { ownerKey, records } = await settle(
    transaction,
    (async () => ({
      ownerKey: await transaction.objectStore('keys').get(ownerId),
      records: await transaction.objectStore('datasets').index('by-owner').getAll(ownerId),
    }))(),
  );
  await removeAbandonedSaves(
    db,
    records.filter((record) => record.state === 'saving'),
  );
  if (!ownerKey) return [];
  const readable = records.filter(
    (record) =>
      record.state === 'saved' &&
      record.recordVersion === RECORD_VERSION &&
      record.keyId === ownerKey.keyId,
  );
  const listed = await Promise.all(
    readable.map((record) =>
      metadataOf(ownerKey.key, record).catch((error: unknown) => {
        if (error instanceof LocalStoreError && error.code === 'corrupt') return undefined;
        throw error;
      }),
    ),
  );
  return listed
    .filter((metadata) => metadata !== undefined)
    .sort(
      (a, b) => descending(a.lastOpenedAt, b.lastOpenedAt) || descending(a.createdAt, b.createdAt),
    );
}

/**
 * Decrypts a kept dataset and marks it opened now. Rejects with `not_found` when `ownerId` has
 * no such dataset here, `corrupt` when any part of it fails its integrity check.
 *
 * @example
 * const { metadata, ipc } = await loadDataset(user.id, datasetId);
 * await engine.open({ kind: 'bytes', bytes: ipc.buffer, name: metadata.sourceName }, options);
 */
export async function loadDataset(ownerId: string, id: string): Promise<LoadedLocalDataset> {
  const db = await openLocalDatasetDatabase();
  const transaction = db.transaction(['keys', 'datasets']);
  const { record, ownerKey } = await settle(
    transaction,
    (async () => ({
      record: await transaction.objectStore('datasets').get(id),
      ownerKey: await transaction.objectStore('keys').get(ownerId),
    }))(),
  );
  if (
    !record ||
    record.ownerId !== ownerId ||
    record.state !== 'saved' ||
    record.recordVersion !== RECORD_VERSION
  ) {
    throw notFoundError();
  }
  if (!ownerKey || ownerKey.keyId !== record.keyId) {
    throw corruptError('the key it was locked with is no longer on this device');
  }
  const metadata = await metadataOf(ownerKey.key, record);
  const ipc = await readChunks(db, ownerKey.key, metadata);
  const opened: LocalDatasetMetadata = { ...metadata, lastOpenedAt: new Date().toISOString() };
  const sealed = await sealMetadata(ownerKey.key, sealedDescriptionOf(opened), bindingOf(opened));
  const update = db.transaction('datasets', 'readwrite');
  await settle(
    update,
    (async () => {
      const current = await update.store.get(id);
      if (!current || current.state !== 'saved') throw notFoundError();
      await update.store.put({ ...current, metadata: sealed });
    })(),
  );
  return { metadata: opened, ipc };
}

/**
 * Removes a kept dataset and its chunks. Resolves as well when it is already gone (deleted in
 * another tab) or belongs to someone else (which it then leaves alone).
 *
 * @example
 * await deleteDataset(user.id, datasetId);
 */
export async function deleteDataset(ownerId: string, id: string): Promise<void> {
  const db = await openLocalDatasetDatabase();
  await removeDataset(db, id, (record) => record.ownerId === ownerId);
}

/**
 * Removes every dataset `ownerId` kept on this device and that user's key, in one transaction:
 * afterwards nothing left anywhere can decrypt what was there. For sign-out on a shared device.
 *
 * @example
 * if (confirmWipe) await wipeDatasets(user.id);
 */
export async function wipeDatasets(ownerId: string): Promise<void> {
  const db = await openLocalDatasetDatabase();
  const transaction = db.transaction(['keys', 'datasets', 'chunks'], 'readwrite', {
    durability: 'strict',
  });
  await settle(
    transaction,
    (async () => {
      const datasets = transaction.objectStore('datasets');
      const chunks = transaction.objectStore('chunks');
      for (const id of await datasets.index('by-owner').getAllKeys(ownerId)) {
        await chunks.delete(chunksOf(id));
        await datasets.delete(id);
      }
      await transaction.objectStore('keys').delete(ownerId);
    })(),
  );
}

/**
 * How much this site may store and how much it uses, as the browser estimates it (the quota is
 * shared by everything this origin stores); `undefined` where the browser does not say.
 *
 * @example
 * const estimate = await storageEstimate();
 * if (estimate && estimate.freeBytes < file.size * 2) warn('This device is nearly full.');
 */
export async function storageEstimate(): Promise<LocalStorageEstimate | undefined> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return undefined;
  let estimate: StorageEstimate;
  try {
    estimate = await navigator.storage.estimate();
  } catch (error) {
    throw toLocalStoreError(error);
  }
  if (estimate.usage === undefined || estimate.quota === undefined) return undefined;
  return {
    usedBytes: estimate.usage,
    quotaBytes: estimate.quota,
    freeBytes: Math.max(0, estimate.quota - estimate.usage),
  };
}

async function writeDataset(
  db: LocalDatasetDatabase,
  ownerId: string,
  id: string,
  dataset: NewLocalDataset,
  options: SaveDatasetOptions,
): Promise<LocalDatasetMetadata> {
  const byteSize = dataset.ipc.byteLength;
  try {
    const ownerKey = await ownerKeyFor(db, ownerId);
    const now = new Date().toISOString();
    const chunkCount = chunkCountFor(byteSize);
    const metadata: LocalDatasetMetadata = {
      id,
      ownerId,
      name: dataset.name,
      format: dataset.format,
      sourceName: dataset.sourceName,
      rows: dataset.rows,
      columns: dataset.columns.map((column) => ({ name: column.name, type: column.type })),
      byteSize,
      createdAt: now,
      lastOpenedAt: now,
      chunkCount,
    };
    const sealedMetadata = await sealMetadata(
      ownerKey.key,
      sealedDescriptionOf(metadata),
      bindingOf(metadata),
    );
    await beginRecord(db, {
      id,
      ownerId,
      createdAt: now,
      recordVersion: RECORD_VERSION,
      keyId: ownerKey.keyId,
      state: 'saving',
      metadata: sealedMetadata,
    });
    options.onProgress?.(0, byteSize);
    for (let index = 0; index < chunkCount; index += 1) {
      const start = index * DATASET_CHUNK_BYTES;
      const end = Math.min(byteSize, start + DATASET_CHUNK_BYTES);
      const sealed = await encryptChunk(ownerKey.key, dataset.ipc.subarray(start, end), {
        datasetId: id,
        index,
        count: chunkCount,
      });
      await putChunk(db, id, index, sealed);
      options.onProgress?.(end, byteSize);
    }
    await finishRecord(db, id);
    return metadata;
  } catch (error) {
    // The error of the save is what to report; should this cleanup fail too, the record stays
    // `saving` and the next listing removes it.
    await removeDataset(db, id, () => true).catch(() => undefined);
    throw await withSpaceFigures(error, byteSize);
  }
}

/** The user's key, created on first use; two tabs creating it at once end up with one. */
async function ownerKeyFor(db: LocalDatasetDatabase, ownerId: string): Promise<StoredOwnerKey> {
  const existing = await guarded(db.get('keys', ownerId));
  if (existing) return existing;
  const candidate: StoredOwnerKey = {
    ownerId,
    keyId: crypto.randomUUID(),
    key: await generateDatasetKey(),
    createdAt: new Date().toISOString(),
  };
  const transaction = db.transaction('keys', 'readwrite');
  return settle(
    transaction,
    (async () => {
      const raced = await transaction.store.get(ownerId);
      if (raced) return raced;
      await transaction.store.add(candidate);
      return candidate;
    })(),
  );
}

/** Adds the `saving` record, unless the key was wiped (a sign-out elsewhere) since it was read. */
async function beginRecord(db: LocalDatasetDatabase, record: StoredDataset): Promise<void> {
  const transaction = db.transaction(['keys', 'datasets'], 'readwrite');
  await settle(
    transaction,
    (async () => {
      const ownerKey = await transaction.objectStore('keys').get(record.ownerId);
      if (ownerKey?.keyId !== record.keyId) throw wipedMeanwhileError();
      await transaction.objectStore('datasets').add(record);
    })(),
  );
}

/** Writes one chunk, unless its dataset was deleted or wiped meanwhile (then nothing is written). */
async function putChunk(
  db: LocalDatasetDatabase,
  datasetId: string,
  index: number,
  sealed: Awaited<ReturnType<typeof encryptChunk>>,
): Promise<void> {
  const transaction = db.transaction(['datasets', 'chunks'], 'readwrite');
  await settle(
    transaction,
    (async () => {
      const record = await transaction.objectStore('datasets').get(datasetId);
      if (record?.state !== 'saving') throw wipedMeanwhileError();
      await transaction.objectStore('chunks').put({ datasetId, index, sealed });
    })(),
  );
}

/** Turns the record `saved`, durably: once this resolves the dataset survives a crash. */
async function finishRecord(db: LocalDatasetDatabase, id: string): Promise<void> {
  const transaction = db.transaction('datasets', 'readwrite', { durability: 'strict' });
  await settle(
    transaction,
    (async () => {
      const record = await transaction.store.get(id);
      if (record?.state !== 'saving') throw wipedMeanwhileError();
      await transaction.store.put({ ...record, state: 'saved' });
    })(),
  );
}

/** Removes a record and its chunks when `shouldRemove` agrees, in one transaction. */
async function removeDataset(
  db: LocalDatasetDatabase,
  id: string,
  shouldRemove: (record: StoredDataset) => boolean,
): Promise<void> {
  const transaction = db.transaction(['datasets', 'chunks'], 'readwrite');
  await settle(
    transaction,
    (async () => {
      const datasets = transaction.objectStore('datasets');
      const record = await datasets.get(id);
      if (!record || !shouldRemove(record)) return;
      await transaction.objectStore('chunks').delete(chunksOf(id));
      await datasets.delete(id);
    })(),
  );
}

/**
 * Removes `saving` records whose save is no longer running anywhere: its Web Lock is free. Where
 * Web Locks are missing a running save cannot be told from an abandoned one, so none is removed.
 */
async function removeAbandonedSaves(
  db: LocalDatasetDatabase,
  records: readonly StoredDataset[],
): Promise<void> {
  if (records.length === 0 || !hasWebLocks()) return;
  for (const record of records) {
    await navigator.locks.request(saveLockName(record.id), { ifAvailable: true }, (lock) =>
      // The record is checked again inside the transaction: the save may have finished meanwhile.
      lock ? removeDataset(db, record.id, (current) => current.state === 'saving') : undefined,
    );
  }
}

/** Runs a save while holding a Web Lock named after it, which tells other tabs it is running. */
function withSaveLock<T>(id: string, task: () => Promise<T>): Promise<T> {
  return hasWebLocks() ? navigator.locks.request(saveLockName(id), task) : task();
}

function hasWebLocks(): boolean {
  return typeof navigator !== 'undefined' && 'locks' in navigator && Boolean(navigator.locks);
}

function saveLockName(id: string): string {
  return `enclave-datasets:save:${id}`;
}

async function metadataOf(key: CryptoKey, record: StoredDataset): Promise<LocalDatasetMetadata> {
  const clear = { id: record.id, ownerId: record.ownerId, createdAt: record.createdAt };
  const metadata = describedBy(clear, await openMetadata(key, record.metadata, bindingOf(clear)));
  if (!metadata) throw corruptError('its description is not one this version of Enclave reads');
  return metadata;
}

/** Decrypts the chunks one by one into one buffer, so at most one chunk is held twice. */
async function readChunks(
  db: LocalDatasetDatabase,
  key: CryptoKey,
  metadata: LocalDatasetMetadata,
): Promise<Uint8Array<ArrayBuffer>> {
  const ipc = new Uint8Array(metadata.byteSize);
  let offset = 0;
  for (let index = 0; index < metadata.chunkCount; index += 1) {
    const chunk = await guarded(db.get('chunks', [metadata.id, index]));
    if (!chunk) {
      // Deleted in another tab while this one was reading it, or truly damaged.
      if (!(await guarded(db.get('datasets', metadata.id)))) throw notFoundError();
      throw corruptError(`part ${index + 1} of ${metadata.chunkCount} is missing`);
    }
    const bytes = new Uint8Array(
      await decryptChunk(key, chunk.sealed, {
        datasetId: metadata.id,
        index,
        count: metadata.chunkCount,
      }),
    );
    if (offset + bytes.byteLength > metadata.byteSize) {
      throw corruptError('it holds more bytes than its description says');
    }
    ipc.set(bytes, offset);
    offset += bytes.byteLength;
  }
  if (offset !== metadata.byteSize) {
    throw corruptError('it holds fewer bytes than its description says');
  }
  return ipc;
}

function bindingOf(metadata: Pick<LocalDatasetMetadata, 'id' | 'ownerId' | 'createdAt'>) {
  return {
    datasetId: metadata.id,
    ownerId: metadata.ownerId,
    createdAt: metadata.createdAt,
  } satisfies MetadataBinding;
}

interface SettledTransaction {
  readonly done: Promise<void>;
  readonly error: DOMException | null;
  abort(): void;
}

/**
 * Waits for `work` (requests of `transaction`) and for the transaction to commit. Chromium
 * reports a full quota only by aborting the transaction, leaving the pending requests unsettled,
 * so the commit is awaited alongside rather than after. On failure the transaction is aborted
 * and its own error (the real cause of an abort) is preferred to the request's `AbortError`.
 */
async function settle<T>(transaction: SettledTransaction, work: Promise<T>): Promise<T> {
  try {
    const [result] = await Promise.all([work, transaction.done]);
    return result;
  } catch (error) {
    if (error instanceof LocalStoreError) {
      abortQuietly(transaction);
      throw error;
    }
    const cause = transaction.error ?? error;
    abortQuietly(transaction);
    throw toLocalStoreError(cause);
  }
}

function abortQuietly(transaction: SettledTransaction): void {
  try {
    transaction.abort();
  } catch {
    // Already committed or aborted: nothing left to undo.
  }
}

/** A lone request (in its own transaction), with its failure as a `LocalStoreError`. */
async function guarded<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    throw toLocalStoreError(error);
  }
}

/** A quota error rebuilt with how much the dataset needs and, after the cleanup, how much is free. */
async function withSpaceFigures(error: unknown, neededBytes: number): Promise<unknown> {
  if (!(error instanceof LocalStoreError) || error.code !== 'quota_exceeded') return error;
  // The figures only help the message; without them the quota error still stands.
  const estimate = await storageEstimate().catch(() => undefined);
  const rebuilt = toLocalStoreError(error.cause, {
    neededBytes,
    ...(estimate ? { freeBytes: estimate.freeBytes } : {}),
  });
  return rebuilt instanceof LocalStoreError ? rebuilt : error;
}

function notFoundError(): LocalStoreError {
  return new LocalStoreError({
    code: 'not_found',
    message:
      'This dataset is no longer kept on this device; it may have been deleted in another tab.',
  });
}

function wipedMeanwhileError(): LocalStoreError {
  return new LocalStoreError({
    code: 'not_found',
    message:
      'The dataset was not kept: the datasets on this device were deleted (perhaps by a sign-out ' +
      'in another tab) while it was being saved.',
  });
}

function corruptError(reason: string): LocalStoreError {
  return new LocalStoreError({
    code: 'corrupt',
    message:
      `A dataset kept on this device cannot be read: ${reason}. ` +
      'Delete it and open the file again.',
  });
}

function descending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

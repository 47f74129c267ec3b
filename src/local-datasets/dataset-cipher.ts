/**
 * The encryption of datasets kept on this device, in plain WebCrypto: one AES-256-GCM key per
 * signed-in user, generated non-extractable so that no script, ours included, can ever read its
 * bytes; a fresh random 96-bit IV for every sealing; and additional authenticated data that ties
 * each sealed piece to its place. A chunk is bound to (dataset id, index, chunk count), so chunks
 * swapped between datasets, reordered or dropped from the end fail to open; the metadata is bound
 * to (dataset id, owner id, creation time), the fields kept in clear beside it, so those cannot
 * be changed or moved to another record unnoticed. Every failure to open is a `corrupt` error:
 * AES-GCM cannot tell a flipped bit from a wrong key or a wrong binding, and neither can we.
 */
import { LocalStoreError } from './local-store-error.ts';

/** How many bytes of the Arrow IPC stream go into one encrypted chunk (8 MiB). */
export const DATASET_CHUNK_BYTES = 8 * 1024 * 1024;

/** AES-GCM's recommended IV length: 96 bits, random per sealing. */
const IV_BYTES = 12;

/** Changes whenever the binding or the sealed layout changes, so old and new never mix. */
const BINDING_VERSION = 'enclave/local-dataset/v1';

/** Bytes as WebCrypto put them out: the ciphertext with its 16-byte tag, and the IV it used. */
export interface SealedBytes {
  readonly iv: Uint8Array<ArrayBuffer>;
  readonly ciphertext: ArrayBuffer;
}

/** Where a chunk belongs; sealed into its tag. */
export interface ChunkBinding {
  readonly datasetId: string;
  /** 0-based position of the chunk. */
  readonly index: number;
  /** How many chunks the dataset has. */
  readonly count: number;
}

/** Which record a metadata blob belongs to; the fields stored in clear beside it. */
export interface MetadataBinding {
  readonly datasetId: string;
  readonly ownerId: string;
  readonly createdAt: string;
}

/**
 * A new AES-256-GCM key that can encrypt and decrypt but never be exported. Stored in IndexedDB
 * as a `CryptoKey` object, it stays non-extractable: structured cloning keeps the flag.
 *
 * @example
 * const key = await generateDatasetKey();
 * key.extractable; // false
 */
export function generateDatasetKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/**
 * How many chunks hold `byteSize` bytes: at least one, so that even an empty stream carries a
 * tag that proves it whole.
 *
 * @example
 * chunkCountFor(20 * 1024 * 1024); // 3
 * chunkCountFor(0); // 1
 */
export function chunkCountFor(byteSize: number, chunkBytes: number = DATASET_CHUNK_BYTES): number {
  return Math.max(1, Math.ceil(byteSize / chunkBytes));
}

/**
 * Encrypts one chunk of a dataset's bytes, bound to its place.
 *
 * @example
 * const sealed = await encryptChunk(key, ipc.subarray(0, DATASET_CHUNK_BYTES), {
 *   datasetId,
 *   index: 0,
 *   count: chunkCountFor(ipc.byteLength),
 * });
 */
export function encryptChunk(
  key: CryptoKey,
  bytes: Uint8Array,
  binding: ChunkBinding,
): Promise<SealedBytes> {
  return seal(key, ownedBytes(bytes), chunkAdditionalData(binding));
}

/**
 * Decrypts one chunk; rejects with a `corrupt` `LocalStoreError` when the chunk was changed, is
 * not the one at this place, or was sealed under another key.
 *
 * @example
 * const bytes = new Uint8Array(await decryptChunk(key, sealed, { datasetId, index: 0, count: 3 }));
 */
export function decryptChunk(
  key: CryptoKey,
  sealed: SealedBytes,
  binding: ChunkBinding,
): Promise<ArrayBuffer> {
  return open(key, sealed, chunkAdditionalData(binding));
}

/**
 * Encrypts a JSON value (a dataset's description), bound to the record it belongs to.
 *
 * @example
 * const sealed = await sealMetadata(key, { name: 'Assay plate 7' }, {
 *   datasetId,
 *   ownerId,
 *   createdAt,
 * });
 */
export function sealMetadata(
  key: CryptoKey,
  value: unknown,
  binding: MetadataBinding,
): Promise<SealedBytes> {
  const json = new TextEncoder().encode(JSON.stringify(value));
  return seal(key, json, metadataAdditionalData(binding));
}

/**
 * Decrypts and parses what `sealMetadata` sealed; rejects with `corrupt` when it fails to open.
 * The result is whatever JSON was sealed: check its shape before use.
 *
 * @example
 * const value = await openMetadata(key, record.metadata, { datasetId, ownerId, createdAt });
 */
export async function openMetadata(
  key: CryptoKey,
  sealed: SealedBytes,
  binding: MetadataBinding,
): Promise<unknown> {
  const json = await open(key, sealed, metadataAdditionalData(binding));
  return JSON.parse(new TextDecoder().decode(json)) as unknown;
}

async function seal(
  key: CryptoKey,
  plaintext: Uint8Array<ArrayBuffer>,
  additionalData: Uint8Array<ArrayBuffer>,
): Promise<SealedBytes> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData },
    key,
    plaintext,
  );
  return { iv, ciphertext };
}

async function open(
  key: CryptoKey,
  sealed: SealedBytes,
  additionalData: Uint8Array<ArrayBuffer>,
): Promise<ArrayBuffer> {
  try {
    return await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.iv, additionalData },
      key,
      sealed.ciphertext,
    );
  } catch (error) {
    throw new LocalStoreError(
      {
        code: 'corrupt',
        message:
          'A dataset kept on this device failed its integrity check: it was changed or damaged, ' +
          'or the key it was locked with is gone. Delete it and open the file again.',
      },
      { cause: error },
    );
  }
}

function chunkAdditionalData({ datasetId, index, count }: ChunkBinding): Uint8Array<ArrayBuffer> {
  // JSON keeps the fields apart whatever characters an id holds.
  return new TextEncoder().encode(
    JSON.stringify([BINDING_VERSION, 'chunk', datasetId, index, count]),
  );
}

function metadataAdditionalData({
  datasetId,
  ownerId,
  createdAt,
}: MetadataBinding): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    JSON.stringify([BINDING_VERSION, 'metadata', datasetId, ownerId, createdAt]),
  );
}

/** WebCrypto takes no views of a `SharedArrayBuffer`; such bytes are copied, others are not. */
function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer) {
    return new Uint8Array(bytes);
  }
  return bytes as Uint8Array<ArrayBuffer>;
}

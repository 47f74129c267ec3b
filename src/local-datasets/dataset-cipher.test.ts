/**
 * The dataset cipher against Node's WebCrypto (the same Web Crypto API the browser has): what it
 * seals opens again only with the same key and the same binding, and any change to the bytes,
 * the IV or the place of a chunk makes it `corrupt`.
 */
import { describe, expect, it } from 'vitest';
import {
  chunkCountFor,
  DATASET_CHUNK_BYTES,
  decryptChunk,
  encryptChunk,
  generateDatasetKey,
  openMetadata,
  sealMetadata,
  type SealedBytes,
} from './dataset-cipher.ts';
import { LocalStoreError } from './local-store-error.ts';

const datasetId = '3f0c1e9a-7d0e-4a53-9a11-2f6f4f0b7c21';

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let start = 0; start < length; start += 65536) {
    crypto.getRandomValues(bytes.subarray(start, Math.min(length, start + 65536)));
  }
  return bytes;
}

async function expectCorrupt(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(LocalStoreError);
  expect((error as LocalStoreError).code).toBe('corrupt');
}

function withFlippedBit(
  bytes: ArrayBuffer | Uint8Array,
  byteIndex: number,
): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes instanceof ArrayBuffer ? bytes : bytes.slice());
  copy[byteIndex] = (copy[byteIndex] ?? 0) ^ 0x01;
  return copy;
}

describe('the dataset key', () => {
  it('is an AES-256-GCM key for encrypt and decrypt only', async () => {
    const key = await generateDatasetKey();
    expect(key.algorithm).toEqual({ name: 'AES-GCM', length: 256 });
    expect([...key.usages].sort()).toEqual(['decrypt', 'encrypt']);
  });

  it('cannot be exported in any format', async () => {
    const key = await generateDatasetKey();
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('jwk', key)).rejects.toThrow();
  });

  it('stays non-extractable and usable through a structured clone, as IndexedDB stores it', async () => {
    const key = await generateDatasetKey();
    const binding = { datasetId, index: 0, count: 1 };
    const sealed = await encryptChunk(key, new TextEncoder().encode('well,signal'), binding);
    const cloned = structuredClone(key);
    expect(cloned.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', cloned)).rejects.toThrow();
    const opened = await decryptChunk(cloned, sealed, binding);
    expect(new TextDecoder().decode(opened)).toBe('well,signal');
  });
});

describe('chunks', () => {
  it('come back as they went in, a view into a larger buffer included', async () => {
    const key = await generateDatasetKey();
    const whole = randomBytes(1000);
    const view = whole.subarray(100, 900);
    const binding = { datasetId, index: 2, count: 5 };
    const sealed = await encryptChunk(key, view, binding);
    expect(sealed.iv.byteLength).toBe(12);
    expect(sealed.ciphertext.byteLength).toBe(800 + 16);
    expect(new Uint8Array(await decryptChunk(key, sealed, binding))).toEqual(view);
  });

  it('round-trip a full 8 MiB chunk and an empty one', async () => {
    const key = await generateDatasetKey();
    const full = randomBytes(DATASET_CHUNK_BYTES);
    const sealedFull = await encryptChunk(key, full, { datasetId, index: 0, count: 2 });
    const sealedEmpty = await encryptChunk(key, new Uint8Array(0), {
      datasetId,
      index: 1,
      count: 2,
    });
    const openedFull = await decryptChunk(key, sealedFull, { datasetId, index: 0, count: 2 });
    const openedEmpty = await decryptChunk(key, sealedEmpty, { datasetId, index: 1, count: 2 });
    // Deep equality over 8 MiB element by element takes minutes; compare the bytes at once.
    expect(Buffer.from(openedFull).equals(full)).toBe(true);
    expect(openedEmpty.byteLength).toBe(0);
  });

  it('get a fresh IV every time, so equal bytes never seal alike', async () => {
    const key = await generateDatasetKey();
    const bytes = new TextEncoder().encode('same bytes');
    const binding = { datasetId, index: 0, count: 1 };
    const first = await encryptChunk(key, bytes, binding);
    const second = await encryptChunk(key, bytes, binding);
    expect(first.iv).not.toEqual(second.iv);
    expect(new Uint8Array(first.ciphertext)).not.toEqual(new Uint8Array(second.ciphertext));
  });

  it('do not open under another dataset id', async () => {
    const key = await generateDatasetKey();
    const sealed = await encryptChunk(key, randomBytes(64), { datasetId, index: 0, count: 1 });
    await expectCorrupt(
      decryptChunk(key, sealed, { datasetId: 'another-dataset', index: 0, count: 1 }),
    );
  });

  it('do not open when swapped or reordered', async () => {
    const key = await generateDatasetKey();
    const count = 3;
    const sealed: SealedBytes[] = [];
    for (let index = 0; index < count; index += 1) {
      sealed.push(await encryptChunk(key, randomBytes(64), { datasetId, index, count }));
    }
    const [first, second] = sealed as [SealedBytes, SealedBytes, SealedBytes];
    await expectCorrupt(decryptChunk(key, second, { datasetId, index: 0, count }));
    await expectCorrupt(decryptChunk(key, first, { datasetId, index: 1, count }));
  });

  it('do not open when the dataset claims fewer chunks than were sealed (truncation)', async () => {
    const key = await generateDatasetKey();
    const sealed = await encryptChunk(key, randomBytes(64), { datasetId, index: 1, count: 3 });
    await expectCorrupt(decryptChunk(key, sealed, { datasetId, index: 1, count: 2 }));
  });

  it('do not open when their ciphertext is cut short', async () => {
    const key = await generateDatasetKey();
    const binding = { datasetId, index: 0, count: 1 };
    const sealed = await encryptChunk(key, randomBytes(256), binding);
    const cut = { iv: sealed.iv, ciphertext: sealed.ciphertext.slice(0, -1) };
    await expectCorrupt(decryptChunk(key, cut, binding));
    const tagless = { iv: sealed.iv, ciphertext: sealed.ciphertext.slice(0, 256) };
    await expectCorrupt(decryptChunk(key, tagless, binding));
  });

  it('do not open with one bit flipped in the ciphertext, the tag or the IV', async () => {
    const key = await generateDatasetKey();
    const binding = { datasetId, index: 0, count: 1 };
    const sealed = await encryptChunk(key, randomBytes(256), binding);
    const ciphertext = new Uint8Array(sealed.ciphertext);
    for (const byteIndex of [0, 128, 255, 256, ciphertext.byteLength - 1]) {
      const flipped = { iv: sealed.iv, ciphertext: withFlippedBit(ciphertext, byteIndex).buffer };
      await expectCorrupt(decryptChunk(key, flipped, binding));
    }
    await expectCorrupt(
      decryptChunk(
        key,
        { iv: withFlippedBit(sealed.iv, 11), ciphertext: sealed.ciphertext },
        binding,
      ),
    );
  });

  it('do not open under another key', async () => {
    const binding = { datasetId, index: 0, count: 1 };
    const sealed = await encryptChunk(await generateDatasetKey(), randomBytes(64), binding);
    await expectCorrupt(decryptChunk(await generateDatasetKey(), sealed, binding));
  });
});

describe('metadata', () => {
  const binding = { datasetId, ownerId: 'user-1', createdAt: '2025-01-02T03:04:05.000Z' };
  const description = { name: 'Assay plate 7', sourceName: 'plate-7.csv', rows: 96 };

  it('comes back as it went in, and its text is not in the sealed bytes', async () => {
    const key = await generateDatasetKey();
    const sealed = await sealMetadata(key, description, binding);
    expect(await openMetadata(key, sealed, binding)).toEqual(description);
    const sealedText = Buffer.from(sealed.ciphertext).toString('latin1');
    expect(sealedText).not.toContain('Assay plate 7');
    expect(sealedText).not.toContain('plate-7.csv');
  });

  it('does not open for another owner, dataset or creation time', async () => {
    const key = await generateDatasetKey();
    const sealed = await sealMetadata(key, description, binding);
    await expectCorrupt(openMetadata(key, sealed, { ...binding, ownerId: 'user-2' }));
    await expectCorrupt(openMetadata(key, sealed, { ...binding, datasetId: 'another-dataset' }));
    await expectCorrupt(
      openMetadata(key, sealed, { ...binding, createdAt: '2025-01-02T03:04:06.000Z' }),
    );
  });

  it('is not taken for a chunk, nor a chunk for metadata', async () => {
    const key = await generateDatasetKey();
    const sealed = await sealMetadata(key, description, binding);
    await expectCorrupt(decryptChunk(key, sealed, { datasetId, index: 0, count: 1 }));
  });
});

describe('chunkCountFor', () => {
  it('counts whole and partial chunks, and gives an empty stream one chunk', () => {
    expect(chunkCountFor(0)).toBe(1);
    expect(chunkCountFor(1)).toBe(1);
    expect(chunkCountFor(DATASET_CHUNK_BYTES)).toBe(1);
    expect(chunkCountFor(DATASET_CHUNK_BYTES + 1)).toBe(2);
    expect(chunkCountFor(20 * 1024 * 1024)).toBe(3);
    expect(chunkCountFor(10, 4)).toBe(3);
  });
});

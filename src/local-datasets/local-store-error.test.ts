/**
 * How browser storage failures become `LocalStoreError`s: real `DOMException`s (Node has the same
 * class the browser throws) in, stable codes and a message with the figures out.
 */
import { describe, expect, it } from 'vitest';
import { LocalStoreError, storageMissingError, toLocalStoreError } from './local-store-error.ts';

describe('toLocalStoreError', () => {
  it('turns QuotaExceededError into quota_exceeded, with what was needed and what is free', () => {
    const cause = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const error = toLocalStoreError(cause, {
      neededBytes: 250 * 1024 * 1024,
      freeBytes: 40 * 1024 * 1024,
    });
    expect(error).toBeInstanceOf(LocalStoreError);
    const storeError = error as LocalStoreError;
    expect(storeError.code).toBe('quota_exceeded');
    expect(storeError.neededBytes).toBe(250 * 1024 * 1024);
    expect(storeError.freeBytes).toBe(40 * 1024 * 1024);
    expect(storeError.message).toContain('250 MB');
    expect(storeError.message).toContain('40.0 MB is free');
    expect(storeError.cause).toBe(cause);
  });

  it('blames the disk when the browser counts more as free than was needed', () => {
    const cause = new DOMException('', 'QuotaExceededError');
    const error = toLocalStoreError(cause, {
      neededBytes: 64 * 1024 * 1024,
      freeBytes: 1024 * 1024 * 1024,
    }) as LocalStoreError;
    expect(error.code).toBe('quota_exceeded');
    expect(error.message).toContain('about 1.0 GB as free, so the disk itself is probably full');
  });

  it('says so when the free space is unknown, and leaves the figures out when nothing is known', () => {
    const cause = new DOMException('Quota exceeded.', 'QuotaExceededError');
    const neededOnly = toLocalStoreError(cause, { neededBytes: 1536 }) as LocalStoreError;
    expect(neededOnly.message).toContain('1.5 KB; the browser did not say how much is free');
    expect(neededOnly.freeBytes).toBeUndefined();
    const bare = toLocalStoreError(cause) as LocalStoreError;
    expect(bare.code).toBe('quota_exceeded');
    expect(bare.message).not.toMatch(/needs about|is free/);
  });

  it('recognises a quota abort reported as AbortError or UnknownError', () => {
    const aborted = new DOMException('QuotaExceededError ', 'AbortError');
    const unknown = new DOMException('Quota exceeded while writing.', 'UnknownError');
    expect((toLocalStoreError(aborted) as LocalStoreError).code).toBe('quota_exceeded');
    expect((toLocalStoreError(unknown) as LocalStoreError).code).toBe('quota_exceeded');
  });

  it('turns other storage failures into unavailable, naming the browser error', () => {
    const cause = new DOMException('Internal error opening backing store.', 'UnknownError');
    const error = toLocalStoreError(cause) as LocalStoreError;
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('UnknownError: Internal error opening backing store.');
    expect(error.cause).toBe(cause);
    const plainAbort = toLocalStoreError(new DOMException('Transaction aborted.', 'AbortError'));
    expect((plainAbort as LocalStoreError).code).toBe('unavailable');
  });

  it('passes a LocalStoreError through and leaves other errors as they are', () => {
    const storeError = new LocalStoreError({ code: 'not_found', message: 'Gone.' });
    expect(toLocalStoreError(storeError)).toBe(storeError);
    const bug = new TypeError('x is undefined');
    expect(toLocalStoreError(bug)).toBe(bug);
  });
});

describe('storageMissingError', () => {
  it('is unavailable and names what is missing', () => {
    const error = storageMissingError('WebCrypto');
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('WebCrypto');
    expect(error.message).toContain('https');
    expect(storageMissingError('IndexedDB').message).toContain('Private windows');
  });
});

/**
 * The one error of the on-device dataset store: a stable `code` the app can branch on and a
 * message a scientist can act on. The browser reports storage trouble as `DOMException`s whose
 * names differ by browser and by where the trouble struck (a request, or the whole transaction
 * at commit); `toLocalStoreError` folds them into these few codes so that nothing of it reaches
 * the app as an unexplained "AbortError".
 */
import { formatByteSize } from '../ui/format-byte-size.ts';

/**
 * - `quota_exceeded`: the browser refused to store more (the disk or the origin's quota is full).
 * - `not_found`: no such dataset for this user on this device (deleted, perhaps in another tab).
 * - `corrupt`: a stored dataset failed its integrity check (changed, damaged or its key is gone).
 * - `unavailable`: this browser offers no usable IndexedDB or WebCrypto here (a private window,
 *   storage switched off, a page not served over https) or its storage failed.
 *
 * @example
 * if (error instanceof LocalStoreError && error.code === 'quota_exceeded') offerToDelete();
 */
export type LocalStoreErrorCode = 'quota_exceeded' | 'not_found' | 'corrupt' | 'unavailable';

/**
 * @example
 * const data: LocalStoreErrorData = { code: 'corrupt', message: 'This dataset cannot be read.' };
 */
export interface LocalStoreErrorData {
  readonly code: LocalStoreErrorCode;
  readonly message: string;
  /** For `quota_exceeded`: about how many bytes the refused write needed, when known. */
  readonly neededBytes?: number;
  /** For `quota_exceeded`: about how many bytes the browser still grants, when it says. */
  readonly freeBytes?: number;
}

export class LocalStoreError extends Error {
  override readonly name = 'LocalStoreError';
  readonly code: LocalStoreErrorCode;
  readonly neededBytes: number | undefined;
  readonly freeBytes: number | undefined;

  /**
   * @example
   * throw new LocalStoreError({ code: 'not_found', message: 'This dataset is no longer kept here.' });
   */
  constructor(data: LocalStoreErrorData, options?: ErrorOptions) {
    super(data.message, options);
    this.code = data.code;
    this.neededBytes = data.neededBytes;
    this.freeBytes = data.freeBytes;
  }
}

/**
 * What is known about the space a refused write wanted; both are estimates.
 *
 * @example
 * toLocalStoreError(error, { neededBytes: ipc.byteLength, freeBytes: estimate.freeBytes });
 */
export interface ToLocalStoreErrorOptions {
  readonly neededBytes?: number;
  readonly freeBytes?: number;
}

/** The legacy numeric code of `QuotaExceededError`, which some wrappers keep when they rename. */
const QUOTA_EXCEEDED_ERR = 22;

/**
 * The error to throw for something the browser's storage threw: a `LocalStoreError` for every
 * `DOMException` (and the same `LocalStoreError` when it already is one), anything else as it
 * came, because a `TypeError` here is a bug to see plainly, not a storage condition.
 *
 * A full quota shows up as `QuotaExceededError` on the request or, in Chromium, only as the
 * `error` of the aborted transaction; some wrappers re-wrap it as an `AbortError` whose message
 * names the quota. All of these become `quota_exceeded`.
 *
 * @example
 * try {
 *   await transaction.done;
 * } catch (error) {
 *   throw toLocalStoreError(transaction.error ?? error, { neededBytes: 250_000_000 });
 * }
 */
export function toLocalStoreError(error: unknown, options: ToLocalStoreErrorOptions = {}): unknown {
  if (error instanceof LocalStoreError) return error;
  if (!isDomException(error)) return error;
  if (isQuotaError(error)) return quotaExceededError(error, options);
  return new LocalStoreError(
    {
      code: 'unavailable',
      message:
        `The browser's storage for datasets on this device failed (${error.name}: ${error.message}). ` +
        'Reloading the page may help; in a private window the browser may not keep data at all.',
    },
    { cause: error },
  );
}

/**
 * The `unavailable` error for a browser that lacks IndexedDB or WebCrypto here.
 *
 * @example
 * if (typeof indexedDB === 'undefined') throw storageMissingError('IndexedDB');
 */
export function storageMissingError(missing: 'IndexedDB' | 'WebCrypto'): LocalStoreError {
  const why =
    missing === 'WebCrypto'
      ? 'Encryption (WebCrypto) is available only on pages served over https.'
      : 'Private windows and some privacy settings switch it off.';
  return new LocalStoreError({
    code: 'unavailable',
    message: `Datasets cannot be kept on this device: this browser offers no ${missing} here. ${why}`,
  });
}

function isDomException(error: unknown): error is DOMException {
  return typeof DOMException !== 'undefined' && error instanceof DOMException;
}

function isQuotaError(error: DOMException): boolean {
  if (error.name === 'QuotaExceededError' || error.code === QUOTA_EXCEEDED_ERR) return true;
  return (
    (error.name === 'AbortError' || error.name === 'UnknownError') && /quota/i.test(error.message)
  );
}

function quotaExceededError(
  cause: DOMException,
  options: ToLocalStoreErrorOptions,
): LocalStoreError {
  const { neededBytes, freeBytes } = options;
  return new LocalStoreError(
    {
      code: 'quota_exceeded',
      message:
        `There is not enough storage on this device to keep this dataset.${spaceSentence(options)} ` +
        'Delete datasets kept on this device or free disk space, then try again.',
      ...(neededBytes !== undefined ? { neededBytes } : {}),
      ...(freeBytes !== undefined ? { freeBytes } : {}),
    },
    { cause },
  );
}

function spaceSentence({ neededBytes, freeBytes }: ToLocalStoreErrorOptions): string {
  const needed = neededBytes === undefined ? undefined : formatByteSize(neededBytes);
  const free = freeBytes === undefined ? undefined : formatByteSize(freeBytes);
  if (needed && free) {
    // Chromium counts a share of the disk as free even when the disk itself is full.
    if (freeBytes !== undefined && neededBytes !== undefined && freeBytes >= neededBytes) {
      return ` It needs about ${needed}; the browser counts about ${free} as free, so the disk itself is probably full.`;
    }
    return ` It needs about ${needed} and about ${free} is free.`;
  }
  if (needed) return ` It needs about ${needed}; the browser did not say how much is free.`;
  if (free) return ` About ${free} is free.`;
  return '';
}

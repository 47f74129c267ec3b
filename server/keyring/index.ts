/**
 * Envelope encryption for what the server stores on behalf of users: connection secrets and
 * shared datasets. Each record has its own random data key; only the data key, wrapped under
 * one master key, is stored beside the record. A leaked database row or backup is then useless
 * without the master key file, and one record's key opens nothing else.
 *
 * The master key is 32 random bytes, base64 on one line, in a file the server generates on first
 * start (mode 0600) and refuses to use when it is malformed or readable by other users. Every
 * ciphertext is AES-256-GCM and authenticates a caller-chosen context (`connection:<id>:secret`),
 * so a ciphertext copied onto another row does not open there. Only `node:crypto` is used.
 *
 * Key material never appears in an error message or a log line: messages name the file, never
 * what it holds.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { constants, type FileHandle, link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Why the keyring refused; stable, for callers and logs. */
export type KeyringErrorCode =
  | 'master_key_malformed'
  | 'master_key_not_private'
  | 'master_key_unreadable'
  | 'master_key_unwritable'
  | 'invalid_context'
  | 'decryption_failed';

/**
 * A refusal of the keyring. The message is safe to log: it may name the key file, never its
 * contents or any key.
 *
 * @example
 * try {
 *   keyring.open(wrappedKey, sealed, 'connection:42:secret');
 * } catch (error) {
 *   if (error instanceof KeyringError && error.code === 'decryption_failed') markCorrupt(42);
 * }
 */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
  constructor(
    readonly code: KeyringErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Where the keyring keeps its master key (`config.masterKeyPath`). */
export interface KeyringOptions {
  /** The master key file; created (with its folder) when missing. */
  masterKeyPath: string;
}

/**
 * Seals and opens data under per-record data keys. Data keys only ever leave the keyring
 * wrapped, so callers store them as they are and never see a key in the clear.
 *
 * @example
 * const wrappedKey = keyring.createDataKey();
 * const sealed = keyring.sealText(wrappedKey, password, `connection:${id}:secret`);
 * // store wrappedKey and sealed in the connection's row; later:
 * const again = keyring.openText(wrappedKey, sealed, `connection:${id}:secret`);
 */
export interface Keyring {
  /** `generated` on the start that created the master key file (a moment to remind of backups). */
  readonly masterKeyOrigin: 'generated' | 'file';
  /** A fresh random data key, wrapped under the master key: `version ‖ IV ‖ key ‖ tag`. */
  createDataKey(): Uint8Array;
  /** Encrypts `plaintext` under the data key, bound to `context`: `version ‖ IV ‖ data ‖ tag`. */
  seal(wrappedDataKey: Uint8Array, plaintext: Uint8Array, context: string): Uint8Array;
  /** The plaintext, or `KeyringError('decryption_failed')` if anything does not match. */
  open(wrappedDataKey: Uint8Array, sealed: Uint8Array, context: string): Uint8Array;
  /** `seal` for a string, as UTF-8. */
  sealText(wrappedDataKey: Uint8Array, text: string, context: string): Uint8Array;
  /** `open` for what `sealText` sealed. */
  openText(wrappedDataKey: Uint8Array, sealed: Uint8Array, context: string): string;
}

const FORMAT_VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;
const WRAPPED_KEY_BYTES = HEADER_BYTES + KEY_BYTES + TAG_BYTES;
const ENCRYPT_CHUNK_BYTES = 1024 * 1024;
const VERSION_PREFIX = Uint8Array.of(FORMAT_VERSION);
// Authenticated with every wrapped key, so a wrapped key is only ever accepted as one.
const WRAPPED_KEY_AAD = Buffer.concat([VERSION_PREFIX, Buffer.from('enclave:data-key', 'utf8')]);
// 32 bytes are 44 base64 characters ending in one `=`; anything else is not a master key.
const MASTER_KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
// Generous for one line of base64 and a line ending; a bigger file is refused without reading it.
const MASTER_KEY_FILE_MAX_BYTES = 256;

/** One message for every failure to open, so a caller learns nothing about which part was off. */
function decryptionFailed(cause?: unknown): KeyringError {
  return new KeyringError(
    'decryption_failed',
    'The data cannot be opened: it was altered or truncated, belongs to another context, or was sealed under another key.',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * `version ‖ IV ‖ AES-256-GCM(data) ‖ tag`. The output is allocated once and filled a chunk at a
 * time: a 200 MB dataset then costs its plaintext plus one envelope in memory, not two envelopes
 * as `Buffer.concat` of one big `update` would (and measures faster too).
 */
function encrypt(key: KeyObject | Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const envelope = Buffer.allocUnsafe(HEADER_BYTES + plaintext.length + TAG_BYTES);
  envelope[0] = FORMAT_VERSION;
  let written = 1 + iv.copy(envelope, 1);
  for (let start = 0; start < plaintext.length; start += ENCRYPT_CHUNK_BYTES) {
    written += cipher
      .update(plaintext.subarray(start, start + ENCRYPT_CHUNK_BYTES))
      .copy(envelope, written);
  }
  written += cipher.final().copy(envelope, written);
  written += cipher.getAuthTag().copy(envelope, written);
  // GCM's output is exactly as long as its input; anything else would leave unset memory behind.
  if (written !== envelope.length) throw new Error('AES-256-GCM returned an unexpected length.');
  return envelope;
}

/** Inverse of `encrypt`; returns nothing before the tag has been checked. */
function decrypt(key: KeyObject | Uint8Array, envelope: Uint8Array, aad: Uint8Array): Buffer {
  if (
    !(envelope instanceof Uint8Array) ||
    envelope.length < HEADER_BYTES + TAG_BYTES ||
    envelope[0] !== FORMAT_VERSION
  ) {
    throw decryptionFailed();
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, envelope.subarray(1, HEADER_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(envelope.subarray(envelope.length - TAG_BYTES));
    const body = decipher.update(envelope.subarray(HEADER_BYTES, envelope.length - TAG_BYTES));
    const rest = decipher.final();
    // GCM releases everything in `update`; skip the second 200 MB copy a concat would make.
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch (cause) {
    throw decryptionFailed(cause);
  }
}

/** The context as authenticated data; refused when it could collide with another one. */
function contextAad(context: string): Buffer {
  const bytes = typeof context === 'string' ? Buffer.from(context, 'utf8') : Buffer.alloc(0);
  // Empty would bind nothing; lone surrogates would all encode as U+FFFD and collide.
  if (bytes.length === 0 || bytes.toString('utf8') !== context) {
    throw new KeyringError(
      'invalid_context',
      'A keyring context must be a non-empty string of well-formed Unicode, e.g. `connection:<id>:secret`.',
    );
  }
  return Buffer.concat([VERSION_PREFIX, bytes]);
}

function keyringFor(masterKey: KeyObject, masterKeyOrigin: Keyring['masterKeyOrigin']): Keyring {
  function withDataKey<T>(wrappedDataKey: Uint8Array, use: (dataKey: Buffer) => T): T {
    if (!(wrappedDataKey instanceof Uint8Array) || wrappedDataKey.length !== WRAPPED_KEY_BYTES) {
      throw decryptionFailed();
    }
    const dataKey = decrypt(masterKey, wrappedDataKey, WRAPPED_KEY_AAD);
    try {
      return use(dataKey);
    } finally {
      dataKey.fill(0);
    }
  }

  const keyring: Keyring = {
    masterKeyOrigin,
    createDataKey() {
      const dataKey = randomBytes(KEY_BYTES);
      try {
        return encrypt(masterKey, dataKey, WRAPPED_KEY_AAD);
      } finally {
        dataKey.fill(0);
      }
    },
    seal(wrappedDataKey, plaintext, context) {
      const aad = contextAad(context);
      return withDataKey(wrappedDataKey, (dataKey) => encrypt(dataKey, plaintext, aad));
    },
    open(wrappedDataKey, sealed, context) {
      const aad = contextAad(context);
      return withDataKey(wrappedDataKey, (dataKey) => decrypt(dataKey, sealed, aad));
    },
    sealText(wrappedDataKey, text, context) {
      return keyring.seal(wrappedDataKey, Buffer.from(text, 'utf8'), context);
    },
    openText(wrappedDataKey, sealed, context) {
      const plaintext = keyring.open(wrappedDataKey, sealed, context);
      return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString(
        'utf8',
      );
    },
  };
  return keyring;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Checks a present key file and parses it; `undefined` when there is no file yet. */
async function readMasterKey(file: string): Promise<KeyObject | undefined> {
  let handle: FileHandle;
  try {
    // Non-blocking, so a FIFO put in the key's place is refused below instead of hanging start.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new KeyringError('master_key_unreadable', `The master key file ${file} cannot be read.`, {
      cause: error,
    });
  }
  let contents: Buffer;
  try {
    // Checked on the open handle, so the file judged is the file read.
    const info = await handle.stat();
    if (!info.isFile() || info.size > MASTER_KEY_FILE_MAX_BYTES) throw malformedMasterKey(file);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeyringError(
        'master_key_not_private',
        `The master key file ${file} is open to other users (mode ${mode}); make it private with \`chmod 600 ${file}\`.`,
      );
    }
    contents = await handle.readFile();
  } catch (error) {
    if (error instanceof KeyringError) throw error;
    throw new KeyringError('master_key_unreadable', `The master key file ${file} cannot be read.`, {
      cause: error,
    });
  } finally {
    await handle.close();
  }
  try {
    const text = contents.toString('latin1').trim();
    if (!MASTER_KEY_BASE64.test(text)) throw malformedMasterKey(file);
    const keyBytes = Buffer.from(text, 'base64');
    if (keyBytes.length !== KEY_BYTES) throw malformedMasterKey(file);
    const key = createSecretKey(keyBytes);
    keyBytes.fill(0);
    return key;
  } finally {
    contents.fill(0);
  }
}

function malformedMasterKey(file: string): KeyringError {
  return new KeyringError(
    'master_key_malformed',
    `The master key file ${file} is malformed: it must hold exactly 32 bytes in base64 on one line (as \`openssl rand -base64 32\` prints).`,
  );
}

/**
 * Writes a new master key to `file` unless another process got there first: the key is written
 * in full to a private temporary file, then hard-linked into place. `link` is atomic and never
 * replaces an existing file, so of racing first starts exactly one key is published, and a
 * reader never sees a half-written one. `undefined` means another process won.
 */
async function createMasterKey(file: string): Promise<KeyObject | undefined> {
  const folder = path.dirname(file);
  const temporary = path.join(folder, `.${path.basename(file)}.${randomBytes(8).toString('hex')}`);
  const keyBytes = randomBytes(KEY_BYTES);
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${keyBytes.toString('base64')}\n`, 'latin1');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, file);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      throw error;
    }
    await syncFolder(folder);
    return createSecretKey(keyBytes);
  } catch (error) {
    throw new KeyringError(
      'master_key_unwritable',
      `The master key file ${file} cannot be created.`,
      { cause: error },
    );
  } finally {
    keyBytes.fill(0);
    await unlink(temporary).catch(() => undefined);
  }
}

/** Makes the new directory entry durable: a key lost in a power cut loses everything under it. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(folder, constants.O_RDONLY).catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

/**
 * Loads the master key from `masterKeyPath`, generating it on first start, and returns the
 * keyring built on it. Refuses a malformed key file and one that other users may read.
 *
 * @example
 * const keyring = await loadKeyring({ masterKeyPath: config.masterKeyPath });
 * if (keyring.masterKeyOrigin === 'generated') {
 *   logger.warn({ path: config.masterKeyPath }, 'New master key: back it up with the database');
 * }
 */
export async function loadKeyring(options: KeyringOptions): Promise<Keyring> {
  const file = options.masterKeyPath;
  const existing = await readMasterKey(file);
  if (existing) return keyringFor(existing, 'file');
  const created = await createMasterKey(file);
  if (created) return keyringFor(created, 'generated');
  // Another process published its key between our read and our link: use theirs.
  const winners = await readMasterKey(file);
  if (!winners) {
    throw new KeyringError('master_key_unreadable', `The master key file ${file} vanished.`);
  }
  return keyringFor(winners, 'file');
}

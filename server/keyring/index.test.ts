import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyringError, loadKeyring, type Keyring } from './index.ts';

const posix = process.platform !== 'win32';
const context = 'connection:42:secret';

let folder: string;
let masterKeyPath: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'enclave-keyring-'));
  masterKeyPath = path.join(folder, 'keys', 'master.key');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function caught(action: () => unknown): KeyringError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    return error as KeyringError;
  }
  throw new Error('expected the keyring to refuse');
}

async function caughtAsync(action: () => Promise<unknown>): Promise<KeyringError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    return error as KeyringError;
  }
  throw new Error('expected the keyring to refuse');
}

function expectDecryptionFailed(action: () => unknown): KeyringError {
  const error = caught(action);
  expect(error.code).toBe('decryption_failed');
  return error;
}

/** Every message and cause message, for checks that nothing secret leaks through a chain. */
function messagesOf(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) {
    parts.push(current.message, String(current.stack));
  }
  return parts.join('\n');
}

async function privateKeyFile(contents: string, file = masterKeyPath): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, contents, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

describe('loadKeyring: the master key file', () => {
  it('generates a private key file on first start and reuses it afterwards', async () => {
    const first = await loadKeyring({ masterKeyPath });
    expect(first.masterKeyOrigin).toBe('generated');
    if (posix) {
      expect((await stat(masterKeyPath)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(masterKeyPath))).mode & 0o777).toBe(0o700);
    }
    const text = await readFile(masterKeyPath, 'utf8');
    expect(text).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(Buffer.from(text.trim(), 'base64')).toHaveLength(32);

    const wrappedKey = first.createDataKey();
    const sealed = first.sealText(wrappedKey, 'hunter2', context);
    const second = await loadKeyring({ masterKeyPath });
    expect(second.masterKeyOrigin).toBe('file');
    expect(second.openText(wrappedKey, sealed, context)).toBe('hunter2');
    expect(await readFile(masterKeyPath, 'utf8')).toBe(text);
    expect(await readdir(path.dirname(masterKeyPath))).toEqual(['master.key']);
  });

  it('uses the key the operator put in the file (`openssl rand -base64 32`)', async () => {
    const operatorKey = `${randomBytes(32).toString('base64')}\n`;
    await privateKeyFile(operatorKey);
    const copyPath = await privateKeyFile(operatorKey, path.join(folder, 'copy', 'master.key'));
    const keyring = await loadKeyring({ masterKeyPath });
    const copy = await loadKeyring({ masterKeyPath: copyPath });
    expect(keyring.masterKeyOrigin).toBe('file');
    const wrappedKey = keyring.createDataKey();
    const sealed = keyring.sealText(wrappedKey, 'hunter2', context);
    expect(copy.openText(wrappedKey, sealed, context)).toBe('hunter2');
  });

  it('gives concurrent first starts one key', async () => {
    const keyrings = await Promise.all(
      Array.from({ length: 8 }, () => loadKeyring({ masterKeyPath })),
    );
    expect(keyrings.filter((k) => k.masterKeyOrigin === 'generated')).toHaveLength(1);
    const [writer] = keyrings;
    const wrappedKey = writer!.createDataKey();
    const sealed = writer!.sealText(wrappedKey, 'one key for all', context);
    for (const reader of keyrings) {
      expect(reader.openText(wrappedKey, sealed, context)).toBe('one key for all');
    }
    // No temporary file of a loser is left behind.
    expect(await readdir(path.dirname(masterKeyPath))).toEqual(['master.key']);
  });

  it.skipIf(!posix).each([
    ['0640', 0o640],
    ['0604', 0o604],
    ['0644', 0o644],
    ['0660', 0o660],
    ['0610', 0o610],
  ])('refuses a key file with mode %s, naming the path', async (_octal, mode) => {
    await privateKeyFile(`${randomBytes(32).toString('base64')}\n`);
    await chmod(masterKeyPath, mode);
    const error = await caughtAsync(() => loadKeyring({ masterKeyPath }));
    expect(error.code).toBe('master_key_not_private');
    expect(error.message).toContain(masterKeyPath);
    expect(error.message).toContain('chmod 600');
  });

  it.each([
    ['empty', ''],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['64 bytes', randomBytes(64).toString('base64')],
    ['hex', randomBytes(32).toString('hex')],
    ['base64url', randomBytes(32).toString('base64url')],
    ['two keys', `${randomBytes(32).toString('base64')}\n${randomBytes(32).toString('base64')}`],
    ['not base64', `secret-password-${'x'.repeat(27)}=`],
    ['huge', 'A'.repeat(10_000)],
  ])(
    'refuses a malformed key file (%s), naming the path but not the contents',
    async (_n, text) => {
      await privateKeyFile(text);
      const error = await caughtAsync(() => loadKeyring({ masterKeyPath }));
      expect(error.code).toBe('master_key_malformed');
      expect(error.message).toContain(masterKeyPath);
      const said = messagesOf(error);
      const trimmed = text.trim();
      if (trimmed.length > 0) expect(said).not.toContain(trimmed.slice(0, 16));
      // The file is never replaced by a new key: data sealed under the old one would be lost.
      expect(await readFile(masterKeyPath, 'utf8')).toBe(text);
    },
  );

  it('refuses a folder where the key file should be', async () => {
    await mkdir(masterKeyPath, { recursive: true, mode: 0o700 });
    if (posix) await chmod(masterKeyPath, 0o700);
    const error = await caughtAsync(() => loadKeyring({ masterKeyPath }));
    expect(error.code).toBe('master_key_malformed');
  });

  it.skipIf(!posix)('refuses a FIFO in place of the key file instead of hanging', async () => {
    await mkdir(path.dirname(masterKeyPath), { mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', masterKeyPath]);
    const error = await caughtAsync(() => loadKeyring({ masterKeyPath }));
    expect(error.code).toBe('master_key_malformed');
  });

  it('says so when the key file cannot be read, naming the path', async () => {
    await writeFile(path.join(folder, 'a-file'), 'not a folder');
    const blocked = path.join(folder, 'a-file', 'master.key');
    const error = await caughtAsync(() => loadKeyring({ masterKeyPath: blocked }));
    expect(error.code).toBe('master_key_unreadable');
    expect(error.message).toContain(blocked);
  });

  it('says so when the key file cannot be created, naming the path', async () => {
    // A name the file system takes, but not with the temporary file's prefix and suffix (even
    // for root, who may write anywhere).
    const blocked = path.join(folder, 'keys', 'k'.repeat(250));
    const error = await caughtAsync(() => loadKeyring({ masterKeyPath: blocked }));
    expect(error.code).toBe('master_key_unwritable');
    expect(error.message).toContain(blocked);
    expect(await readdir(path.dirname(blocked))).toEqual([]);
  });

  it('never logs', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(() => undefined),
    );
    const writes = vi.spyOn(process.stdout, 'write');
    try {
      const keyring = await loadKeyring({ masterKeyPath });
      await loadKeyring({ masterKeyPath });
      const wrappedKey = keyring.createDataKey();
      keyring.open(wrappedKey, keyring.seal(wrappedKey, randomBytes(10), context), context);
      caught(() => keyring.open(wrappedKey, randomBytes(40), context));
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      expect(writes).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
      writes.mockRestore();
    }
  });
});

describe('Keyring: sealing and opening', () => {
  let keyring: Keyring;
  let wrappedKey: Uint8Array;

  beforeEach(async () => {
    keyring = await loadKeyring({ masterKeyPath });
    wrappedKey = keyring.createDataKey();
  });

  it('round-trips bytes and text', () => {
    for (const size of [0, 1, 15, 16, 17, 4096, 1_000_003]) {
      const plaintext = randomBytes(size);
      const sealed = keyring.seal(wrappedKey, plaintext, context);
      expect(sealed).toHaveLength(1 + 12 + size + 16);
      expect(sealed[0]).toBe(1);
      expect(Buffer.from(keyring.open(wrappedKey, sealed, context)).equals(plaintext)).toBe(true);
    }
    const text = 'pässwörd ✓ 🔑';
    expect(keyring.openText(wrappedKey, keyring.sealText(wrappedKey, text, context), context)).toBe(
      text,
    );
    expect(keyring.openText(wrappedKey, keyring.sealText(wrappedKey, '', context), context)).toBe(
      '',
    );
  });

  it('reads a plaintext that is a view into a larger buffer', () => {
    const backing = randomBytes(100);
    const view = backing.subarray(10, 30);
    const opened = keyring.open(wrappedKey, keyring.seal(wrappedKey, view, context), context);
    expect(Buffer.from(opened).equals(view)).toBe(true);
  });

  it('makes data keys of 61 bytes, each one different', () => {
    const keys = Array.from({ length: 50 }, () => Buffer.from(keyring.createDataKey()));
    for (const key of keys) {
      expect(key).toHaveLength(1 + 12 + 32 + 16);
      expect(key[0]).toBe(1);
    }
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(keys.length);
  });

  it('uses a fresh IV on every seal', () => {
    const plaintext = Buffer.from('same every time');
    const sealed = Array.from({ length: 50 }, () =>
      Buffer.from(keyring.seal(wrappedKey, plaintext, context)),
    );
    const ivs = new Set(sealed.map((s) => s.subarray(1, 13).toString('hex')));
    expect(ivs.size).toBe(sealed.length);
  });

  it('refuses another context', () => {
    const sealed = keyring.sealText(wrappedKey, 'hunter2', 'connection:42:secret');
    for (const other of [
      'connection:43:secret',
      'connection:42:secret ',
      'connection:42:Secret',
      'connection:4:secret',
      'dataset:42:v3',
    ]) {
      expectDecryptionFailed(() => keyring.open(wrappedKey, sealed, other));
    }
  });

  it.each([
    ['empty', ''],
    ['a lone surrogate', 'dataset:\uD800:v1'],
  ])('refuses a context that is %s', (_name, bad) => {
    expect(caught(() => keyring.sealText(wrappedKey, 'x', bad)).code).toBe('invalid_context');
    const sealed = keyring.sealText(wrappedKey, 'x', context);
    expect(caught(() => keyring.open(wrappedKey, sealed, bad)).code).toBe('invalid_context');
  });

  it('keeps contexts with lone surrogates from colliding with U+FFFD', () => {
    const sealed = keyring.sealText(wrappedKey, 'x', 'dataset:\uFFFD:v1');
    expect(caught(() => keyring.open(wrappedKey, sealed, 'dataset:\uDC00:v1')).code).toBe(
      'invalid_context',
    );
  });

  it('refuses a flipped bit anywhere in the sealed data (version, IV, ciphertext, tag)', () => {
    const sealed = keyring.seal(wrappedKey, randomBytes(7), context);
    for (let bit = 0; bit < sealed.length * 8; bit += 1) {
      expectDecryptionFailed(() => keyring.open(wrappedKey, flipBit(sealed, bit), context));
    }
  });

  it('refuses a flipped bit anywhere in the wrapped data key', () => {
    const sealed = keyring.seal(wrappedKey, randomBytes(7), context);
    for (let bit = 0; bit < wrappedKey.length * 8; bit += 1) {
      const tampered = flipBit(wrappedKey, bit);
      expectDecryptionFailed(() => keyring.open(tampered, sealed, context));
      expectDecryptionFailed(() => keyring.seal(tampered, randomBytes(3), context));
    }
  });

  it('refuses truncated or extended input', () => {
    const sealed = keyring.seal(wrappedKey, randomBytes(20), context);
    for (let length = 0; length < sealed.length; length += 1) {
      expectDecryptionFailed(() => keyring.open(wrappedKey, sealed.subarray(0, length), context));
      expectDecryptionFailed(() =>
        keyring.open(wrappedKey, sealed.subarray(sealed.length - length), context),
      );
    }
    for (let length = 0; length < wrappedKey.length; length += 1) {
      expectDecryptionFailed(() => keyring.open(wrappedKey.subarray(0, length), sealed, context));
    }
    const longer = Buffer.concat([sealed, Buffer.of(0)]);
    expectDecryptionFailed(() => keyring.open(wrappedKey, longer, context));
    const longerKey = Buffer.concat([wrappedKey, Buffer.of(0)]);
    expectDecryptionFailed(() => keyring.open(longerKey, sealed, context));
  });

  it('refuses data sealed under another data key', () => {
    const sealed = keyring.sealText(wrappedKey, 'hunter2', context);
    expectDecryptionFailed(() => keyring.open(keyring.createDataKey(), sealed, context));
  });

  it('refuses a data key wrapped under another master key', async () => {
    const stranger = await loadKeyring({ masterKeyPath: path.join(folder, 'other', 'master.key') });
    const foreignKey = stranger.createDataKey();
    const sealed = stranger.sealText(foreignKey, 'hunter2', context);
    expect(stranger.openText(foreignKey, sealed, context)).toBe('hunter2');
    expectDecryptionFailed(() => keyring.open(foreignKey, sealed, context));
    expectDecryptionFailed(() => keyring.seal(foreignKey, randomBytes(3), context));
    expectDecryptionFailed(() =>
      stranger.open(wrappedKey, keyring.seal(wrappedKey, randomBytes(3), context), context),
    );
  });

  it('refuses the pieces swapped, and what is not bytes at all', () => {
    const sealed = keyring.seal(wrappedKey, randomBytes(32), context);
    // Same length as a wrapped key, but a payload: the data key's tag does not verify under the master key.
    expect(sealed).toHaveLength(wrappedKey.length);
    expectDecryptionFailed(() => keyring.open(sealed, wrappedKey, context));
    const notBytes = 'AQ==' as unknown as Uint8Array;
    expectDecryptionFailed(() => keyring.open(wrappedKey, notBytes, context));
    expectDecryptionFailed(() => keyring.open(notBytes, sealed, context));
  });

  it('seals and opens 200 MB', () => {
    const plaintext = Buffer.allocUnsafe(200 * 1024 * 1024);
    for (let offset = 0; offset < plaintext.length; offset += 4096)
      plaintext.writeUInt32LE(offset, offset);
    const sealed = keyring.seal(wrappedKey, plaintext, 'dataset:7:v3');
    expect(sealed).toHaveLength(plaintext.length + 29);
    const opened = keyring.open(wrappedKey, sealed, 'dataset:7:v3');
    expect(Buffer.from(opened.buffer, opened.byteOffset, opened.byteLength).equals(plaintext)).toBe(
      true,
    );
  });
});

describe('KeyringError: nothing secret in a message', () => {
  it('names no key material in any refusal', async () => {
    const keyring = await loadKeyring({ masterKeyPath });
    const masterKeyText = (await readFile(masterKeyPath, 'utf8')).trim();
    const masterKeyBytes = Buffer.from(masterKeyText, 'base64');
    const wrappedKey = keyring.createDataKey();
    const sealed = keyring.sealText(wrappedKey, 'hunter2', context);

    const errors: unknown[] = [
      caught(() => keyring.open(wrappedKey, sealed, 'connection:43:secret')),
      caught(() => keyring.open(flipBit(wrappedKey, 200), sealed, context)),
      caught(() => keyring.open(wrappedKey, flipBit(sealed, 200), context)),
      caught(() => keyring.open(wrappedKey, sealed.subarray(0, 20), context)),
      caught(() => keyring.seal(wrappedKey, sealed, '')),
    ];
    if (posix) {
      await chmod(masterKeyPath, 0o644);
      errors.push(await caughtAsync(() => loadKeyring({ masterKeyPath })));
    }
    await writeFile(masterKeyPath, `${masterKeyText}${masterKeyText}`);
    await chmod(masterKeyPath, 0o600);
    errors.push(await caughtAsync(() => loadKeyring({ masterKeyPath })));

    const forbidden = [
      masterKeyText,
      masterKeyText.slice(0, 12),
      masterKeyBytes.toString('hex').slice(0, 16),
      masterKeyBytes.toString('base64url').slice(0, 12),
      Buffer.from(wrappedKey).toString('base64').slice(0, 12),
      Buffer.from(wrappedKey).toString('hex').slice(0, 16),
      Buffer.from(sealed).toString('hex').slice(0, 16),
      'hunter2',
    ];
    for (const error of errors) {
      const said = messagesOf(error) + JSON.stringify(error);
      for (const secret of forbidden) expect(said).not.toContain(secret);
    }
  });
});

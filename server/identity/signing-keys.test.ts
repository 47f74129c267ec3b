import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, importJWK, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SigningKeyError, loadSigningKey } from './signing-keys.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-keys-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function roundTrip(key: Awaited<ReturnType<typeof loadSigningKey>>) {
  const token = await new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .sign(await importJWK(key.privateJwk, key.alg));
  const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, key.alg));
  return payload.sub;
}

describe('loadSigningKey', () => {
  it('generates an ES256 key on first start, privately, and reuses it', async () => {
    const first = await loadSigningKey({ dataDir });
    expect(first).toMatchObject({ alg: 'ES256', origin: 'generated' });
    const file = path.join(dataDir, 'keys', 'signing-key.jwk.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadSigningKey({ dataDir });
    expect(second).toMatchObject({ kid: first.kid, origin: 'data-dir' });
    expect(await roundTrip(second)).toBe('alice');
  });

  it('publishes no private member in the public key', async () => {
    const key = await loadSigningKey({ dataDir });
    expect(key.privateJwk.d).toBeTypeOf('string');
    expect(Object.keys(key.publicJwk).sort()).toEqual([
      'alg',
      'crv',
      'kid',
      'kty',
      'use',
      'x',
      'y',
    ]);
  });

  it('gives concurrent first starts one key', async () => {
    const keys = await Promise.all([loadSigningKey({ dataDir }), loadSigningKey({ dataDir })]);
    expect(keys[0].kid).toBe(keys[1].kid);
  });

  it('reads an EC or RSA key from JWT_PRIVATE_KEY_PATH', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecFile = path.join(dataDir, 'ec.pem');
    await writeFile(ecFile, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const ecKey = await loadSigningKey({ dataDir, privateKeyPath: ecFile });
    expect(ecKey).toMatchObject({ alg: 'ES256', origin: 'file' });
    expect(await roundTrip(ecKey)).toBe('alice');

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaFile = path.join(dataDir, 'rsa.pem');
    await writeFile(rsaFile, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const rsaKey = await loadSigningKey({ dataDir, privateKeyPath: rsaFile });
    expect(rsaKey.alg).toBe('RS256');
    expect(await roundTrip(rsaKey)).toBe('alice');
  });

  it.each([
    ['a weak RSA key', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey],
    ['another curve', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey],
    ['an Ed448 key', () => generateKeyPairSync('ed448').privateKey],
  ])('refuses %s', async (_name, make) => {
    const file = path.join(dataDir, 'bad.pem');
    await writeFile(file, make().export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadSigningKey({ dataDir, privateKeyPath: file })).rejects.toThrow(
      SigningKeyError,
    );
  });

  it('refuses a missing or non-key file, naming the variable', async () => {
    await expect(
      loadSigningKey({ dataDir, privateKeyPath: path.join(dataDir, 'none.pem') }),
    ).rejects.toThrow(/JWT_PRIVATE_KEY_PATH/);
    const junk = path.join(dataDir, 'junk.pem');
    await writeFile(junk, 'not a key');
    await expect(loadSigningKey({ dataDir, privateKeyPath: junk })).rejects.toThrow(
      /JWT_PRIVATE_KEY_PATH/,
    );
  });
});

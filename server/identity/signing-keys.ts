/**
 * The asymmetric key that signs tokens. Read from `JWT_PRIVATE_KEY_PATH` (PEM, EC P-256 → ES256
 * or RSA ≥ 2048 bits → RS256) when set, otherwise generated (ES256) into `DATA_DIR/keys` on first
 * start and reused afterwards. Several instances must share one key: give them the same
 * `JWT_PRIVATE_KEY_PATH`.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export type SigningAlgorithm = 'ES256' | 'RS256';

export interface SigningKey {
  alg: SigningAlgorithm;
  /** Key id: the RFC 7638 thumbprint of the public key. */
  kid: string;
  /** Private JWK with `kid`, `alg` and `use: 'sig'`, as an OpenID provider's JWKS takes it. */
  privateJwk: JWK;
  /** The public half, safe to publish. */
  publicJwk: JWK;
  /** Where the key came from. */
  origin: 'file' | 'generated' | 'data-dir';
}

export interface SigningKeyOptions {
  dataDir: string;
  privateKeyPath?: string | undefined;
}

/** Raised when the configured key cannot be used; the message says why. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

const generatedKeyFile = ['keys', 'signing-key.jwk.json'] as const;
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

function algorithmOf(key: KeyObject): SigningAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) return 'RS256';
  throw new SigningKeyError(
    `JWT_PRIVATE_KEY_PATH must hold an EC P-256 or an RSA (2048 bits or more) private key, not ${key.asymmetricKeyType ?? 'this key'}.`,
  );
}

async function describe(privateJwk: JWK, alg: SigningAlgorithm, origin: SigningKey['origin']) {
  const publicJwk: JWK = { ...privateJwk };
  for (const member of privateMembers) delete publicJwk[member];
  const kid = await calculateJwkThumbprint(publicJwk);
  const stamp = { kid, alg, use: 'sig' };
  return {
    alg,
    kid,
    origin,
    privateJwk: { ...privateJwk, ...stamp },
    publicJwk: { ...publicJwk, ...stamp },
  } satisfies SigningKey;
}

async function fromPemFile(file: string): Promise<SigningKey> {
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(file));
  } catch (cause) {
    throw new SigningKeyError(`JWT_PRIVATE_KEY_PATH (${file}) is not a readable PEM private key.`, {
      cause,
    });
  }
  const alg = algorithmOf(key);
  return describe(key.export({ format: 'jwk' }) as JWK, alg, 'file');
}

async function fromDataDir(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, ...generatedKeyFile);
  try {
    return await describe(JSON.parse(await readFile(file, 'utf8')) as JWK, 'ES256', 'data-dir');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SigningKeyError(`The signing key in ${file} cannot be read.`, { cause: error });
    }
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // `wx`: if another process generated the key a moment ago, use theirs rather than overwrite it.
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fromDataDir(dataDir);
    throw error;
  }
  return describe(jwk, 'ES256', 'generated');
}

/**
 * Loads the token signing key, generating one on first start when none is configured.
 *
 * @example
 * const key = await loadSigningKey({ dataDir: config.dataDir, privateKeyPath: config.jwtPrivateKeyPath });
 * console.log(key.alg, key.kid);
 */
export async function loadSigningKey(options: SigningKeyOptions): Promise<SigningKey> {
  return options.privateKeyPath
    ? fromPemFile(options.privateKeyPath)
    : fromDataDir(options.dataDir);
}

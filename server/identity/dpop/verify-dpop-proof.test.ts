import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type JsonWebKey as NodeJwk,
} from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.ts';
import { storeTargets, type TestStore } from '../../store/testing.ts';
import { createSeenProofs } from './seen-proofs.ts';
import {
  DpopError,
  MAX_PROOF_BYTES,
  verifyDpopProof,
  type DpopFailureReason,
  type SeenProofs,
  type VerifyDpopProofOptions,
} from './verify-dpop-proof.ts';

const URL_ = 'https://enclave.example/api/v1/projects';
const NOW = new Date('2030-01-01T12:00:00Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

interface TestKey {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

async function testKey(alg = 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    alg,
    privateKey,
    publicJwk: await exportJWK(publicKey),
    privateJwk: await exportJWK(privateKey),
  };
}

const ath = (token: string) => base64url.encode(createHash('sha256').update(token).digest());

interface ProofSpec {
  key: TestKey;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Claims to leave out. */
  omit?: string[];
}

/** A proof as a client would make it, with any header member or claim overridden. */
async function proofFor({ key, header = {}, claims = {}, omit = [] }: ProofSpec): Promise<string> {
  const body: Record<string, unknown> = {
    jti: randomUUID(),
    htm: 'GET',
    htu: URL_,
    iat: NOW_SECONDS,
    ...claims,
  };
  for (const name of omit) delete body[name];
  return new SignJWT(body)
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...header })
    .sign(key.privateKey);
}

/** A compact JWS assembled by hand, for what jose refuses to sign. */
function rawProof(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  signer: (input: Buffer) => Buffer = () => Buffer.alloc(0),
): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${base64url.encode(signer(Buffer.from(input)))}`;
}

const baseClaims = () => ({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW_SECONDS });

async function refusal(promise: Promise<unknown>): Promise<DpopError> {
  const error = await promise.then(
    () => undefined,
    (cause: unknown) => cause,
  );
  expect(error).toBeInstanceOf(DpopError);
  const dpopError = error as DpopError;
  expect(dpopError.status).toBe(401);
  expect(dpopError.code).toBe('invalid_dpop_proof');
  return dpopError;
}

async function expectRefused(promise: Promise<unknown>, reason: DpopFailureReason): Promise<void> {
  const error = await refusal(promise);
  expect(error.reason).toBe(reason);
  expect(error.message).not.toBe('');
}

describe.each(storeTargets())('verifyDpopProof on $name', (target) => {
  let store: TestStore;
  let seenProofs: SeenProofs;
  let es256: TestKey;

  beforeAll(async () => {
    store = await target.open();
    seenProofs = createSeenProofs(store);
    es256 = await testKey('ES256');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const verify = (proof: string | undefined, options: Partial<VerifyDpopProofOptions> = {}) =>
    verifyDpopProof({ proof, method: 'GET', url: URL_, now: NOW, seenProofs, ...options });

  describe('accepts', () => {
    it('a valid proof and returns the key thumbprint, the jti and the public key', async () => {
      const jti = randomUUID();
      const result = await verify(await proofFor({ key: es256, claims: { jti } }));
      expect(result.thumbprint).toBe(await calculateJwkThumbprint(es256.publicJwk, 'sha256'));
      expect(result.jti).toBe(jti);
      expect(result.publicKey).toEqual({
        kty: 'EC',
        crv: 'P-256',
        x: es256.publicJwk.x,
        y: es256.publicJwk.y,
      });
    });

    it.each(['ES384', 'EdDSA', 'RS256', 'PS256'])('a valid %s proof', async (alg) => {
      const key = await testKey(alg);
      const result = await verify(await proofFor({ key }));
      expect(result.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    });

    it('a proof bound to the access token and to the expected key', async () => {
      const proof = await proofFor({ key: es256, claims: { ath: ath(TOKEN) } });
      const expectedThumbprint = await calculateJwkThumbprint(es256.publicJwk, 'sha256');
      const result = await verify(proof, { accessToken: TOKEN, expectedThumbprint });
      expect(result.thumbprint).toBe(expectedThumbprint);
    });

    it('an htu that differs only in query and fragment (compared without them)', async () => {
      const proof = await proofFor({ key: es256, claims: { htu: `${URL_}?page=2#top` } });
      await expect(verify(proof, { url: `${URL_}?page=1` })).resolves.toBeDefined();
    });

    it('an htu that differs only in scheme and host case and the default port', async () => {
      const htu = 'HTTPS://Enclave.EXAMPLE:443/api/v1/projects';
      await expect(verify(await proofFor({ key: es256, claims: { htu } }))).resolves.toBeDefined();
    });

    it('an iat at either edge of the window', async () => {
      const oldest = await proofFor({ key: es256, claims: { iat: NOW_SECONDS - 300 } });
      const newest = await proofFor({ key: es256, claims: { iat: NOW_SECONDS + 5 } });
      await expect(verify(oldest)).resolves.toBeDefined();
      await expect(verify(newest)).resolves.toBeDefined();
    });

    it('a proof without ath when no access token is checked', async () => {
      await expect(verify(await proofFor({ key: es256 }))).resolves.toBeDefined();
    });
  });

  describe('refuses the header when it is', () => {
    it('missing or empty', async () => {
      await expectRefused(verify(undefined), 'missing');
      await expectRefused(verify(''), 'missing');
    });

    it('sent twice (joined by a comma), even if both proofs are valid', async () => {
      const [a, b] = [await proofFor({ key: es256 }), await proofFor({ key: es256 })];
      await expectRefused(verify(`${a}, ${b}`), 'multiple');
      await expectRefused(verify(`${a},${b}`), 'multiple');
    });

    it('larger than the limit, before anything is parsed', async () => {
      await expectRefused(verify('a'.repeat(MAX_PROOF_BYTES + 1)), 'too_large');
      const padded = await proofFor({ key: es256, claims: { pad: 'x'.repeat(MAX_PROOF_BYTES) } });
      await expectRefused(verify(padded), 'too_large');
    });

    it.each([
      ['garbage', 'garbage'],
      ['two segments', 'abc.def'],
      ['four segments', 'a.b.c.d'],
      ['an auth scheme prefix', 'DPoP a.b.c'],
      ['whitespace', ' a.b.c'],
      ['padding', 'a=.b.c'],
      ['a non-JSON header', `${base64url.encode('nope')}.e30.c2ln`],
      ['an array header', `${base64url.encode('[]')}.e30.c2ln`],
      ['a non-string value', ['a.b.c'] as unknown as string],
    ])('not a compact JWS: %s', async (_name, proof) => {
      await expectRefused(verify(proof), 'malformed');
    });

    it.each([['JWT'], ['DPoP+JWT'], ['application/dpop+jwt'], [undefined]])(
      'of typ %s',
      async (typ) => {
        await expectRefused(verify(await proofFor({ key: es256, header: { typ } })), 'invalid_typ');
      },
    );

    it('unsigned (alg none)', async () => {
      const proof = rawProof({ typ: 'dpop+jwt', alg: 'none', jwk: es256.publicJwk }, baseClaims());
      await expectRefused(verify(proof), 'unsupported_alg');
    });

    it('MACed with HS256 using the public key as the secret', async () => {
      for (const secret of [
        new TextEncoder().encode(JSON.stringify(es256.publicJwk)),
        base64url.decode(es256.publicJwk.x ?? ''),
      ]) {
        const proof = await new SignJWT(baseClaims())
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: es256.publicJwk })
          .sign(secret);
        await expectRefused(verify(proof), 'unsupported_alg');
      }
    });

    it.each([['ES512'], ['RS512'], ['constructor'], ['__proto__'], [''], [256]])(
      'of an algorithm off the allow-list: %s',
      async (alg) => {
        const proof = rawProof({ typ: 'dpop+jwt', alg, jwk: es256.publicJwk }, baseClaims());
        await expectRefused(verify(proof), 'unsupported_alg');
      },
    );

    it('using JWS extensions (crit, b64)', async () => {
      const privateKey = createPrivateKey({ key: es256.privateJwk as NodeJwk, format: 'jwk' });
      const signer = (input: Buffer) =>
        sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: es256.publicJwk };
      const withCrit = rawProof({ ...header, crit: ['b64'], b64: false }, baseClaims(), signer);
      await expectRefused(verify(withCrit), 'malformed');
    });
  });

  describe('refuses the key when', () => {
    it('the jwk header is missing or not an object', async () => {
      for (const jwk of [undefined, 'key', [es256.publicJwk]]) {
        const proof = rawProof({ typ: 'dpop+jwt', alg: 'ES256', jwk }, baseClaims());
        await expectRefused(verify(proof), 'invalid_jwk');
      }
    });

    it('the jwk carries the private key', async () => {
      const proof = await proofFor({ key: es256, header: { jwk: es256.privateJwk } });
      await expectRefused(verify(proof), 'private_key_in_jwk');
      const rsa = await testKey('RS256');
      // Without `d` but with the primes, which are just as secret.
      const rsaPrimesOnly = Object.fromEntries(
        Object.entries(rsa.privateJwk).filter(([member]) => member !== 'd'),
      );
      const leaky = await proofFor({ key: rsa, header: { jwk: rsaPrimesOnly } });
      await expectRefused(verify(leaky), 'private_key_in_jwk');
    });

    it('the jwk is a symmetric key', async () => {
      const jwk = { kty: 'oct', k: base64url.encode('secret') };
      const proof = rawProof({ typ: 'dpop+jwt', alg: 'ES256', jwk }, baseClaims());
      await expectRefused(verify(proof), 'private_key_in_jwk');
    });

    it('the jwk does not fit the algorithm', async () => {
      const p384 = await testKey('ES384');
      const rsa = await testKey('RS256');
      const claims = baseClaims();
      for (const [alg, jwk] of [
        ['ES256', p384.publicJwk],
        ['RS256', es256.publicJwk],
        ['EdDSA', es256.publicJwk],
        ['ES256', rsa.publicJwk],
      ] as const) {
        await expectRefused(verify(rawProof({ typ: 'dpop+jwt', alg, jwk }, claims)), 'invalid_jwk');
      }
    });

    it('the jwk is not a valid key or limits its use to something else', async () => {
      const broken = { ...es256.publicJwk, x: 'AAAA' };
      await expectRefused(
        verify(await proofFor({ key: es256, header: { jwk: broken } })),
        'invalid_jwk',
      );
      const encryptionKey = { ...es256.publicJwk, use: 'enc' };
      await expectRefused(
        verify(await proofFor({ key: es256, header: { jwk: encryptionKey } })),
        'invalid_jwk',
      );
    });

    it('the RSA key is shorter than 2048 bits', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const jwk = publicKey.export({ format: 'jwk' });
      const proof = rawProof({ typ: 'dpop+jwt', alg: 'RS256', jwk }, baseClaims(), (input) =>
        sign('sha256', input, privateKey),
      );
      await expectRefused(verify(proof), 'invalid_jwk');
    });
  });

  describe('refuses the signature when', () => {
    it('it was made by another key than the embedded jwk', async () => {
      const attacker = await testKey('ES256');
      const proof = await proofFor({ key: attacker, header: { jwk: es256.publicJwk } });
      await expectRefused(verify(proof), 'invalid_signature');
    });

    it('the claims were changed after signing', async () => {
      const [header, , signature] = (await proofFor({ key: es256 })).split('.');
      const forged = base64url.encode(JSON.stringify({ ...baseClaims(), htm: 'DELETE' }));
      await expectRefused(
        verify(`${header}.${forged}.${signature}`, { method: 'DELETE' }),
        'invalid_signature',
      );
    });

    it('the signature is empty or truncated', async () => {
      const proof = await proofFor({ key: es256 });
      const [header, payload, signature = ''] = proof.split('.');
      await expectRefused(verify(`${header}.${payload}.`), 'invalid_signature');
      await expectRefused(
        verify(`${header}.${payload}.${signature.slice(0, 20)}`),
        'invalid_signature',
      );
    });
  });

  describe('refuses the claims when', () => {
    it.each([[undefined], [''], [42], ['a'.repeat(257)], ['with space'], ['nul\u0000byte']])(
      'the jti is %j',
      async (jti) => {
        const proof = await proofFor({
          key: es256,
          claims: { jti },
          omit: jti === undefined ? ['jti'] : [],
        });
        await expectRefused(verify(proof), 'invalid_jti');
      },
    );

    it('htm is another method, another case, or missing', async () => {
      await expectRefused(
        verify(await proofFor({ key: es256, claims: { htm: 'POST' } })),
        'htm_mismatch',
      );
      await expectRefused(
        verify(await proofFor({ key: es256, claims: { htm: 'get' } })),
        'htm_mismatch',
      );
      await expectRefused(verify(await proofFor({ key: es256, omit: ['htm'] })), 'htm_mismatch');
      const proofForGet = await proofFor({ key: es256 });
      await expectRefused(verify(proofForGet, { method: 'DELETE' }), 'htm_mismatch');
    });

    it.each([
      ['another path', 'https://enclave.example/api/v1/projects/other'],
      ['a path prefix', 'https://enclave.example/api/v1'],
      ['a trailing slash', 'https://enclave.example/api/v1/projects/'],
      ['path case', 'https://enclave.example/API/v1/projects'],
      ['another host', 'https://evil.example/api/v1/projects'],
      ['a subdomain', 'https://enclave.example.evil.example/api/v1/projects'],
      ['another port', 'https://enclave.example:8443/api/v1/projects'],
      ['another scheme', 'http://enclave.example/api/v1/projects'],
      ['userinfo hiding another host', 'https://enclave.example@evil.example/api/v1/projects'],
      ['userinfo on the right host', 'https://user:pw@enclave.example/api/v1/projects'],
      ['a relative reference', '/api/v1/projects'],
      ['not a URL', 'not a url'],
      ['a non-http scheme', 'javascript://enclave.example/api/v1/projects'],
      ['not a string', 42],
    ])('htu has %s', async (_name, htu) => {
      await expectRefused(verify(await proofFor({ key: es256, claims: { htu } })), 'htu_mismatch');
    });

    it('htu is missing', async () => {
      await expectRefused(verify(await proofFor({ key: es256, omit: ['htu'] })), 'htu_mismatch');
    });

    it('iat is older than the maximum age', async () => {
      const proof = await proofFor({ key: es256, claims: { iat: NOW_SECONDS - 301 } });
      await expectRefused(verify(proof), 'iat_too_old');
      const shorter = await proofFor({ key: es256, claims: { iat: NOW_SECONDS - 61 } });
      await expectRefused(verify(shorter, { maxAgeSeconds: 60 }), 'iat_too_old');
    });

    it('iat is further in the future than the clock skew', async () => {
      const proof = await proofFor({ key: es256, claims: { iat: NOW_SECONDS + 6 } });
      await expectRefused(verify(proof), 'iat_in_future');
      const farFuture = await proofFor({ key: es256, claims: { iat: NOW_SECONDS + 86_400 } });
      await expectRefused(verify(farFuture), 'iat_in_future');
    });

    it.each([[undefined], ['1893499200'], [null]])('iat is %j', async (iat) => {
      const proof = await proofFor({
        key: es256,
        claims: { iat },
        omit: iat === undefined ? ['iat'] : [],
      });
      await expectRefused(verify(proof), 'invalid_iat');
    });

    it('ath is missing while an access token is presented', async () => {
      await expectRefused(
        verify(await proofFor({ key: es256 }), { accessToken: TOKEN }),
        'ath_missing',
      );
    });

    it('ath is for another token, or not a string', async () => {
      const other = await proofFor({ key: es256, claims: { ath: ath(`${TOKEN}x`) } });
      await expectRefused(verify(other, { accessToken: TOKEN }), 'ath_mismatch');
      const raw = await proofFor({ key: es256, claims: { ath: TOKEN } });
      await expectRefused(verify(raw, { accessToken: TOKEN }), 'ath_mismatch');
      const notString = await proofFor({ key: es256, claims: { ath: 1 } });
      await expectRefused(verify(notString, { accessToken: TOKEN }), 'ath_mismatch');
    });

    it('the key is not the one the token is bound to (cnf.jkt)', async () => {
      const holder = await testKey('ES256');
      const expectedThumbprint = await calculateJwkThumbprint(holder.publicJwk, 'sha256');
      // The thief has the token (so ath matches) but signs with their own key.
      const proof = await proofFor({ key: es256, claims: { ath: ath(TOKEN) } });
      await expectRefused(
        verify(proof, { accessToken: TOKEN, expectedThumbprint }),
        'thumbprint_mismatch',
      );
    });
  });

  describe('replay', () => {
    it('refuses the same proof twice', async () => {
      const proof = await proofFor({ key: es256 });
      await verify(proof);
      await expectRefused(verify(proof), 'replayed');
    });

    it('refuses a fresh proof that reuses a jti with the same key', async () => {
      const jti = randomUUID();
      await verify(await proofFor({ key: es256, claims: { jti } }));
      await expectRefused(
        verify(await proofFor({ key: es256, claims: { jti, iat: NOW_SECONDS - 1 } })),
        'replayed',
      );
    });

    it('scopes jti by key: another key may use the same jti', async () => {
      const jti = randomUUID();
      await verify(await proofFor({ key: es256, claims: { jti } }));
      const other = await testKey('ES256');
      await expect(verify(await proofFor({ key: other, claims: { jti } }))).resolves.toBeDefined();
    });

    it('does not burn the jti of a proof that fails another check', async () => {
      const jti = randomUUID();
      const proof = await proofFor({ key: es256, claims: { jti } });
      await expectRefused(verify(proof, { method: 'POST' }), 'htm_mismatch');
      await expect(verify(proof)).resolves.toBeDefined();
    });

    it('remembers the jti until iat + max age + skew', async () => {
      const jti = randomUUID();
      const iat = NOW_SECONDS - 10;
      const { thumbprint } = await verify(await proofFor({ key: es256, claims: { jti, iat } }));
      const [row] = await store.rows<{ expires_at: Date | string }>(
        sql`select expires_at from dpop_seen_proofs where key = ${`${thumbprint}:${jti}`}`,
      );
      expect(new Date(row?.expires_at ?? 0).getTime()).toBe((iat + 300 + 5) * 1000);
    });

    it('lets exactly one of many concurrent uses of one proof through', async () => {
      const proof = await proofFor({ key: es256 });
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => verify(proof)));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected')
          expect((result.reason as DpopError).reason).toBe('replayed');
      }
    });

    it.runIf(target.name === 'postgres')(
      'refuses a replay at a second server instance on the same database',
      async () => {
        const second = await openStore({ databaseUrl: store.databaseUrl });
        try {
          const secondSeen = createSeenProofs(second);
          const proof = await proofFor({ key: es256 });
          await verify(proof);
          await expectRefused(verify(proof, { seenProofs: secondSeen }), 'replayed');

          const raced = await proofFor({ key: es256 });
          const results = await Promise.allSettled(
            Array.from({ length: 10 }, (_, i) =>
              verify(raced, { seenProofs: i % 2 === 0 ? seenProofs : secondSeen }),
            ),
          );
          expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        } finally {
          await second.close();
        }
      },
    );
  });
});

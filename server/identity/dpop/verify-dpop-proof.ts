/**
 * The DPoP proof verifier's pure core (RFC 9449 §4.3): given the `DPoP` header, the request as
 * the server sees it and, for a bound token, the token and its `cnf.jkt`, it decides whether the
 * proof is acceptable. No Hono and no database here: the replay store comes in as an interface,
 * so every guard can be tested on its own and the same code serves any transport.
 *
 * A proof is accepted only if every check passes; each failure is a `DpopError` (401) whose
 * `reason` names the check, so the API can answer with `WWW-Authenticate: DPoP
 * error="invalid_dpop_proof"` and the logs can tell the failures apart. The checks run cheapest
 * and most hostile-input-facing first (size, shape, header) and the replay store last, so a
 * forged or malformed proof never writes a row.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { base64url, calculateJwkThumbprint, compactVerify, EmbeddedJWK, errors } from 'jose';
import type { JWK } from 'jose';
import { ApiError } from '../../errors/index.ts';

/** Why a proof was refused; stable, for logs, metrics and tests. */
export type DpopFailureReason =
  | 'missing'
  | 'multiple'
  | 'too_large'
  | 'malformed'
  | 'invalid_typ'
  | 'unsupported_alg'
  | 'invalid_jwk'
  | 'private_key_in_jwk'
  | 'invalid_signature'
  | 'invalid_jti'
  | 'htm_mismatch'
  | 'htu_mismatch'
  | 'invalid_iat'
  | 'iat_too_old'
  | 'iat_in_future'
  | 'ath_missing'
  | 'ath_mismatch'
  | 'thumbprint_mismatch'
  | 'replayed';

/**
 * A refused DPoP proof: 401 with the code `invalid_dpop_proof` (the RFC 9449 error code).
 *
 * @example
 * throw new DpopError('htm_mismatch', 'The DPoP proof is for another HTTP method.');
 */
export class DpopError extends ApiError {
  override readonly name: string = 'DpopError';
  constructor(
    readonly reason: DpopFailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(401, 'invalid_dpop_proof', message, options);
  }
}

/**
 * Remembers proof ids until they can no longer be accepted anyway. `firstUse` must be atomic
 * across every server instance: of any number of concurrent calls with one key, exactly one
 * resolves `true`.
 *
 * @example
 * if (!(await seenProofs.firstUse(`${thumbprint}:${jti}`, expiresAt))) throw replayed();
 */
export interface SeenProofs {
  firstUse(key: string, expiresAt: Date): Promise<boolean>;
}

export interface VerifyDpopProofOptions {
  /** The `DPoP` request header as received; a comma-joined value means several headers. */
  proof: string | undefined;
  /** The request method, as the server received it (e.g. `GET`). */
  method: string;
  /** The full request URL as the server sees it, built on `PUBLIC_URL`, not on `Host`. */
  url: string;
  /** The DPoP-bound access token of the request; when given, the proof must carry its `ath`. */
  accessToken?: string | undefined;
  /** The token's `cnf.jkt`; when given, the proof key's RFC 7638 thumbprint must equal it. */
  expectedThumbprint?: string | undefined;
  now?: Date | undefined;
  /** How old a proof may be, by its `iat`; default 300 seconds. */
  maxAgeSeconds?: number | undefined;
  /** How far in the future a proof's `iat` may be, for clocks running ahead; default 5 seconds. */
  clockSkewSeconds?: number | undefined;
  seenProofs: SeenProofs;
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof key, base64url; compare with `cnf.jkt`. */
  thumbprint: string;
  jti: string;
  /** The proof key's public members only. */
  publicKey: JWK;
}

/** Larger headers are refused before any parsing; real proofs are well under 2 KiB. */
export const MAX_PROOF_BYTES = 8 * 1024;
export const MAX_JTI_LENGTH = 256;
export const DEFAULT_MAX_AGE_SECONDS = 300;
export const DEFAULT_CLOCK_SKEW_SECONDS = 5;

/** Asymmetric algorithms only, each with the one key type (and curve) it may use. */
const keyTypeByAlgorithm: ReadonlyMap<string, { kty: string; crv?: string }> = new Map([
  ['ES256', { kty: 'EC', crv: 'P-256' }],
  ['ES384', { kty: 'EC', crv: 'P-384' }],
  ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }],
  ['RS256', { kty: 'RSA' }],
  ['PS256', { kty: 'RSA' }],
]);
export const ALLOWED_DPOP_ALGORITHMS: readonly string[] = [...keyTypeByAlgorithm.keys()];

/** Members that only a private or symmetric key has; a proof key carrying one is a leak. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
/** The members a public key needs; everything else is dropped from the returned key. */
const PUBLIC_JWK_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/** Three base64url segments; the signature may be empty so that `alg: none` is named as such. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Visible ASCII: keeps replay keys printable and free of bytes PostgreSQL text refuses. */
const JTI_PATTERN = /^[\x21-\x7e]+$/;

/**
 * Verifies a DPoP proof for one request and records its `jti`; resolves with the proof key's
 * thumbprint or rejects with a `DpopError` naming the failed check.
 *
 * @example
 * const { thumbprint } = await verifyDpopProof({
 *   proof: c.req.header('dpop'),
 *   method: c.req.method,
 *   url: new URL(c.req.path, publicUrl).href,
 *   accessToken,
 *   expectedThumbprint: claims.cnf.jkt,
 *   seenProofs,
 * });
 */
export async function verifyDpopProof(options: VerifyDpopProofOptions): Promise<VerifiedDpopProof> {
  const now = options.now ?? new Date();
  const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  // The server's own URL must parse; if it does not, that is a bug here, not a bad proof.
  const requestUrl = new URL(options.url);

  const proof = checkShape(options.proof);
  const header = parseHeader(proof);
  const { alg, jwk } = checkHeader(header);
  const payload = await verifySignature(proof, alg);

  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length > MAX_JTI_LENGTH || !JTI_PATTERN.test(jti)) {
    throw new DpopError(
      'invalid_jti',
      `The DPoP proof needs a "jti" of 1 to ${MAX_JTI_LENGTH} visible ASCII characters.`,
    );
  }
  // HTTP methods are case-sensitive (RFC 9110 §9.1): `get` is not `GET`.
  if (payload.htm !== options.method) {
    throw new DpopError('htm_mismatch', 'The DPoP proof "htm" is not the method of this request.');
  }
  if (!sameTargetUri(payload.htu, requestUrl)) {
    throw new DpopError('htu_mismatch', 'The DPoP proof "htu" is not the URL of this request.');
  }

  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new DpopError('invalid_iat', 'The DPoP proof needs a numeric "iat".');
  }
  const nowSeconds = now.getTime() / 1000;
  if (iat < nowSeconds - maxAge) {
    throw new DpopError('iat_too_old', `The DPoP proof is older than ${maxAge} seconds.`);
  }
  if (iat > nowSeconds + skew) {
    throw new DpopError('iat_in_future', 'The DPoP proof "iat" is in the future.');
  }

  if (options.accessToken !== undefined) checkAth(payload.ath, options.accessToken);

  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  if (options.expectedThumbprint !== undefined && thumbprint !== options.expectedThumbprint) {
    throw new DpopError(
      'thumbprint_mismatch',
      'The DPoP proof is signed with another key than the one the access token is bound to.',
    );
  }

  // Remembered a little beyond the last moment any instance would still accept the proof.
  const expiresAt = new Date((iat + maxAge + skew) * 1000);
  // Scoped by key: one client cannot burn another's jti, and the key is what the proof proves.
  if (!(await options.seenProofs.firstUse(`${thumbprint}:${jti}`, expiresAt))) {
    throw new DpopError('replayed', 'The DPoP proof was already used.');
  }

  return { thumbprint, jti, publicKey: publicMembers(jwk) };
}

function checkShape(proof: unknown): string {
  if (proof === undefined || proof === '') {
    throw new DpopError('missing', 'The request needs a DPoP proof header.');
  }
  if (typeof proof !== 'string') {
    throw new DpopError('malformed', 'The DPoP proof is not a compact JWS.');
  }
  // Checked on the raw length first so a huge header costs nothing more than this.
  if (proof.length > MAX_PROOF_BYTES) {
    throw new DpopError('too_large', `The DPoP proof exceeds ${MAX_PROOF_BYTES} bytes.`);
  }
  // Repeated headers arrive joined by commas, and a compact JWS never contains one.
  if (proof.includes(',')) {
    throw new DpopError('multiple', 'The request must carry exactly one DPoP proof header.');
  }
  if (!COMPACT_JWS.test(proof)) {
    throw new DpopError('malformed', 'The DPoP proof is not a compact JWS.');
  }
  return proof;
}

function parseHeader(proof: string): Record<string, unknown> {
  const encoded = proof.slice(0, proof.indexOf('.'));
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(encoded)),
    );
  } catch (cause) {
    throw new DpopError('malformed', 'The DPoP proof header is not valid JSON.', { cause });
  }
  if (!isObject(header)) {
    throw new DpopError('malformed', 'The DPoP proof header is not a JSON object.');
  }
  return header;
}

function checkHeader(header: Record<string, unknown>): { alg: string; jwk: JWK } {
  if (header.typ !== 'dpop+jwt') {
    throw new DpopError('invalid_typ', 'The DPoP proof "typ" must be "dpop+jwt".');
  }
  const alg = header.alg;
  // A Map, not an object: `alg: "constructor"` must not find anything.
  const expectedKey = typeof alg === 'string' ? keyTypeByAlgorithm.get(alg) : undefined;
  if (typeof alg !== 'string' || !expectedKey) {
    throw new DpopError(
      'unsupported_alg',
      `The DPoP proof "alg" must be one of ${ALLOWED_DPOP_ALGORITHMS.join(', ')}.`,
    );
  }
  // Extensions (`crit`, unencoded payloads) have no place in a proof; refusing them keeps the
  // signed bytes and the claims we read the same bytes.
  if (header.crit !== undefined || header.b64 !== undefined) {
    throw new DpopError('malformed', 'The DPoP proof header uses unsupported extensions.');
  }
  const jwk = header.jwk;
  if (!isObject(jwk)) {
    throw new DpopError('invalid_jwk', 'The DPoP proof header needs a "jwk" public key.');
  }
  if (PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    throw new DpopError(
      'private_key_in_jwk',
      'The DPoP proof "jwk" contains private key material; send the public key only.',
    );
  }
  if (jwk.kty !== expectedKey.kty || (expectedKey.crv && jwk.crv !== expectedKey.crv)) {
    throw new DpopError('invalid_jwk', `The DPoP proof "jwk" is not a key for "${alg}".`);
  }
  return { alg, jwk: jwk as JWK };
}

async function verifySignature(proof: string, alg: string): Promise<Record<string, unknown>> {
  let payloadBytes: Uint8Array;
  try {
    // EmbeddedJWK imports the header's key (public only) and jose checks the algorithm again.
    ({ payload: payloadBytes } = await compactVerify(proof, EmbeddedJWK, { algorithms: [alg] }));
  } catch (cause) {
    if (cause instanceof errors.JWSSignatureVerificationFailed) {
      throw new DpopError('invalid_signature', 'The DPoP proof signature is not valid.', { cause });
    }
    throw new DpopError('invalid_jwk', 'The DPoP proof "jwk" is not a usable public key.', {
      cause,
    });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch (cause) {
    throw new DpopError('malformed', 'The DPoP proof claims are not valid JSON.', { cause });
  }
  if (!isObject(payload)) {
    throw new DpopError('malformed', 'The DPoP proof claims are not a JSON object.');
  }
  return payload;
}

/**
 * RFC 9449 §4.3 point 9: the target URI without query and fragment, compared after WHATWG
 * normalisation (scheme and host case, default port, dot segments). Userinfo is refused
 * outright: HTTP URIs must not carry it (RFC 9110 §4.2.4) and it only serves to mislead.
 */
function sameTargetUri(htu: unknown, requestUrl: URL): boolean {
  if (typeof htu !== 'string' || !URL.canParse(htu)) return false;
  const claimed = new URL(htu);
  if (claimed.protocol !== 'https:' && claimed.protocol !== 'http:') return false;
  if (claimed.username !== '' || claimed.password !== '') return false;
  return (
    claimed.protocol === requestUrl.protocol &&
    claimed.host === requestUrl.host &&
    claimed.pathname === requestUrl.pathname
  );
}

function checkAth(ath: unknown, accessToken: string): void {
  if (ath === undefined) {
    throw new DpopError('ath_missing', 'The DPoP proof needs the "ath" of the access token.');
  }
  const expected = Buffer.from(base64url.encode(createHash('sha256').update(accessToken).digest()));
  const given = Buffer.from(typeof ath === 'string' ? ath : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DpopError('ath_mismatch', 'The DPoP proof "ath" is not for this access token.');
  }
}

function publicMembers(jwk: JWK): JWK {
  const result: Record<string, unknown> = {};
  for (const member of PUBLIC_JWK_MEMBERS) {
    if (jwk[member] !== undefined) result[member] = jwk[member];
  }
  return result as JWK;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

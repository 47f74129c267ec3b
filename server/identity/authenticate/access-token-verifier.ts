/**
 * Verifies the API's access tokens: JWTs signed by the trusted issuer (the built-in provider's key,
 * or an external issuer's JWKS, fetched through discovery, cached, and fetched again when a token
 * names a key id it has not seen, so rotated keys are picked up), for our audience, unexpired.
 * Asymmetric algorithms only: a token "signed" with HS256 over the public key, or with `none`,
 * never verifies. No HTTP framework here; the middleware turns failures into 401s.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/** Algorithms an external issuer may sign with; never HMAC, never `none`. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** How long a failed discovery is remembered before the issuer is asked again. */
const DISCOVERY_RETRY_MS = 5_000;

/** Seconds of clock difference between the issuer and us that are forgiven. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Why a token was refused; stable, for logs and tests. */
export type InvalidTokenReason =
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_signature'
  | 'unknown_key'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_type'
  | 'missing_claim'
  | 'issuer_unreachable';

/** A refused access token; the message is safe to show the caller. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The claims the API relies on, checked present. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  exp: number;
  cnf?: { jkt?: string };
  client_id?: string;
  /** The built-in provider's grant id, so a revoked grant stops its tokens at once. */
  gid?: string;
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessTokenClaims>;
}

interface VerifierBase {
  issuer: string;
  audience: string;
  /** Refuse tokens whose header `typ` is not this (RFC 9068 `at+jwt`); unset accepts any. */
  requiredType?: string | undefined;
  algorithms: readonly string[];
  now?: (() => Date) | undefined;
}

export type AccessTokenVerifierOptions = VerifierBase &
  (
    | { keys: readonly JWK[] }
    | {
        /** Where the issuer's discovery document is; its `jwks_uri` is read from it. */
        discoveryUrl: string;
        /** Minimum time between two JWKS fetches (jose's cooldown); default 30 s. */
        jwksCooldownMs?: number | undefined;
        fetchTimeoutMs?: number | undefined;
      }
  );

function keyResolver(options: AccessTokenVerifierOptions): JWTVerifyGetKey {
  if ('keys' in options) return createLocalJWKSet({ keys: [...options.keys] });
  let remote: Promise<JWTVerifyGetKey> | undefined;
  const timeout = options.fetchTimeoutMs ?? 5_000;
  const load = async (): Promise<JWTVerifyGetKey> => {
    const response = await fetch(options.discoveryUrl, {
      signal: AbortSignal.timeout(timeout),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== options.issuer) {
      throw new Error(`discovery names the issuer ${String(document.issuer)}`);
    }
    if (typeof document.jwks_uri !== 'string' || !/^https?:\/\//.test(document.jwks_uri)) {
      throw new Error('discovery has no usable jwks_uri');
    }
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      timeoutDuration: timeout,
    });
  };
  return async (header, token) => {
    // Kept once it worked. A failure is kept for a few seconds, so that while the issuer is
    // down requests fail fast instead of each waiting for its own discovery timeout.
    remote ??= load().catch((error: unknown) => {
      setTimeout(() => (remote = undefined), DISCOVERY_RETRY_MS).unref();
      throw error;
    });
    let resolve: JWTVerifyGetKey;
    try {
      resolve = await remote;
    } catch (cause) {
      throw new InvalidTokenError(
        'issuer_unreachable',
        'The sign-in service that issued the token cannot be reached to check it; try again shortly.',
        { cause },
      );
    }
    return resolve(header, token);
  };
}

function refusal(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error;
  if (error instanceof errors.JWTExpired) {
    return new InvalidTokenError('expired', 'The access token has expired.', { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reasons: Record<string, [InvalidTokenReason, string]> = {
      iss: ['wrong_issuer', 'The access token is from another issuer.'],
      aud: ['wrong_audience', 'The access token is not meant for this API.'],
      nbf: ['not_yet_valid', 'The access token is not valid yet.'],
      iat: ['not_yet_valid', 'The access token is not valid yet.'],
    };
    const [reason, message] = reasons[error.claim] ?? [
      'missing_claim',
      `The access token lacks a valid "${error.claim}" claim.`,
    ];
    return new InvalidTokenError(reason, message, { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new InvalidTokenError('invalid_signature', 'The access token signature is not valid.', {
      cause: error,
    });
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new InvalidTokenError('unknown_key', 'The access token is signed with an unknown key.', {
      cause: error,
    });
  }
  // jose throws its plain JOSEError (code ERR_JOSE_GENERIC) only when the JWKS answered other
  // than 200 or not JSON: the issuer is failing, not the token; every token fault is a subclass.
  const jwksFetchFailed = error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC';
  if (
    error instanceof errors.JWKSTimeout ||
    jwksFetchFailed ||
    !(error instanceof errors.JOSEError)
  ) {
    return new InvalidTokenError(
      'issuer_unreachable',
      'The keys of the sign-in service could not be fetched to check the token; try again shortly.',
      { cause: error },
    );
  }
  return new InvalidTokenError('malformed', 'The access token is not a valid signed JWT.', {
    cause: error,
  });
}

/**
 * Builds a verifier for one issuer and audience.
 *
 * @example
 * const verifier = createAccessTokenVerifier({
 *   issuer: 'http://127.0.0.1:8080/oidc', audience: 'http://127.0.0.1:8080/api',
 *   algorithms: ['ES256'], requiredType: 'at+jwt', keys: [signingKey.publicJwk],
 * });
 * const claims = await verifier.verify(token);
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const keys = keyResolver(options);
  const allowed = options.algorithms.filter((alg) =>
    (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg),
  );
  return {
    async verify(token) {
      let payload: JWTPayload;
      let typ: string | undefined;
      try {
        ({
          payload,
          protectedHeader: { typ },
        } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: allowed,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'sub'],
          ...(options.now ? { currentDate: options.now() } : {}),
        }));
      } catch (error) {
        throw refusal(error);
      }
      if (options.requiredType && typ?.toLowerCase() !== options.requiredType) {
        throw new InvalidTokenError('wrong_type', 'The token is not an access token.');
      }
      if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255) {
        throw new InvalidTokenError('missing_claim', 'The access token lacks a valid subject.');
      }
      const cnf = payload.cnf as unknown;
      if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null)) {
        throw new InvalidTokenError('missing_claim', 'The access token "cnf" claim is malformed.');
      }
      return payload as AccessTokenClaims;
    },
  };
}

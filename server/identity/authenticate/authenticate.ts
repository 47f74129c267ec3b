/**
 * The API's door: every request to `/api/v1/*` that is not on the explicit public list must carry
 * an access token from the trusted issuer and, for a DPoP-bound token, a fresh proof of the key it
 * is bound to, for this method and URL. Only then is the caller's principal loaded and the route
 * run; every refusal is a 401 with a `WWW-Authenticate` challenge (RFC 6750, RFC 9449 §7.1).
 *
 * The order of the checks is cheapest first, and nothing is written to the database before the
 * token's signature has been verified (the DPoP replay store is written last, by the verifier).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../../errors/index.ts';
import {
  ALLOWED_DPOP_ALGORITHMS,
  DpopError,
  verifyDpopProof,
  type SeenProofs,
} from '../dpop/index.ts';
import {
  InvalidTokenError,
  type AccessTokenClaims,
  type AccessTokenVerifier,
} from './access-token-verifier.ts';
import type { Principal } from './principal.ts';

/** The challenge parameters of a refusal. */
type Challenge =
  | { error?: undefined }
  | { error: 'invalid_token' | 'invalid_dpop_proof' | 'invalid_request'; description: string };

/**
 * A refused request: 401, with `WWW-Authenticate` naming the schemes the API accepts and, when
 * a credential was sent, what was wrong with it.
 *
 * @example
 * throw new UnauthenticatedError('invalid_token', 'The access token has expired.', { allowBearer: false });
 */
export class UnauthenticatedError extends ApiError {
  override readonly name = 'UnauthenticatedError';
  constructor(
    code: 'unauthenticated' | 'invalid_token' | 'invalid_dpop_proof',
    message: string,
    options: { allowBearer: boolean; cause?: unknown },
  ) {
    const challenge: Challenge =
      code === 'unauthenticated' ? {} : { error: code, description: message };
    super(401, code, message, {
      cause: options.cause,
      headers: { 'WWW-Authenticate': challengeHeader(challenge, options.allowBearer) },
    });
  }
}

/** Quoted-string values may not hold `"` or `\`; descriptions are ours and plain anyway. */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, "'")}"`;
}

function challengeHeader(challenge: Challenge, allowBearer: boolean): string {
  const error = challenge.error
    ? `, error=${quoted(challenge.error)}, error_description=${quoted(challenge.description)}`
    : '';
  const dpop = `DPoP algs=${quoted(ALLOWED_DPOP_ALGORITHMS.join(' '))}${error}`;
  return allowBearer
    ? `${dpop}, Bearer realm="enclave"${challenge.error === 'invalid_token' ? error : ''}`
    : dpop;
}

/** Who is calling, as the request's token and the database say. */
export interface RequestContext {
  ip: string;
  requestId: string;
}

export interface AuthenticateOptions {
  /** `PUBLIC_URL`: the request URL a proof must name is built on it, never on `Host`. */
  publicUrl: string;
  verifier: AccessTokenVerifier;
  seenProofs: SeenProofs;
  /** Unbound (`Bearer`) tokens are accepted only when this is false (external issuers that cannot bind). */
  requireDpop: boolean;
  /** Loads the principal for verified claims; null when the account or session is gone. */
  resolvePrincipal: (
    claims: AccessTokenClaims,
    request: RequestContext,
  ) => Promise<Principal | null>;
  /** Requests that need no token (checked on method and full path). */
  isPublic: (method: string, path: string) => boolean;
  clientAddress: (c: Context) => string;
}

/** Longest Authorization header read; real ones are one or two kilobytes. */
const MAX_AUTHORIZATION_LENGTH = 8 * 1024;
const AUTHORIZATION = /^(DPoP|Bearer) ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The authentication middleware; on success `c.var.principal` holds the caller.
 *
 * @example
 * api.use('*', authenticate({ publicUrl, verifier, seenProofs, requireDpop: true, resolvePrincipal, isPublic, clientAddress }));
 * api.get('/me', (c) => c.json(c.var.principal));
 */
export function authenticate(
  options: AuthenticateOptions,
): MiddlewareHandler<{ Variables: { principal: Principal; requestId: string } }> {
  const allowBearer = !options.requireDpop;
  const refuse = (
    code: 'unauthenticated' | 'invalid_token' | 'invalid_dpop_proof',
    message: string,
    cause?: unknown,
  ) => new UnauthenticatedError(code, message, { allowBearer, cause });

  return async (c, next) => {
    if (options.isPublic(c.req.method, c.req.path)) return next();

    const authorization = c.req.header('authorization');
    if (!authorization) {
      throw refuse('unauthenticated', 'Sign in first: this request needs an access token.');
    }
    const match =
      authorization.length <= MAX_AUTHORIZATION_LENGTH ? AUTHORIZATION.exec(authorization) : null;
    if (!match) {
      throw refuse('invalid_token', 'The Authorization header is not "DPoP <token>".');
    }
    const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = match[2]!;

    let claims: AccessTokenClaims;
    try {
      claims = await options.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        if (error.reason === 'issuer_unreachable') {
          throw new ApiError(503, 'issuer_unavailable', error.message, { cause: error });
        }
        throw refuse('invalid_token', error.message, error);
      }
      throw error;
    }

    const boundTo = claims.cnf?.jkt;
    if (boundTo !== undefined) {
      if (scheme !== 'DPoP' || typeof boundTo !== 'string') {
        throw refuse(
          'invalid_token',
          'This access token is DPoP-bound; send it as "DPoP <token>".',
        );
      }
      try {
        await verifyDpopProof({
          proof: c.req.header('dpop'),
          method: c.req.method,
          url: `${options.publicUrl}${c.req.path}`,
          accessToken: token,
          expectedThumbprint: boundTo,
          seenProofs: options.seenProofs,
        });
      } catch (error) {
        if (error instanceof DpopError) throw refuse('invalid_dpop_proof', error.message, error);
        throw error;
      }
    } else if (options.requireDpop) {
      throw refuse('invalid_token', 'This access token is not DPoP-bound; sign in again.');
    } else if (scheme !== 'Bearer') {
      throw refuse('invalid_token', 'This access token is not DPoP-bound; send it as "Bearer".');
    }

    const principal = await options.resolvePrincipal(claims, {
      ip: options.clientAddress(c),
      requestId: c.var.requestId,
    });
    if (!principal) {
      throw refuse(
        'invalid_token',
        'The session of this token has ended or its account is disabled; sign in again.',
      );
    }
    c.set('principal', principal);
    await next();
  };
}

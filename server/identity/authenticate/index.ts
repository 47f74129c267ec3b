/**
 * Authentication of API requests: the access token verifier (built-in key or an external
 * issuer's JWKS), the middleware that demands a token and its DPoP proof on every non-public
 * request, and the principal it loads. Other folders import this only through `../index.ts`.
 */
export {
  ASYMMETRIC_ALGORITHMS,
  CLOCK_TOLERANCE_SECONDS,
  InvalidTokenError,
  createAccessTokenVerifier,
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type InvalidTokenReason,
} from './access-token-verifier.ts';
export {
  UnauthenticatedError,
  authenticate,
  type AuthenticateOptions,
  type RequestContext,
} from './authenticate.ts';
export {
  builtInPrincipalResolver,
  externalPrincipalResolver,
  groupsFromClaim,
  loadPrincipal,
  SESSION_ID_PATTERN,
  sessionIdFrom,
  type Principal,
  type TokenFields,
} from './principal.ts';

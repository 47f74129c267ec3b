/**
 * Identity, assembled for the server: which issuer is trusted (the built-in provider, or an
 * external one when `OIDC_ISSUER_URL` is set), the routes the built-in provider needs, and the
 * middleware that authenticates every API request against that issuer.
 */
import type { Context } from 'hono';
import type { AuditTrail } from '../audit/index.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import { securityHeaderValues } from '../security-headers/index.ts';
import type { Store } from '../store/index.ts';
import {
  ASYMMETRIC_ALGORITHMS,
  authenticate,
  builtInPrincipalResolver,
  createAccessTokenVerifier,
  externalPrincipalResolver,
} from './authenticate/index.ts';
import { createSeenProofs } from './dpop/index.ts';
import type { LdapSettings } from './ldap/index.ts';
import { createLoginThrottle } from './login-throttle/index.ts';
import { createPasswordSignIn } from './password-sign-in.ts';
import { createBuiltInProvider, providerRoutes } from './provider/index.ts';
import type { SigningKey } from './signing-keys.ts';

/** API paths anyone may call without a token: what a browser needs before it can sign in. */
export const PUBLIC_API_PATHS: readonly string[] = ['/api/v1/config', '/api/v1/openapi.json'];

export interface IdentityOptions {
  config: Config;
  store: Store;
  audit: AuditTrail;
  logger: Logger;
  signingKey: SigningKey;
  ldap?: LdapSettings | undefined;
  /** The client address of a request (proxies accounted for). */
  clientAddress: (c: Context) => string;
  /**
   * Tests only: the least time between two fetches of an external issuer's JWKS. Production
   * leaves it unset (jose's 30 s, which keeps a flood of unknown key ids from hammering the
   * issuer); a test of key rotation shortens it rather than sleeping for half a minute.
   */
  jwksCooldownMs?: number | undefined;
}

/** What the SPA needs to sign in, published in `/api/v1/config`. */
export interface PublicAuthConfig {
  issuer: string;
  clientId: string;
  scope: string;
}

/**
 * Builds identity for the configured issuer.
 *
 * @example
 * const identity = createIdentity({ config, store, audit, logger, signingKey, ldap, clientAddress });
 * app.route('/', identity.routes);
 * api.use('*', identity.authenticate);
 */
export function createIdentity(options: IdentityOptions) {
  const { config, store, audit, logger, signingKey } = options;
  const seenProofs = createSeenProofs(store);
  const publicAuth: PublicAuthConfig = {
    issuer: config.oidcIssuer,
    clientId: config.oidcClientId,
    scope: config.oidcScope,
  };
  const isPublic = (method: string, path: string) =>
    (method === 'GET' || method === 'HEAD') && PUBLIC_API_PATHS.includes(path);

  const external = config.externalIssuer;
  if (external) {
    const discoveryUrl = `${external.url.replace(/\/$/, '')}/.well-known/openid-configuration`;
    return {
      publicAuth,
      routes: undefined,
      authenticate: authenticate({
        publicUrl: config.publicUrl,
        verifier: createAccessTokenVerifier({
          issuer: external.url,
          audience: config.apiAudience,
          algorithms: ASYMMETRIC_ALGORITHMS,
          discoveryUrl,
          jwksCooldownMs: options.jwksCooldownMs,
        }),
        seenProofs,
        requireDpop: external.requireDpop,
        resolvePrincipal: externalPrincipalResolver({ db: store.db, audit, issuer: external }),
        isPublic,
        clientAddress: options.clientAddress,
      }),
    };
  }

  const provider = createBuiltInProvider({
    publicUrl: config.publicUrl,
    clientId: config.oidcClientId,
    apiAudience: config.apiAudience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    signingKey,
    db: store.db,
    audit,
    logger,
  });
  const passwordSignIn = createPasswordSignIn({
    db: store.db,
    audit,
    throttle: createLoginThrottle({ db: store.db }),
    ldap: options.ldap,
  });
  const headerOptions = { oidcIssuer: config.oidcIssuer, tls: Boolean(config.tls) };
  return {
    publicAuth,
    routes: providerRoutes({
      provider,
      passwordSignIn,
      publicUrl: config.publicUrl,
      clientAddress: options.clientAddress,
      responseHeaders: securityHeaderValues(headerOptions),
      directoryHint: options.ldap
        ? 'Use your directory (LDAP) password, unless you were given an Enclave account.'
        : undefined,
    }),
    authenticate: authenticate({
      publicUrl: config.publicUrl,
      verifier: createAccessTokenVerifier({
        issuer: provider.issuer,
        audience: config.apiAudience,
        algorithms: [signingKey.alg],
        requiredType: 'at+jwt',
        keys: [signingKey.publicJwk],
      }),
      seenProofs,
      requireDpop: true,
      resolvePrincipal: builtInPrincipalResolver({ db: store.db }),
      isPublic,
      clientAddress: options.clientAddress,
    }),
  };
}

export type Identity = ReturnType<typeof createIdentity>;

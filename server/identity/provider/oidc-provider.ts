/**
 * The built-in OpenID Connect provider: panva's certified `oidc-provider`, configured for one
 * first-party public client (the SPA) and mounted under `/oidc` in our own server. This is the
 * only module that imports the library; the rest of Enclave sees `BuiltInProvider`.
 *
 * What the configuration decides, and why:
 * - Authorization code + PKCE S256 only; no implicit, no device flow, no dynamic registration.
 * - Access tokens are JWTs for the API audience (`${PUBLIC_URL}/api`) even when the client sends
 *   no `resource`, DPoP-bound (the client is registered with `dpop_bound_access_tokens`), signed
 *   with our key, and carry `gid` (the grant) so the API can refuse them the moment the grant is
 *   revoked: at sign-out, at revocation, or when a rotated refresh token is reused. They also
 *   carry `sid`, the sign-in session, the same across refreshes, which every audit event of the
 *   request records.
 * - Refresh tokens are issued without `offline_access` and rotate on every use; the grant, the
 *   session and every refresh token in a chain end `JWT_REFRESH_TOKEN_EXPIRE_DAYS` after sign-in.
 *   A refresh token used twice revokes the whole grant (the library's reuse detection).
 * - The SPA is first party: it gets a grant for its scopes and the API without a consent screen.
 * - Everything the provider keeps goes through our store adapter, so any instance can continue
 *   what another started; cookie signing keys derive from the token signing key for the same
 *   reason (every instance shares that key already).
 * - The userinfo endpoint is off: the ID token carries the profile claims, and the API answers
 *   `/api/v1/me` from the database.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eq } from 'drizzle-orm';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AuditTrail } from '../../audit/index.ts';
import { BUILT_IN_SCOPE } from '../../config/index.ts';
import type { Logger } from '../../logging/index.ts';
import { schema, type Database } from '../../store/index.ts';
import { sessionIdFrom } from '../authenticate/index.ts';
import { createOidcAdapter } from '../oidc-adapter.ts';
import type { SigningKey } from '../signing-keys.ts';
import { signInErrorPage, signOutPage, signedOutPage } from './sign-in-pages.ts';

const { users } = schema;

/** The path the provider is mounted at, under `PUBLIC_URL`. */
export const PROVIDER_MOUNT_PATH = '/oidc';

/** The resource server scope of the API; the grant holds it, tokens need not name it. */
const API_SCOPE = 'api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface BuiltInProviderOptions {
  publicUrl: string;
  /** The SPA's client id. */
  clientId: string;
  apiAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  signingKey: SigningKey;
  db: Database;
  audit: AuditTrail;
  logger: Logger;
}

/** The provider as the rest of the server uses it. */
export interface BuiltInProvider {
  readonly issuer: string;
  /** Hands one request to the provider; resolves when the response is finished. */
  handle(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    request: MountedRequest,
  ): Promise<void>;
  /** The interaction (login) the request's cookie belongs to, or null when there is none. */
  interaction(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
  ): Promise<PendingInteraction | null>;
}

/** What the mount tells the provider about a request. */
export interface MountedRequest {
  /** The client's address as the server determined it (proxies accounted for). */
  clientAddress: string;
  /** Headers every response gets (security headers). */
  responseHeaders: Readonly<Record<string, string>>;
}

/** A sign-in in progress. */
export interface PendingInteraction {
  uid: string;
  prompt: string;
  clientId: string | null;
  /** Set after the password was right but the account must choose a new one. */
  passwordChangeFor: { accountId: string; username: string } | null;
  /** Remembers that the password was verified for this account; the change form comes next. */
  requirePasswordChange(account: { accountId: string; username: string }): Promise<void>;
  /** Finishes the login; resolves with the URL to send the browser to. */
  finishLogin(accountId: string): Promise<string>;
  /** Ends the sign-in with `access_denied` (the person cancelled); resolves with the URL. */
  abort(): Promise<string>;
}

function cookieKeys(signingKey: SigningKey): string[] {
  const secret = signingKey.privateJwk.d;
  if (typeof secret !== 'string') throw new Error('The signing key has no private part.');
  return [createHmac('sha256', secret).update('enclave oidc cookie signing').digest('base64url')];
}

/** Readable words for the provider's error codes on the pages a person sees. */
const errorMessages: Record<string, string> = {
  invalid_request: 'The sign-in request was not valid. It may have expired or been used already.',
  invalid_client: 'The application asking you to sign in is not known to Enclave.',
  invalid_redirect_uri: 'The application asked to be sent somewhere Enclave does not allow.',
  invalid_target: 'The sign-in asked for access Enclave does not grant.',
  access_denied: 'The sign-in was cancelled.',
  login_required: 'You need to sign in again.',
  session_not_found: 'Your sign-in took too long or was finished in another tab. Start again.',
  server_error: 'Enclave could not complete the sign-in because of a problem on the server.',
};

async function render(ctx: KoaContextWithOIDC, page: Promise<string> | string): Promise<void> {
  ctx.type = 'html';
  ctx.body = String(await page);
}

/**
 * Builds the built-in provider.
 *
 * @example
 * const provider = createBuiltInProvider({ publicUrl, clientId: 'enclave-web', apiAudience, ... });
 * app.all('/oidc/*', (c) => provider.handle(c.env.incoming, c.env.outgoing, request));
 */
export function createBuiltInProvider(options: BuiltInProviderOptions): BuiltInProvider {
  const { publicUrl, clientId, apiAudience, signingKey, db, audit, logger } = options;
  const issuer = `${publicUrl}${PROVIDER_MOUNT_PATH}`;
  const publicOrigin = new URL(publicUrl).origin;
  const accessTtl = options.accessTokenTtlSeconds;
  const sessionTtl = options.refreshTokenTtlSeconds;

  const configuration: Configuration = {
    adapter: createOidcAdapter({ db }),
    clients: [
      {
        client_id: clientId,
        client_name: 'Enclave',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${publicUrl}/auth/callback`],
        post_logout_redirect_uris: [`${publicUrl}/auth/signed-out`],
        dpop_bound_access_tokens: true,
        id_token_signed_response_alg: signingKey.alg,
      },
    ],
    jwks: { keys: [signingKey.privateJwk as never] },
    cookies: {
      keys: cookieKeys(signingKey),
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    scopes: ['openid', 'profile', 'email'],
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    conformIdTokenClaims: false,
    clientBasedCORS: (_ctx, origin) => origin === publicOrigin,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      revocation: { enabled: true },
      dPoP: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          const hint = ctx.oidc.entities.IdTokenHint as { payload?: { sub?: unknown } } | undefined;
          const autoSubmit =
            Boolean(ctx.oidc.client) &&
            typeof hint?.payload?.sub === 'string' &&
            hint.payload.sub === ctx.oidc.session?.accountId;
          await render(ctx, signOutPage({ formHtml: form, autoSubmit }));
        },
        postLogoutSuccessSource: async (ctx) => render(ctx, signedOutPage()),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => apiAudience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== apiAudience) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: apiAudience,
            accessTokenTTL: accessTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingKey.alg } },
          };
        },
      },
    },
    // `sid` names the sign-in: the provider session's uid, which the code hands to the first
    // tokens and every refresh to the next, so audit events can be grouped by the sign-in that
    // caused them. It is a lookup key, not a credential: the session cookie holds another id.
    extraTokenClaims: async (_ctx, token) =>
      'grantId' in token && token.kind === 'AccessToken'
        ? { gid: token.grantId, ...(token.sessionUid ? { sid: token.sessionUid } : {}) }
        : undefined,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: accessTtl,
      IdToken: accessTtl,
      AuthorizationCode: 60,
      Interaction: 60 * 60,
      Session: sessionTtl,
      Grant: sessionTtl,
      // A rotated refresh token inherits what is left of its predecessor: the chain, like the
      // session, ends a fixed time after sign-in.
      RefreshToken: (ctx) => {
        const rotated = ctx?.oidc.entities.RotatedRefreshToken as
          { remainingTTL: number } | undefined;
        return rotated ? Math.max(1, rotated.remainingTTL) : sessionTtl;
      },
    },
    interactions: {
      url: async (_ctx, interaction) => `${PROVIDER_MOUNT_PATH}/interaction/${interaction.uid}`,
    },
    loadExistingGrant: async (ctx) => {
      const grantId =
        (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId ??
        ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      // The SPA is ours: it gets its scopes and the API without asking the person.
      if (ctx.oidc.client?.clientId !== clientId || !ctx.oidc.session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(BUILT_IN_SCOPE);
      grant.addResourceScope(apiAudience, API_SCOPE);
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, sub) => {
      if (!UUID.test(sub)) return undefined;
      const [user] = await db.select().from(users).where(eq(users.id, sub));
      if (!user || user.disabled) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({
          sub: user.id,
          name: user.displayName,
          preferred_username: user.username,
          ...(user.email ? { email: user.email } : {}),
        }),
      };
    },
    renderError: async (ctx, out) => {
      const code = typeof out.error === 'string' ? out.error : 'server_error';
      await render(
        ctx,
        signInErrorPage({
          title: code === 'access_denied' ? 'Sign-in cancelled' : 'Sign-in failed',
          message: errorMessages[code] ?? 'The sign-in could not be completed.',
          code,
        }),
      );
    },
  };

  const provider = new Provider(issuer, configuration);
  // The mount sets Host, X-Forwarded-Proto and X-Forwarded-For itself (from PUBLIC_URL and the
  // address the server determined), so trusting them here trusts only us.
  provider.proxy = true;
  provider.on('server_error', (_ctx, error) =>
    logger.error({ err: error }, 'OpenID provider error'),
  );
  provider.use(async (ctx, next) => {
    await next();
    await auditProviderRoute(ctx as KoaContextWithOIDC, audit).catch((error: unknown) =>
      logger.error({ err: error }, 'audit of an OpenID provider request failed'),
    );
  });

  const callback = provider.callback();
  const publicHost = new URL(publicUrl);

  return {
    issuer,
    async handle(incoming, outgoing, request) {
      const url = incoming.url ?? '/';
      const rest = url.slice(PROVIDER_MOUNT_PATH.length);
      (incoming as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      incoming.url = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
      incoming.headers.host = publicHost.host;
      incoming.headers['x-forwarded-proto'] = publicHost.protocol.slice(0, -1);
      incoming.headers['x-forwarded-for'] = request.clientAddress;
      delete incoming.headers['x-forwarded-host'];
      delete incoming.headers.forwarded;
      for (const [name, value] of Object.entries(request.responseHeaders)) {
        outgoing.setHeader(name, value);
      }
      await new Promise<void>((resolve) => {
        outgoing.once('finish', resolve);
        outgoing.once('close', resolve);
        void callback(incoming, outgoing);
      });
    },
    async interaction(incoming, outgoing) {
      let details;
      try {
        details = await provider.interactionDetails(incoming, outgoing);
      } catch (error) {
        if (error instanceof errors.SessionNotFound) return null;
        throw error;
      }
      const lastSubmission = details.lastSubmission as
        { passwordChangeFor?: { accountId: string; username: string } } | undefined;
      return {
        uid: details.uid,
        prompt: details.prompt.name,
        clientId: typeof details.params.client_id === 'string' ? details.params.client_id : null,
        passwordChangeFor: lastSubmission?.passwordChangeFor ?? null,
        async requirePasswordChange(account) {
          details.lastSubmission = { passwordChangeFor: account };
          await details.persist();
        },
        async finishLogin(accountId) {
          return provider.interactionResult(
            incoming,
            outgoing,
            { login: { accountId, remember: false } },
            { mergeWithLastSubmission: false },
          );
        },
        async abort() {
          return provider.interactionResult(
            incoming,
            outgoing,
            { error: 'access_denied', error_description: 'The sign-in was cancelled.' },
            { mergeWithLastSubmission: false },
          );
        },
      };
    },
  };
}

/**
 * Records the provider's own security events: the sign-in's first tokens (`auth.session_start`,
 * the first event that names the new session), refresh, revocation and sign-out, each with the
 * sign-in session it concerns when the provider knows it.
 */
async function auditProviderRoute(ctx: KoaContextWithOIDC, audit: AuditTrail): Promise<void> {
  const route = ctx.oidc?.route;
  if (!route) return;
  const succeeded = ctx.status < 400;
  const body = (ctx.body ?? {}) as { error?: unknown; error_description?: unknown };
  const failure = succeeded
    ? {}
    : { error: body.error ?? null, description: body.error_description ?? null };
  const entities = ctx.oidc.entities as Record<
    string,
    { accountId?: string; sessionUid?: string } | undefined
  >;
  const sessionOf = (entity: { sessionUid?: string } | undefined) =>
    sessionIdFrom({ sid: entity?.sessionUid });
  const base = {
    actorClient: ctx.oidc.client?.clientId ?? null,
    ip: ctx.ip ?? null,
    resourceType: 'session',
    outcome: succeeded ? ('ok' as const) : ('denied' as const),
  };
  if (route === 'token' && ctx.oidc.params?.grant_type === 'authorization_code') {
    const code = entities.AuthorizationCode;
    await audit.record({
      ...base,
      action: 'auth.session_start',
      actorUserId: entities.Account?.accountId ?? code?.accountId ?? null,
      sessionId: sessionOf(code),
      details: failure,
    });
  } else if (route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token') {
    const accountId = entities.Account?.accountId ?? entities.RefreshToken?.accountId ?? null;
    await audit.record({
      ...base,
      action: 'auth.refresh',
      actorUserId: accountId,
      sessionId: sessionOf(entities.RefreshToken),
      details: failure,
    });
  } else if (route === 'revocation') {
    const token = entities.AccessToken ?? entities.RefreshToken;
    await audit.record({
      ...base,
      action: 'auth.revocation',
      actorUserId: token?.accountId ?? null,
      sessionId: sessionOf(token),
      details: failure,
    });
  } else if (route === 'end_session_confirm') {
    const signedOut = succeeded && ctx.oidc.params?.logout !== undefined;
    await audit.record({
      ...base,
      outcome: signedOut ? 'ok' : base.outcome,
      action: signedOut ? 'auth.logout' : 'auth.logout_declined',
      actorUserId: ctx.oidc.session?.accountId ?? null,
      sessionId: sessionIdFrom({ sid: ctx.oidc.session?.uid }),
      details: failure,
    });
  }
}

/**
 * Test support: the process behind `startStandInIssuer` (stand-in-issuer.ts). A small OpenID
 * provider that plays a company issuer (Keycloak-like: a realm path, public clients, JWT access
 * tokens with a groups claim), so the external-issuer mode is proven against a server that shares
 * nothing with Enclave but the protocol. It is not product code and is never imported by it.
 *
 * Everything is in memory (oidc-provider's default adapter): users, sessions, grants, refresh
 * tokens and the signing keys. `/test/*` lets a test rotate the keys, change a user's groups and
 * take the JWKS down; like the rest of the process it listens on 127.0.0.1 only.
 *
 * Run as `node --import tsx server/identity/testing/stand-in-issuer-main.ts` with
 * `STAND_IN_ISSUER_OPTIONS` holding `StandInIssuerProcessOptions` as JSON; it prints one JSON line
 * `{"url": …, "issuer": …}` when it listens and exits when its standard input closes (the test
 * process that started it is gone) or on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import Provider, { errors, type Configuration } from 'oidc-provider';
import {
  newStandInSigningKey,
  subjectOf,
  type StandInIssuerProcessOptions,
  type StandInUser,
} from './stand-in-issuer.ts';

/** Keycloak puts each realm under a path; so do we, so path issuers are exercised too. */
const REALM_PATH = '/realms/stand-in';
/** The resource server scope of the audience (tokens need not name it, like ours). */
const API_SCOPE = 'api';
const SIGNING_ALG = 'ES256';
const LOGIN_PATH = new RegExp(`^${REALM_PATH}/login/([\\w-]+)$`);

function readOptions(): StandInIssuerProcessOptions {
  const json = process.env.STAND_IN_ISSUER_OPTIONS;
  if (!json) throw new Error('STAND_IN_ISSUER_OPTIONS is not set');
  return JSON.parse(json) as StandInIssuerProcessOptions;
}

const options = readOptions();

const groupsClaim = options.groupsClaim ?? 'groups';
const accessTokenTtl = options.accessTokenTtlSeconds ?? 300;
const users = new Map<string, StandInUser>(options.users.map((user) => [user.username, user]));
/** Private signing keys, the one that signs first; the JWKS publishes all of them. */
let signingKeys: JWK[] = [options.signingKey];
// Kept across rotations: sessions and interactions started before a rotation must still work.
const cookieKeys = [randomBytes(32).toString('base64url')];
/** Set once the process listens (the issuer URL holds the port). */
let issuer = '';
/** The provider signing with `signingKeys[0]`; replaced at each rotation. */
let provider: Provider | undefined;
let handOver: ReturnType<Provider['callback']> | undefined;
/** While set, the JWKS answers 503, as an issuer behind a failing proxy does. */
let jwksOutage = false;

function userBySubject(sub: string): StandInUser | undefined {
  return [...users.values()].find((user) => subjectOf(user.username) === sub);
}

function audienceOf(clientId: string): string {
  return (
    options.clients.find((client) => client.clientId === clientId)?.audience ?? options.audience
  );
}

function buildProvider(): Provider {
  const configuration: Configuration = {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: client.redirectUris,
      // Where a browser app lands after sign-out: the signed-out page next to its callback.
      post_logout_redirect_uris: client.redirectUris.map(
        (uri) => new URL('/auth/signed-out', uri).href,
      ),
      dpop_bound_access_tokens: client.dpopBound ?? true,
      id_token_signed_response_alg: SIGNING_ALG,
    })),
    jwks: { keys: signingKeys as never },
    cookies: { keys: cookieKeys },
    // A browser app calls the token endpoint from its own origin, as with a real issuer's
    // "web origins": allowed for the origins of the client's redirect URIs.
    clientBasedCORS: (_ctx, origin, client) =>
      (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, client) => audienceOf(client.clientId),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (resource !== audienceOf(client.clientId)) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: resource,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: SIGNING_ALG, kid: signingKeys[0]!.kid } },
          };
        },
      },
    },
    // What a Keycloak realm's mappers put into access tokens: the profile and the groups,
    // read from the user table at issue time, so a changed group shows in the next token.
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== 'AccessToken') return undefined;
      const user = userBySubject(token.accountId);
      if (!user) return undefined;
      return {
        preferred_username: user.username,
        name: user.name,
        email: user.email,
        [groupsClaim]: [...user.groups],
        // Keycloak names the sign-in session in its access tokens too.
        ...(token.sessionUid ? { sid: token.sessionUid } : {}),
      };
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: accessTokenTtl,
      AuthorizationCode: 60,
      Interaction: 10 * 60,
      Session: 60 * 60,
      Grant: 60 * 60,
      RefreshToken: 60 * 60,
    },
    interactions: { url: async (_ctx, interaction) => `${REALM_PATH}/login/${interaction.uid}` },
    // Every registered client is first party here: no consent screen (as our provider does).
    loadExistingGrant: async (ctx) => {
      const client = ctx.oidc.client!;
      const accountId = ctx.oidc.session?.accountId;
      const grantId = ctx.oidc.session?.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (existing) return existing;
      if (!accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid profile email offline_access');
      grant.addResourceScope(audienceOf(client.clientId), API_SCOPE);
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, sub) => {
      const user = userBySubject(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          name: user.name,
          preferred_username: user.username,
          email: user.email,
        }),
      };
    },
  };
  const built = new Provider(issuer, configuration);
  built.on('server_error', (_ctx, error) => console.error('stand-in issuer error', error));
  return built;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A page that only says what went wrong (in the `alert` the relying party reports). */
function messagePage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stand-in issuer</title></head>
<body><main><div class="alert" role="alert">${escapeHtml(message)}</div></main></body></html>`;
}

/** The login page: a plain form post, no script and no inline style (any CSP allows it). */
function loginPage(uid: string, error?: string, username = ''): string {
  const alert = error ? `<div class="alert" role="alert">${escapeHtml(error)}</div>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to Stand-in</title></head>
<body><main><h1>Stand-in issuer</h1>${alert}
<form method="post" action="${REALM_PATH}/login/${escapeHtml(uid)}">
<label>Username <input name="username" autocomplete="username" value="${escapeHtml(username)}" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></main></body></html>`;
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  type = 'text/html; charset=utf-8',
): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    // No form-action: browsers apply it to the redirects back to the client after the post.
    'content-security-policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `GET|POST ${REALM_PATH}/login/:uid`: the sign-in form, and its check. */
async function login(
  current: Provider,
  request: IncomingMessage,
  response: ServerResponse,
  uid: string,
) {
  let details;
  try {
    details = await current.interactionDetails(request, response);
  } catch (error) {
    if (!(error instanceof errors.SessionNotFound)) throw error;
    return send(response, 400, messagePage('This sign-in has expired; start again.'));
  }
  if (details.uid !== uid) {
    return send(response, 400, messagePage('This page belongs to another sign-in.'));
  }
  if (request.method !== 'POST') return send(response, 200, loginPage(uid));
  const form = new URLSearchParams(await readBody(request));
  const username = form.get('username') ?? '';
  const user = users.get(username);
  if (!user || user.password !== form.get('password')) {
    return send(response, 401, loginPage(uid, 'Invalid username or password.', username));
  }
  await current.interactionFinished(
    request,
    response,
    { login: { accountId: subjectOf(user.username) } },
    { mergeWithLastSubmission: false },
  );
}

/**
 * `POST /test/rotate-keys`, `POST /test/users` and `POST /test/jwks-outage`: what a test
 * changes between requests.
 */
async function control(request: IncomingMessage, response: ServerResponse, path: string) {
  const json = (status: number, body: unknown) =>
    send(response, status, JSON.stringify(body), 'application/json');
  if (request.method !== 'POST') return json(405, { error: 'POST only' });
  const body = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
  if (path === '/test/rotate-keys') {
    const next = await newStandInSigningKey();
    signingKeys = body.keepOld === true ? [next, ...signingKeys] : [next];
    // The library reads its keys once; a new instance over the same in-memory storage and
    // cookie keys continues every session, grant and refresh token of the old one.
    provider = buildProvider();
    handOver = provider.callback();
    return json(200, { kid: next.kid, published: signingKeys.map((key) => key.kid) });
  }
  if (path === '/test/users') {
    const user = users.get(String(body.username));
    if (!user) return json(404, { error: 'no such user' });
    const groups = body.groups;
    if (!Array.isArray(groups) || !groups.every((group) => typeof group === 'string')) {
      return json(400, { error: 'groups must be an array of strings' });
    }
    users.set(user.username, { ...user, groups });
    return json(200, { username: user.username, groups });
  }
  if (path === '/test/jwks-outage') {
    jwksOutage = body.on === true;
    return json(200, { on: jwksOutage });
  }
  return json(404, { error: 'unknown control' });
}

const server = http.createServer((request, response) => {
  const url = request.url ?? '/';
  const path = url.split('?')[0]!;
  const handled = (async () => {
    if (!provider || !handOver) return send(response, 503, 'starting', 'text/plain');
    if (path.startsWith('/test/')) return control(request, response, path);
    const loginMatch = LOGIN_PATH.exec(path);
    if (loginMatch) return login(provider, request, response, loginMatch[1]!);
    if (path !== REALM_PATH && !path.startsWith(`${REALM_PATH}/`)) {
      return send(response, 404, 'not found', 'text/plain');
    }
    if (jwksOutage && path === `${REALM_PATH}/jwks`) {
      return send(response, 503, 'the key service is down', 'text/plain');
    }
    // Mounted under the realm path: the library sees the rest, and learns the mount from this.
    (request as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    const rest = url.slice(REALM_PATH.length);
    request.url = rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
    return handOver(request, response);
  })();
  handled.catch((error: unknown) => {
    console.error('stand-in issuer request failed', error);
    if (!response.headersSent) send(response, 500, 'server error', 'text/plain');
    else response.end();
  });
});

await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const origin = `http://127.0.0.1:${port}`;
issuer = `${origin}${REALM_PATH}`;
provider = buildProvider();
handOver = provider.callback();

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ url: origin, issuer })}\n`);

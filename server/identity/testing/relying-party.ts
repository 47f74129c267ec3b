/**
 * Test support: a standard OpenID relying party (panva's `openid-client`) that signs in through
 * a provider's real login form the way a browser would (authorization code + PKCE S256, DPoP),
 * then calls the API with its DPoP-bound token. Used to prove that any standard client completes
 * the flow against the built-in provider, and by every test that needs a signed-in caller.
 *
 * Hand-made DPoP proofs (`proof()`) let hostile tests send what a real client never would.
 */
import { SignJWT, base64url, exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { BUILT_IN_CLIENT_ID } from '../../config/index.ts';

export interface SignInOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  scope?: string;
  /** Sent when the account must choose a new password at this sign-in. */
  newPassword?: string;
  /** Submits the issuer's login form; the default fits the built-in provider's form. */
  submitLogin?: (page: LoginPage) => Promise<Response>;
  /** Bind tokens to a DPoP key (default); false exchanges the code as a plain bearer client. */
  dpop?: boolean;
}

/** The login page the authorization request led to, with the cookies it set. */
export interface LoginPage {
  url: string;
  html: string;
  cookies: CookieJar;
  username: string;
  password: string;
}

/** A minimal cookie jar: what a browser sends back on same-site requests. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair!.indexOf('=');
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** A refused step of the flow, with what the page said. */
export class SignInFlowError extends Error {
  override readonly name = 'SignInFlowError';
  constructor(
    message: string,
    readonly status: number,
    readonly page: string,
  ) {
    super(message);
  }
}

/** The alert text of one of our pages, for readable test failures and assertions. */
export function alertText(html: string): string {
  const match = /<div class="alert[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return match ? match[1]!.replace(/\s+/g, ' ').trim() : '';
}

/**
 * One browser request: the jar's cookies sent, the answer's cookies kept, redirects not followed.
 *
 * @example
 * const page = await browserRequest(`${server.url}/oidc/session/end?…`, client.cookies);
 */
export async function browserRequest(
  url: string,
  jar: CookieJar,
  init: RequestInit = {},
): Promise<Response> {
  const response = await fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
  });
  jar.store(response);
  return response;
}

function location(response: Response, base: string): string {
  const target = response.headers.get('location');
  if (!target) throw new Error(`expected a redirect from ${base}, got ${response.status}`);
  return new URL(target, base).href;
}

/** Posts the built-in provider's sign-in form. */
export async function submitBuiltInLogin(page: LoginPage): Promise<Response> {
  const action = /<form method="post" action="([^"]+\/login)"/.exec(page.html)?.[1];
  if (!action) throw new SignInFlowError('no sign-in form on the page', 200, page.html);
  const target = new URL(action, page.url);
  return browserRequest(target.href, page.cookies, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: target.origin },
    body: new URLSearchParams({ username: page.username, password: page.password }),
  });
}

/** A signed-in client: its tokens, its DPoP key, and calls made with them. */
export interface SignedInClient {
  accessToken: string;
  refreshToken: string | undefined;
  idToken: string | undefined;
  tokenType: string;
  keyPair: CryptoKeyPair;
  /** The browser cookies of the sign-in (the provider's session among them). */
  cookies: CookieJar;
  /** A DPoP proof of this client's key, with any claim overridden (hostile tests). */
  proof(options: {
    method: string;
    url: string;
    accessToken?: string | null;
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
  }): Promise<string>;
  /** Calls a URL with the token and a fresh proof (or as Bearer without DPoP), as a well-behaved client does. */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  /** Uses the refresh token; the client then holds the new tokens. */
  refresh(): Promise<void>;
  /** Revokes a token at the provider's revocation endpoint. */
  revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void>;
  /** The RP-initiated sign-out URL, with this client's ID token as hint. */
  endSessionUrl(postLogoutRedirectUri: string): string;
}

/**
 * Signs in through the login form and exchanges the code for DPoP-bound tokens.
 *
 * @example
 * const bob = await signInWithPassword({ issuer: `${server.url}/oidc`, clientId: 'enclave-web',
 *   redirectUri: `${server.url}/auth/callback`, username: 'bob', password: 'bob-demo-password' });
 * const response = await bob.fetch(`${server.url}/api/v1/me`);
 */
export async function signInWithPassword(options: SignInOptions): Promise<SignedInClient> {
  const config = await oidc.discovery(
    new URL(options.issuer),
    options.clientId,
    { token_endpoint_auth_method: 'none' },
    oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
  const keyPair = await oidc.randomDPoPKeyPair('ES256');
  const dpop = options.dpop === false ? undefined : oidc.getDPoPHandle(config, keyPair);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authorizationUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });

  const jar = new CookieJar();
  const toLogin = await browserRequest(authorizationUrl.href, jar);
  const loginUrl = location(toLogin, authorizationUrl.href);
  const loginResponse = await browserRequest(loginUrl, jar);
  const page: LoginPage = {
    url: loginUrl,
    html: await loginResponse.text(),
    cookies: jar,
    username: options.username,
    password: options.password,
  };
  let step = await (options.submitLogin ?? submitBuiltInLogin)(page);
  let stepUrl = page.url;
  if (step.status !== 303 && step.status !== 302) {
    const html = await step.text();
    throw new SignInFlowError(
      alertText(html) || `sign-in answered ${step.status}`,
      step.status,
      html,
    );
  }
  let next = location(step, stepUrl);
  if (new URL(next).pathname === new URL(loginUrl).pathname) {
    const changePage = await (await browserRequest(next, jar)).text();
    if (!options.newPassword) {
      throw new SignInFlowError('the account must choose a new password', 200, changePage);
    }
    const action = /<form method="post" action="([^"]+\/password)"/.exec(changePage)?.[1];
    const target = new URL(action!, next);
    step = await browserRequest(target.href, jar, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: target.origin },
      body: new URLSearchParams({
        newPassword: options.newPassword,
        repeatPassword: options.newPassword,
      }),
    });
    if (step.status !== 303) {
      const html = await step.text();
      throw new SignInFlowError(alertText(html), step.status, html);
    }
    stepUrl = target.href;
    next = location(step, stepUrl);
  }
  // Through the provider's resume step(s) until it sends the browser to the redirect URI.
  for (let hops = 0; hops < 5 && !next.startsWith(options.redirectUri); hops += 1) {
    const response = await browserRequest(next, jar);
    if (response.status < 300 || response.status >= 400) {
      const html = await response.text();
      throw new SignInFlowError(
        alertText(html) || `${next} answered ${response.status}`,
        response.status,
        html,
      );
    }
    next = location(response, next);
  }
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers =
    await oidc.authorizationCodeGrant(
      config,
      new URL(next),
      { pkceCodeVerifier: verifier, expectedState: state },
      undefined,
      dpop ? { DPoP: dpop } : undefined,
    );

  const publicJwk = await exportJWK(keyPair.publicKey);
  const proof: SignedInClient['proof'] = async ({ method, url, accessToken, claims, header }) => {
    const token = accessToken === undefined ? tokens.access_token : accessToken;
    const ath = token
      ? base64url.encode(
          new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))),
        )
      : undefined;
    const htu = new URL(url);
    return new SignJWT({
      htm: method,
      htu: `${htu.origin}${htu.pathname}`,
      jti: crypto.randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      ...(ath ? { ath } : {}),
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk, ...header })
      .sign(keyPair.privateKey);
  };

  const client: SignedInClient = {
    get accessToken() {
      return tokens.access_token;
    },
    get refreshToken() {
      return tokens.refresh_token;
    },
    get idToken() {
      return tokens.id_token;
    },
    get tokenType() {
      return tokens.token_type;
    },
    keyPair,
    cookies: jar,
    proof,
    async fetch(url, init = {}) {
      const method = init.method ?? 'GET';
      const headers = new Headers(init.headers);
      if (dpop) {
        headers.set('authorization', `DPoP ${tokens.access_token}`);
        headers.set('dpop', await proof({ method, url }));
      } else {
        headers.set('authorization', `Bearer ${tokens.access_token}`);
      }
      return fetch(url, { ...init, method, headers });
    },
    async refresh() {
      if (!tokens.refresh_token) throw new Error('no refresh token was issued');
      tokens = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, {
        DPoP: dpop,
      });
    },
    async revoke(token, hint) {
      await oidc.tokenRevocation(config, token, { token_type_hint: hint });
    },
    endSessionUrl(postLogoutRedirectUri) {
      return oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token ?? '',
        post_logout_redirect_uri: postLogoutRedirectUri,
      }).href;
    },
  };
  return client;
}

/**
 * Signs in at an Enclave server's built-in provider as its SPA client (`enclave-web`) does.
 *
 * @example
 * const bob = await signInToEnclave(server.url, 'bob', 'bob-demo-password');
 */
export function signInToEnclave(
  serverUrl: string,
  username: string,
  password: string,
  options: Partial<SignInOptions> = {},
): Promise<SignedInClient> {
  return signInWithPassword({
    issuer: `${serverUrl}/oidc`,
    clientId: BUILT_IN_CLIENT_ID,
    redirectUri: `${serverUrl}/auth/callback`,
    username,
    password,
    ...options,
  });
}

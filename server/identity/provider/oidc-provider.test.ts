import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK } from 'jose';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, openStore, type Store } from '../../store/index.ts';
import { startTestServer, type TestServer } from '../../test-server.ts';
import {
  CookieJar,
  SignInFlowError,
  alertText,
  browserRequest,
  signInToEnclave,
  type SignedInClient,
} from '../testing/relying-party.ts';

const CLIENT_ID = 'enclave-web';

function signIn(server: TestServer, username: string, password: string, extra = {}) {
  return signInToEnclave(server.url, username, password, extra);
}

async function auditActions(server: TestServer, action: string) {
  return server.store.db
    .select()
    .from(schema.auditEvents)
    .where(eq(schema.auditEvents.action, action));
}

/** Starts an authorization request like a browser and returns where the provider sent it. */
async function authorize(server: TestServer, params: Record<string, string>) {
  const url = new URL(`${server.url}/oidc/auth`);
  const defaults = {
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: `${server.url}/auth/callback`,
    scope: 'openid profile email',
    state: 'state-1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) {
    if (value !== '') url.searchParams.set(key, value);
  }
  const jar = new CookieJar();
  const response = await browserRequest(url.href, jar);
  return { response, jar, location: response.headers.get('location') };
}

describe('the built-in OpenID provider', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { ENCLAVE_SEED: 'demo' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('discovery', () => {
    it('publishes a code-only, PKCE S256, DPoP provider under /oidc', async () => {
      const response = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as Record<string, unknown>;
      expect(document).toMatchObject({
        issuer: `${server.url}/oidc`,
        authorization_endpoint: `${server.url}/oidc/auth`,
        token_endpoint: `${server.url}/oidc/token`,
        jwks_uri: `${server.url}/oidc/jwks`,
        revocation_endpoint: `${server.url}/oidc/token/revocation`,
        end_session_endpoint: `${server.url}/oidc/session/end`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
      });
      expect(document.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256']));
      expect(document.userinfo_endpoint).toBeUndefined();
      expect(document.registration_endpoint).toBeUndefined();
    });

    it('builds its URLs from PUBLIC_URL, not from a Host header the caller chose', async () => {
      const response = await fetch(`${server.url}/oidc/.well-known/openid-configuration`, {
        headers: {
          host: 'evil.test',
          'x-forwarded-host': 'evil.test',
          'x-forwarded-proto': 'https',
        },
      });
      const text = await response.text();
      expect(text).not.toContain('evil.test');
      expect(text).not.toContain('https://');
    });

    it('publishes the public signing key only', async () => {
      const { keys } = (await (await fetch(`${server.url}/oidc/jwks`)).json()) as {
        keys: Record<string, unknown>[];
      };
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ kid: server.signingKey.kid, alg: 'ES256', use: 'sig' });
      expect(keys[0]).not.toHaveProperty('d');
    });
  });

  describe('sign-in with a standard relying party (openid-client)', () => {
    it.each([
      ['alice', 'admin'],
      ['bob', 'user'],
      ['carol', 'viewer'],
      ['dave', 'user'],
    ])('signs %s in and the API knows them as %s', async (username, role) => {
      const client = await signIn(server, username, `${username}-demo-password`);
      const me = await client.fetch(`${server.url}/api/v1/me`);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username, systemRole: role, source: 'local' });
    });

    it('issues a DPoP-bound JWT access token for the API audience without a resource parameter', async () => {
      const bob = await signIn(server, 'bob', 'bob-demo-password');
      expect(bob.tokenType.toLowerCase()).toBe('dpop');
      const header = decodeProtectedHeader(bob.accessToken);
      expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: server.signingKey.kid });
      const claims = decodeJwt(bob.accessToken);
      expect(claims.aud).toBe(`${server.url}/api`);
      expect(claims.iss).toBe(`${server.url}/oidc`);
      expect(claims.exp! - claims.iat!).toBe(30 * 60);
      const thumbprint = await calculateJwkThumbprint(await exportJWK(bob.keyPair.publicKey));
      expect(claims.cnf).toEqual({ jkt: thumbprint });
      const idToken = decodeJwt(bob.idToken!);
      expect(idToken).toMatchObject({ name: 'Bob Brown', preferred_username: 'bob' });
    });

    it('refuses to issue tokens to a client that does not prove a DPoP key', async () => {
      await expect(
        signIn(server, 'bob', 'bob-demo-password', { dpop: false }),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
    });

    it('audits successful and failed sign-ins', async () => {
      await signIn(server, 'dave', 'dave-demo-password');
      await expect(signIn(server, 'dave', 'not-daves-password')).rejects.toThrow(
        'Wrong username or password.',
      );
      const logins = await auditActions(server, 'auth.login');
      const dave = logins.filter(
        (event) => (event.details as { username?: string }).username === 'dave',
      );
      expect(dave.map((event) => event.outcome)).toEqual(expect.arrayContaining(['ok', 'denied']));
      expect(dave.every((event) => event.actorClient === CLIENT_ID && event.ip)).toBe(true);
    });
  });

  describe('refresh tokens', () => {
    it('rotate on every use, and the old one is refused', async () => {
      const bob = await signIn(server, 'bob', 'bob-demo-password');
      const first = bob.refreshToken!;
      await bob.refresh();
      expect(bob.refreshToken).toBeDefined();
      expect(bob.refreshToken).not.toBe(first);
      expect((await bob.fetch(`${server.url}/api/v1/me`)).status).toBe(200);
    });

    it('revoke the whole grant when a rotated one is used again', async () => {
      const bob = await signIn(server, 'bob', 'bob-demo-password');
      const stolen = bob.refreshToken!;
      await bob.refresh();
      // The thief replays the rotated token: refused, and the legitimate chain dies with it.
      const replay = await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          dpop: await bob.proof({
            method: 'POST',
            url: `${server.url}/oidc/token`,
            accessToken: null,
          }),
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: stolen,
          client_id: CLIENT_ID,
        }),
      });
      expect(replay.status).toBe(400);
      expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
      await expect(bob.refresh()).rejects.toThrow();
      expect((await bob.fetch(`${server.url}/api/v1/me`)).status).toBe(401);
      const refreshes = await auditActions(server, 'auth.refresh');
      expect(refreshes.some((event) => event.outcome === 'denied')).toBe(true);
      expect(refreshes.some((event) => event.outcome === 'ok')).toBe(true);
    });

    it('are bound to the DPoP key: another key cannot use them', async () => {
      const bob = await signIn(server, 'bob', 'bob-demo-password');
      const mallory = await signIn(server, 'dave', 'dave-demo-password');
      const response = await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          dpop: await mallory.proof({
            method: 'POST',
            url: `${server.url}/oidc/token`,
            accessToken: null,
          }),
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: bob.refreshToken!,
          client_id: CLIENT_ID,
        }),
      });
      expect(response.status).toBe(400);
    });
  });

  describe('sign-in sessions', () => {
    const sessionOf = (client: SignedInClient) => decodeJwt(client.accessToken).sid;

    async function sessionEvents(sessionId: unknown) {
      expect(typeof sessionId).toBe('string');
      return server.store.db
        .select()
        .from(schema.auditEvents)
        .where(eq(schema.auditEvents.sessionId, sessionId as string))
        .orderBy(schema.auditEvents.seq);
    }

    it('name each sign-in in its access tokens, the same across refreshes', async () => {
      const first = await signIn(server, 'bob', 'bob-demo-password');
      const second = await signIn(server, 'bob', 'bob-demo-password');
      const session = sessionOf(first);
      expect(session).toMatch(/^[A-Za-z0-9_-]{21}$/);
      expect(sessionOf(second)).toMatch(/^[A-Za-z0-9_-]{21}$/);
      expect(sessionOf(second)).not.toBe(session);
      const grant = decodeJwt(first.accessToken).gid;
      await first.refresh();
      await first.refresh();
      expect(sessionOf(first)).toBe(session);
      expect(decodeJwt(first.accessToken).gid).toBe(grant);
    });

    it("put the session on the sign-in's own events: first tokens, refresh, revocation, sign-out", async () => {
      const carol = await signIn(server, 'carol', 'carol-demo-password');
      const session = sessionOf(carol);
      await carol.refresh();
      await carol.revoke(carol.refreshToken!, 'refresh_token');
      const page = await browserRequest(
        carol.endSessionUrl(`${server.url}/auth/signed-out`),
        carol.cookies,
      );
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const confirm = await browserRequest(
        `${server.url}/oidc/session/end/confirm`,
        carol.cookies,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
          body: new URLSearchParams({ xsrf, logout: 'yes' }),
        },
      );
      expect(confirm.status).toBe(303);
      const events = await sessionEvents(session);
      expect(events.map((event) => [event.action, event.outcome])).toEqual([
        ['auth.session_start', 'ok'],
        ['auth.refresh', 'ok'],
        ['auth.revocation', 'ok'],
        ['auth.logout', 'ok'],
      ]);
      const carolId = events[0]!.actorUserId;
      expect(carolId).toMatch(/^[0-9a-f-]{36}$/);
      expect(events.every((event) => event.actorUserId === carolId)).toBe(true);
    });

    it('record a refused code exchange without a session', async () => {
      const response = await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'not-a-code',
          code_verifier: 'v'.repeat(43),
          redirect_uri: `${server.url}/auth/callback`,
          client_id: CLIENT_ID,
        }),
      });
      expect(response.status).toBe(400);
      const starts = await auditActions(server, 'auth.session_start');
      const refused = starts.filter((event) => event.outcome === 'denied');
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((event) => event.sessionId === null)).toBe(true);
    });
  });

  describe('revocation and sign-out', () => {
    it('revoking the refresh token stops the access token at the API at once', async () => {
      const bob = await signIn(server, 'bob', 'bob-demo-password');
      expect((await bob.fetch(`${server.url}/api/v1/me`)).status).toBe(200);
      await bob.revoke(bob.refreshToken!, 'refresh_token');
      const after = await bob.fetch(`${server.url}/api/v1/me`);
      expect(after.status).toBe(401);
      expect(after.headers.get('www-authenticate')).toContain('invalid_token');
      expect((await auditActions(server, 'auth.revocation')).length).toBeGreaterThan(0);
    });

    it('RP-initiated sign-out ends the session and the tokens, and is audited', async () => {
      const carol = await signIn(server, 'carol', 'carol-demo-password');
      const page = await browserRequest(
        carol.endSessionUrl(`${server.url}/auth/signed-out`),
        carol.cookies,
      );
      expect(page.status).toBe(200);
      const html = await page.text();
      // Her own ID token came with the request, so the page submits itself (no click needed).
      expect(html).toContain('/oidc/assets/sign-out.js');
      expect(html).not.toMatch(/<script>(?!<)/);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
      const confirm = await browserRequest(
        `${server.url}/oidc/session/end/confirm`,
        carol.cookies,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
          body: new URLSearchParams({ xsrf, logout: 'yes' }),
        },
      );
      expect(confirm.status).toBe(303);
      expect(confirm.headers.get('location')).toBe(`${server.url}/auth/signed-out`);
      expect((await carol.fetch(`${server.url}/api/v1/me`)).status).toBe(401);
      await expect(carol.refresh()).rejects.toThrow();
      const logouts = await auditActions(server, 'auth.logout');
      expect(logouts.at(-1)?.outcome).toBe('ok');

      // The session cookie is gone: a new authorization request asks for the password again.
      const again = await authorize(server, {});
      expect(new URL(again.location!, server.url).pathname).toMatch(/^\/oidc\/interaction\//);
    });

    it('asks before signing out when the request does not prove who sent it', async () => {
      const dave = await signIn(server, 'dave', 'dave-demo-password');
      const page = await browserRequest(`${server.url}/oidc/session/end`, dave.cookies);
      const html = await page.text();
      expect(html).toContain('Sign out of Enclave?');
      expect(html).not.toContain('sign-out.js');
    });
  });

  describe('authorization requests', () => {
    it('requires PKCE with S256', async () => {
      const cases: Record<string, string>[] = [
        { code_challenge: '', code_challenge_method: '' },
        { code_challenge_method: 'plain' },
      ];
      for (const params of cases) {
        const { location } = await authorize(server, params);
        const target = new URL(location!, server.url);
        expect(target.pathname).toBe('/auth/callback');
        expect(target.searchParams.get('error')).toBe('invalid_request');
      }
    });

    it('refuses implicit and hybrid response types', async () => {
      for (const response_type of ['token', 'id_token', 'code id_token']) {
        const { response, location } = await authorize(server, { response_type });
        const error = location
          ? (new URL(location, server.url).searchParams.get('error') ??
            new URLSearchParams(new URL(location, server.url).hash.slice(1)).get('error'))
          : null;
        expect(error ?? String(response.status)).toMatch(/unsupported_response_type|400/);
      }
    });

    it('never redirects to an unregistered URI, and says so in a page of ours', async () => {
      const { response } = await authorize(server, { redirect_uri: 'https://evil.test/callback' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      const html = await response.text();
      expect(html).toContain('Sign-in failed');
      expect(html).not.toContain('evil.test');
    });
  });

  describe('the sign-in page', () => {
    async function openLogin() {
      const { jar, location } = await authorize(server, {});
      const url = new URL(location!, server.url).href;
      const response = await browserRequest(url, jar);
      return { url, jar, response, html: await response.text() };
    }

    it('is our page, with the strict CSP and no inline script or style', async () => {
      const { response, html } = await openLogin();
      expect(response.status).toBe(200);
      expect(html).toContain('<h1>Sign in</h1>');
      expect(html).toContain('/oidc/assets/sign-in-pages.css');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(html).not.toMatch(/<style|style="/);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('cache-control')).toBe('no-store');
      const css = await fetch(`${server.url}/oidc/assets/sign-in-pages.css`);
      expect(css.headers.get('content-type')).toContain('text/css');
    });

    it('says what went wrong, keeps the username and never echoes the password', async () => {
      const { url, jar } = await openLogin();
      const response = await browserRequest(`${url}/login`, jar, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ username: 'bob', password: 'secret-typo-4711' }),
      });
      expect(response.status).toBe(401);
      const html = await response.text();
      expect(alertText(html)).toBe('Wrong username or password.');
      expect(html).toContain('value="bob"');
      expect(html).not.toContain('secret-typo-4711');
    });

    it('escapes what the person typed', async () => {
      const { url, jar } = await openLogin();
      const response = await browserRequest(`${url}/login`, jar, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ username: '"><img src=x onerror=alert(1)>', password: 'x' }),
      });
      const html = await response.text();
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&quot;&gt;&lt;img');
    });

    it('refuses a form sent from another site', async () => {
      const { url, jar } = await openLogin();
      const response = await browserRequest(`${url}/login`, jar, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://evil.test',
        },
        body: new URLSearchParams({ username: 'bob', password: 'bob-demo-password' }),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('location')).toBeNull();
    });

    it('refuses a form from an opaque origin, and accepts its own under no-referrer', async () => {
      const { url, jar } = await openLogin();
      const post = (headers: Record<string, string>) =>
        browserRequest(`${url}/login`, jar, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ username: 'bob', password: 'bob-demo-password' }),
        });
      expect((await post({ origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect((await post({ origin: 'null' })).status).toBe(403);
      // What Chromium sends for the page's own form under Referrer-Policy: no-referrer.
      const own = await post({ origin: 'null', 'sec-fetch-site': 'same-origin' });
      expect(own.status).toBe(303);
    });

    it('refuses a form without the sign-in cookie (as a cross-site post arrives)', async () => {
      const { url } = await openLogin();
      const response = await browserRequest(`${url}/login`, new CookieJar(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'bob', password: 'bob-demo-password' }),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Sign-in expired');
    });

    it('refuses an interaction id that is not the cookie’s', async () => {
      const { jar } = await openLogin();
      const response = await browserRequest(`${server.url}/oidc/interaction/not-this-one`, jar);
      expect(response.status).toBe(400);
    });

    it('lets the person cancel, and the app hears access_denied', async () => {
      const { url, jar } = await openLogin();
      let response = await browserRequest(`${url}/abort`, jar, {
        method: 'POST',
        headers: { origin: server.url },
      });
      for (let hops = 0; hops < 3 && response.status === 303; hops += 1) {
        const next = new URL(response.headers.get('location')!, server.url);
        if (next.pathname === '/auth/callback') {
          expect(next.searchParams.get('error')).toBe('access_denied');
          expect(next.searchParams.get('state')).toBe('state-1');
          return;
        }
        response = await browserRequest(next.href, jar);
      }
      throw new Error('the cancelled sign-in never came back to the app');
    });
  });
});

describe('first sign-in of the initial administrator', () => {
  let server: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-admin-'));
  });
  afterAll(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('must choose a new password before signing in, and the policy applies', async () => {
    const { ensureInitialAdmin } = await import('../index.ts');
    const created = await ensureInitialAdmin({ db: server.store.db, audit: server.audit, dataDir });
    const password = created!.password;

    const blocked = signIn(server, 'admin', password);
    await expect(blocked).rejects.toThrow(SignInFlowError);
    await expect(blocked).rejects.toThrow('must choose a new password');

    await expect(
      signIn(server, 'admin', password, { newPassword: 'password1234' }),
    ).rejects.toThrow(/too common|guess/);

    const chosen = 'quartz lantern orchid meadow 42';
    const admin = await signIn(server, 'admin', password, { newPassword: chosen });
    const me = await admin.fetch(`${server.url}/api/v1/me`);
    expect(await me.json()).toMatchObject({ username: 'admin', systemRole: 'admin' });

    // The new password works without another change; the generated one no longer does.
    await signIn(server, 'admin', chosen);
    await expect(signIn(server, 'admin', password)).rejects.toThrow('Wrong username or password.');
    const [row] = await server.store.db
      .select()
      .from(schema.users)
      .where(and(eq(schema.users.username, 'admin')));
    expect(row?.mustChangePassword).toBe(false);
    expect((await auditActions(server, 'auth.password_change')).length).toBe(1);
  });
});

describe('sessions across a restart', () => {
  let store: Store;
  let keyDir: string;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    store = await openStore({});
    keyDir = await mkdtemp(path.join(os.tmpdir(), 'enclave-restart-'));
  });
  afterAll(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    await store.close();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('keep working on the next instance: nothing lives in process memory', async () => {
    const first = await startTestServer({ store, keyDir, env: { ENCLAVE_SEED: 'demo' } });
    servers.push(first);
    const bob: SignedInClient = await signIn(first, 'bob', 'bob-demo-password');
    const port = Number(new URL(first.url).port);
    await first.close();

    const second = await startTestServer({ store, keyDir, port });
    servers.push(second);
    expect(second.url).toBe(first.url);
    expect((await bob.fetch(`${second.url}/api/v1/me`)).status).toBe(200);
    await bob.refresh();
    expect((await bob.fetch(`${second.url}/api/v1/me`)).status).toBe(200);
  });
});

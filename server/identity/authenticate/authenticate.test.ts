import { SignJWT, UnsecuredJWT, decodeJwt, generateKeyPair, importJWK } from 'jose';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../store/index.ts';
import { startTestServer, type TestServer } from '../../test-server.ts';
import { PUBLIC_API_PATHS } from '../identity.ts';
import { signInToEnclave, type SignedInClient } from '../testing/relying-party.ts';

interface RouteUnderTest {
  method: string;
  path: string;
}

/** A concrete URL for a route pattern: every `:param` gets a well-formed id. */
function concrete(path: string): string {
  return path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, '00000000-0000-4000-8000-000000000000');
}

async function expectRefused(response: Response, code: string, label: string) {
  expect(response.status, label).toBe(401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge, label).toMatch(/^DPoP algs="[^"]+"/);
  if (code !== 'unauthenticated') expect(challenge, label).toContain(`error="${code}"`);
  const body = (await response.json()) as { error: { code: string; requestId: string } };
  expect(body.error.code, label).toBe(code);
  expect(body.error.requestId, label).toBeTruthy();
}

describe('authentication of the API', () => {
  let server: TestServer;
  let bob: SignedInClient;
  let routes: RouteUnderTest[];

  beforeAll(async () => {
    server = await startTestServer({ env: { ENCLAVE_SEED: 'demo' } });
    bob = await signInToEnclave(server.url, 'bob', 'bob-demo-password');
    // The server's own route table: every route added later is walked too.
    routes = server.app.routes
      .filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/v1/'))
      .filter((route) => !PUBLIC_API_PATHS.includes(route.path))
      .map((route) => ({ method: route.method, path: route.path }));
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Signs claims with the server's real key, as only the provider should. */
  async function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
    const key = await importJWK(server.signingKey.privateJwk, 'ES256');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: server.signingKey.kid, ...header })
      .sign(key);
  }

  async function call(
    route: RouteUnderTest,
    options: { token?: string | null; proof?: string | null; scheme?: string },
  ) {
    const url = `${server.url}${concrete(route.path)}`;
    const headers = new Headers();
    const token = options.token === undefined ? bob.accessToken : options.token;
    if (token) headers.set('authorization', `${options.scheme ?? 'DPoP'} ${token}`);
    const proof =
      options.proof === undefined
        ? await bob.proof({ method: route.method, url, accessToken: token })
        : options.proof;
    if (proof) headers.set('dpop', proof);
    return fetch(url, {
      method: route.method,
      headers,
      ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { body: '{}' }),
    });
  }

  it('walks a route table that holds the authenticated routes', () => {
    expect(routes.map((route) => `${route.method} ${route.path}`)).toContain('GET /api/v1/me');
  });

  it('keeps the public list short and explicit', async () => {
    expect([...PUBLIC_API_PATHS].sort()).toEqual(['/api/v1/config', '/api/v1/openapi.json']);
    for (const path of PUBLIC_API_PATHS) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
    }
    // Public means readable, not writable.
    expect((await fetch(`${server.url}/api/v1/config`, { method: 'POST' })).status).toBe(401);
  });

  it('answers every route 401 without a token', async () => {
    for (const route of routes) {
      await expectRefused(
        await call(route, { token: null, proof: null }),
        'unauthenticated',
        `${route.method} ${route.path}`,
      );
    }
  });

  it('answers every route 401 for an expired token', async () => {
    const claims = decodeJwt(bob.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const expired = await forge({ ...claims, iat: now - 7200, exp: now - 3600 });
    for (const route of routes) {
      await expectRefused(await call(route, { token: expired }), 'invalid_token', route.path);
    }
  });

  it('answers every route 401 for a token with a bad signature', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(decodeJwt(bob.accessToken))
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: server.signingKey.kid })
      .sign(privateKey);
    const [head, body] = bob.accessToken.split('.');
    const tampered = `${head}.${body}.${forged.split('.')[2]}`;
    for (const route of routes) {
      await expectRefused(await call(route, { token: forged }), 'invalid_token', route.path);
      await expectRefused(await call(route, { token: tampered }), 'invalid_token', route.path);
    }
  });

  it('answers every route 401 for a token for another audience', async () => {
    const other = await forge({ ...decodeJwt(bob.accessToken), aud: 'https://other.example/api' });
    for (const route of routes) {
      await expectRefused(await call(route, { token: other }), 'invalid_token', route.path);
    }
  });

  it('answers every route 401 when the DPoP proof is missing, for another method or URL, or replayed', async () => {
    for (const route of routes) {
      const url = `${server.url}${concrete(route.path)}`;
      await expectRefused(await call(route, { proof: null }), 'invalid_dpop_proof', route.path);

      const otherMethod = route.method === 'PATCH' ? 'GET' : 'PATCH';
      await expectRefused(
        await call(route, { proof: await bob.proof({ method: otherMethod, url }) }),
        'invalid_dpop_proof',
        `${route.path} (method)`,
      );
      await expectRefused(
        await call(route, {
          proof: await bob.proof({ method: route.method, url: `${server.url}/api/v1/elsewhere` }),
        }),
        'invalid_dpop_proof',
        `${route.path} (url)`,
      );

      const proof = await bob.proof({ method: route.method, url });
      const first = await call(route, { proof });
      expect(first.status, `${route.path} (first use)`).not.toBe(401);
      await expectRefused(
        await call(route, { proof }),
        'invalid_dpop_proof',
        `${route.path} (replay)`,
      );
    }
  });

  describe('hostile tokens and proofs', () => {
    const me = { method: 'GET', path: '/api/v1/me' };

    it('refuses a DPoP-bound token sent as a bearer token', async () => {
      await expectRefused(
        await call(me, { scheme: 'Bearer', proof: null }),
        'invalid_token',
        'bearer',
      );
      await expectRefused(await call(me, { scheme: 'Bearer' }), 'invalid_token', 'bearer+proof');
    });

    it('refuses unsigned and HMAC tokens, whatever they claim', async () => {
      const claims = decodeJwt(bob.accessToken);
      const unsigned = new UnsecuredJWT(claims).encode();
      const hmacKey = new TextEncoder().encode(JSON.stringify(server.signingKey.publicJwk));
      const hmac = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: server.signingKey.kid })
        .sign(hmacKey);
      for (const token of [unsigned, hmac]) {
        await expectRefused(await call(me, { token }), 'invalid_token', token.slice(0, 20));
      }
    });

    it('refuses the ID token used as an access token', async () => {
      await expectRefused(await call(me, { token: bob.idToken! }), 'invalid_token', 'id token');
    });

    it('refuses a token without the grant it was issued under', async () => {
      const claims = decodeJwt(bob.accessToken);
      const noGrant = await forge({ ...claims, gid: undefined });
      const foreignGrant = await forge({ ...claims, gid: 'not-a-stored-grant' });
      await expectRefused(await call(me, { token: noGrant }), 'invalid_token', 'no gid');
      await expectRefused(await call(me, { token: foreignGrant }), 'invalid_token', 'other gid');
    });

    it('refuses a copied token presented with another key’s proof (a stolen token)', async () => {
      const dave = await signInToEnclave(server.url, 'dave', 'dave-demo-password');
      const url = `${server.url}/api/v1/me`;
      const proof = await dave.proof({ method: 'GET', url, accessToken: bob.accessToken });
      await expectRefused(await call(me, { proof }), 'invalid_dpop_proof', 'stolen');
    });

    it('refuses proofs made for another token, too old, or of the wrong type', async () => {
      const url = `${server.url}/api/v1/me`;
      const now = Math.floor(Date.now() / 1000);
      const cases = {
        'another token': await bob.proof({ method: 'GET', url, claims: { ath: 'x'.repeat(43) } }),
        'no ath': await bob.proof({ method: 'GET', url, accessToken: null }),
        'too old': await bob.proof({ method: 'GET', url, claims: { iat: now - 3600 } }),
        'from the future': await bob.proof({ method: 'GET', url, claims: { iat: now + 3600 } }),
        'wrong typ': await bob.proof({ method: 'GET', url, header: { typ: 'JWT' } }),
      };
      for (const [label, proof] of Object.entries(cases)) {
        await expectRefused(await call(me, { proof }), 'invalid_dpop_proof', label);
      }
    });

    it('refuses a well-formed token of an account that has been disabled', async () => {
      const carol = await signInToEnclave(server.url, 'carol', 'carol-demo-password');
      expect((await carol.fetch(`${server.url}/api/v1/me`)).status).toBe(200);
      await server.store.db
        .update(schema.users)
        .set({ disabled: true })
        .where(eq(schema.users.username, 'carol'));
      const response = await carol.fetch(`${server.url}/api/v1/me`);
      await expectRefused(response, 'invalid_token', 'disabled');
    });

    it('refuses malformed Authorization headers', async () => {
      for (const header of ['DPoP', 'DPoP a b', 'Basic Ym9iOnB3', `DPoP ${'a'.repeat(10_000)}`]) {
        const response = await fetch(`${server.url}/api/v1/me`, {
          headers: { authorization: header },
        });
        expect(response.status, header.slice(0, 20)).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^DPoP /);
      }
    });

    it('checks the proof against PUBLIC_URL, not the Host header the caller sent', async () => {
      const url = `${server.url}/api/v1/me`;
      const proofForEvilHost = await bob.proof({
        method: 'GET',
        url: 'http://evil.test/api/v1/me',
      });
      const response = await fetch(url, {
        headers: {
          authorization: `DPoP ${bob.accessToken}`,
          dpop: proofForEvilHost,
          host: 'evil.test',
        },
      });
      await expectRefused(response, 'invalid_dpop_proof', 'host');
    });
  });

  describe('GET /api/v1/me', () => {
    it('answers the caller’s id, name, system role and groups, fresh from the store', async () => {
      const [row] = await server.store.db
        .select()
        .from(schema.users)
        .where(eq(schema.users.username, 'bob'));
      const groupId = crypto.randomUUID();
      await server.store.db
        .insert(schema.groups)
        .values({ id: groupId, name: 'oncology', source: 'local', createdAt: new Date() });
      await server.store.db.insert(schema.groupMembers).values({ groupId, userId: row!.id });

      const response = await bob.fetch(`${server.url}/api/v1/me`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        id: row!.id,
        username: 'bob',
        displayName: 'Bob Brown',
        email: null,
        systemRole: 'user',
        source: 'local',
        groups: ['oncology'],
      });
    });

    it('is listed in the OpenAPI document with its security scheme', async () => {
      const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, { get?: { security?: unknown } }>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.paths['/me']?.get?.security).toEqual([{ DPoP: [] }]);
      expect(document.components.securitySchemes.DPoP).toMatchObject({ scheme: 'DPoP' });
    });
  });
});

import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validationHook } from './app.ts';
import { signInToEnclave, type SignedInClient } from './identity/testing/relying-party.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const EchoSchema = z.object({ name: z.string().min(1).max(20), count: z.number().int() });

/** A JSON route like the ones features add, to exercise the shared middleware and handler. */
function echoRoutes() {
  const route = createRoute({
    method: 'post',
    path: '/echo',
    request: { body: { content: { 'application/json': { schema: EchoSchema } }, required: true } },
    responses: {
      200: { description: 'echo', content: { 'application/json': { schema: EchoSchema } } },
    },
  });
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(route, (c) => c.json(c.req.valid('json'), 200))
    .get('/boom', () => {
      throw new Error('database password is hunter2');
    });
}

function expectErrorShape(body: unknown, code: string, requestId: string | null) {
  expect(body).toEqual({
    error: { code, message: expect.any(String), requestId: requestId ?? expect.any(String) },
  });
}

describe('the HTTP app', () => {
  let server: TestServer;
  /** A signed-in caller: API routes other than the public ones need a DPoP-bound token. */
  let bob: SignedInClient;

  beforeAll(async () => {
    server = await startTestServer({
      env: { MAX_REQUEST_BODY_KB: '4', ENCLAVE_SEED: 'demo' },
      extend: (app) => app.route('/api/v1/test', echoRoutes()),
    });
    bob = await signInToEnclave(server.url, 'bob', 'bob-demo-password');
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('health', () => {
    it('answers ok while the store answers', async () => {
      const response = await fetch(`${server.url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });
  });

  describe('errors', () => {
    it('answers unknown API and page routes with 404 in the error shape', async () => {
      for (const target of ['/api/v1/nothing-here', '/api/v2/config', '/missing.js']) {
        const response = await bob.fetch(`${server.url}${target}`, { method: 'GET' });
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toContain('application/json');
        expectErrorShape(await response.json(), 'not_found', response.headers.get('x-request-id'));
      }
    });

    it('answers unknown API routes with 401 to callers without a token, so routes do not leak', async () => {
      const response = await fetch(`${server.url}/api/v1/nothing-here`);
      expect(response.status).toBe(401);
      expectErrorShape(
        await response.json(),
        'unauthenticated',
        response.headers.get('x-request-id'),
      );
    });

    it('answers malformed JSON with 400 and changes nothing', async () => {
      const response = await bob.fetch(`${server.url}/api/v1/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name": "x", "count": ',
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expectErrorShape(body, 'bad_request', response.headers.get('x-request-id'));
      expect(body.error.message).toMatch(/JSON/);
    });

    it('answers invalid input with 400 naming the field', async () => {
      const response = await bob.fetch(`${server.url}/api/v1/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '', count: 1.5 }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expectErrorShape(body, 'validation_failed', response.headers.get('x-request-id'));
      expect(body.error.message).toContain('name');
      expect(body.error.message).toContain('count');
    });

    it('accepts valid input', async () => {
      const response = await bob.fetch(`${server.url}/api/v1/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ok', count: 2 }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ name: 'ok', count: 2 });
    });

    it('answers a body over the limit with 413, by declared length and by streamed length', async () => {
      const big = JSON.stringify({ name: 'x', count: 1, pad: 'x'.repeat(5000) });
      const declared = await bob.fetch(`${server.url}/api/v1/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: big,
      });
      expect(declared.status).toBe(413);
      expectErrorShape(
        await declared.json(),
        'payload_too_large',
        declared.headers.get('x-request-id'),
      );

      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 10; i += 1)
            controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
          controller.close();
        },
      });
      const streamed = await bob.fetch(`${server.url}/api/v1/test/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunks,
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
    });

    it('hides the cause of a 500 from the caller and logs it with the request id', async () => {
      const response = await bob.fetch(`${server.url}/api/v1/test/boom`);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toContain('hunter2');
      const requestId = response.headers.get('x-request-id');
      expectErrorShape(JSON.parse(text), 'internal_error', requestId);
      expect(
        server.logs.some((line) => line.requestId === requestId && line.msg === 'unhandled error'),
      ).toBe(true);
    });

    it('echoes a well-formed request id and replaces a hostile one', async () => {
      const good = await fetch(`${server.url}/api/v1/nope`, {
        headers: { 'x-request-id': 'trace-123' },
      });
      expect(((await good.json()) as { error: { requestId: string } }).error.requestId).toBe(
        'trace-123',
      );
      const hostile = await fetch(`${server.url}/api/v1/nope`, {
        headers: { 'x-request-id': 'a"}\u0085{"forged":true' },
      });
      const { requestId } = ((await hostile.json()) as { error: { requestId: string } }).error;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('security headers', () => {
    const targets = [
      '/healthz',
      '/api/v1/config',
      '/api/v1/nothing',
      '/api/v1/test/boom',
      '/some/page',
    ];

    it('are on every response, errors included', async () => {
      for (const target of targets) {
        const response = await fetch(`${server.url}${target}`);
        const headers = response.headers;
        expect(headers.get('x-content-type-options'), target).toBe('nosniff');
        expect(headers.get('referrer-policy'), target).toBe('no-referrer');
        expect(headers.get('cross-origin-opener-policy'), target).toBe('same-origin');
        expect(headers.get('x-frame-options'), target).toBe('DENY');
        expect(headers.get('permissions-policy'), target).toMatch(/camera=\(\).*microphone=\(\)/);
        expect(headers.get('content-security-policy'), target).toContain("frame-ancestors 'none'");
        expect(headers.get('strict-transport-security'), target).toBeNull();
        expect(headers.get('access-control-allow-origin'), target).toBeNull();
        expect(headers.get('x-powered-by'), target).toBeNull();
      }
    });

    it('give pages the strict app policy and data the narrowest one', async () => {
      const page = await fetch(`${server.url}/some/page`);
      const policy = page.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        policy.split(';').map((part) => {
          const [name, ...values] = part.trim().split(/\s+/);
          return [name, values] as const;
        }),
      );
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).not.toContain('unsafe-eval');
      expect(directives.get('connect-src')).toEqual(["'self'", server.url]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('require-trusted-types-for')).toEqual(["'script'"]);
      expect(directives.get('trusted-types')).toEqual(['enclave']);

      const data = await fetch(`${server.url}/api/v1/config`);
      expect(data.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    });
  });

  describe('origin guard', () => {
    it('refuses Origin: null, as a sandboxed frame sends it', async () => {
      for (const fetchSite of [undefined, 'cross-site', 'same-site', 'none']) {
        const response = await fetch(`${server.url}/api/v1/config`, {
          headers: { origin: 'null', ...(fetchSite ? { 'sec-fetch-site': fetchSite } : {}) },
        });
        expect(response.status, fetchSite).toBe(403);
      }
      const response = await fetch(`${server.url}/api/v1/config`, { headers: { origin: 'null' } });
      expect(response.status).toBe(403);
      expectErrorShape(
        await response.json(),
        'forbidden_origin',
        response.headers.get('x-request-id'),
      );
    });

    it('refuses other origins, look-alikes included, before reading the body', async () => {
      const hostile = [
        'http://evil.test',
        'http://127.0.0.1:8081',
        `${server.url}.evil.test`,
        `${server.url}/`,
        server.url.replace('http:', 'https:'),
        server.url.toUpperCase(),
      ];
      for (const origin of hostile) {
        const response = await fetch(`${server.url}/api/v1/test/echo`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'ok', count: 1 }),
        });
        expect(response.status, origin).toBe(403);
      }
    });

    it('lets the app through when its no-referrer policy makes the browser send Origin: null', async () => {
      const response = await fetch(`${server.url}/api/v1/config`, {
        headers: { origin: 'null', 'sec-fetch-site': 'same-origin' },
      });
      expect(response.status).toBe(200);
    });

    it('lets the app origin and header-less clients through', async () => {
      const same = await fetch(`${server.url}/api/v1/config`, { headers: { origin: server.url } });
      expect(same.status).toBe(200);
      const cli = await fetch(`${server.url}/api/v1/config`);
      expect(cli.status).toBe(200);
    });
  });

  describe('meta', () => {
    it('publishes the public configuration', async () => {
      const response = await fetch(`${server.url}/api/v1/config`);
      expect(await response.json()).toEqual({
        version: '0.0.0-test',
        publicUrl: server.url,
        oidcIssuer: `${server.url}/oidc`,
        allowedOrigins: [],
        auth: {
          issuer: `${server.url}/oidc`,
          clientId: 'enclave-web',
          scope: 'openid profile email',
        },
      });
    });

    it('publishes an OpenAPI document listing the routes', async () => {
      const response = await fetch(`${server.url}/api/v1/openapi.json`);
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths)).toContain('/config');
    });
  });
});

describe('with an external issuer', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        OIDC_ISSUER_URL: 'https://id.example.org/realms/lab',
        OIDC_CLIENT_ID: 'enclave',
      },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lets pages connect to the issuer and no other foreign origin', async () => {
    const page = await fetch(`${server.url}/some/page`);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("connect-src 'self' https://id.example.org;");
    expect(policy).toContain("form-action 'self' https://id.example.org;");
  });

  it('publishes that issuer for the SPA and the service worker, and serves no provider of its own', async () => {
    const response = await fetch(`${server.url}/api/v1/config`);
    expect(await response.json()).toEqual({
      version: '0.0.0-test',
      publicUrl: server.url,
      oidcIssuer: 'https://id.example.org/realms/lab',
      allowedOrigins: ['https://id.example.org'],
      auth: {
        issuer: 'https://id.example.org/realms/lab',
        clientId: 'enclave',
        scope: 'openid profile email offline_access',
      },
    });
    const discovery = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
    expect(discovery.status).toBe(404);
  });
});

describe('health when the store is gone', () => {
  it('answers 503 in the error shape', async () => {
    const server = await startTestServer();
    await server.store.close();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(503);
    expectErrorShape(
      await response.json(),
      'service_unavailable',
      response.headers.get('x-request-id'),
    );
    await server.close();
  });
});

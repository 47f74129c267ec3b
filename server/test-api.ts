/**
 * Test support for the API: a test server with the demo users (alice Admin, bob User, carol
 * Viewer, dave User), each signed in once through the built-in provider, and a typed-enough
 * `call` that sends JSON with the user's DPoP-bound token and returns status and body.
 */
import { signInToEnclave, type SignedInClient } from './identity/testing/relying-party.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';

export const DEMO_USERNAMES = ['alice', 'bob', 'carol', 'dave'] as const;
export type DemoUser = (typeof DEMO_USERNAMES)[number];

export interface ApiResponse<Body = unknown> {
  status: number;
  body: Body;
  headers: Headers;
  text: string;
}

export interface ApiTestServer {
  server: TestServer;
  clients: Record<DemoUser, SignedInClient>;
  /** The demo users' account ids. */
  ids: Record<DemoUser, string>;
  /**
   * Calls `/api/v1{path}` as a demo user; a non-string body is sent as JSON.
   *
   * @example
   * const { status, body } = await api.call('bob', 'POST', '/projects', { name: 'Screening' });
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert bodies field by field
  call<Body = any>(
    user: DemoUser,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<Body>>;
  close(): Promise<void>;
}

/**
 * Starts a server with the demo users and signs each of them in.
 *
 * @example
 * const api = await startApiTestServer();
 * afterAll(() => api.close());
 */
export async function startApiTestServer(options: TestServerOptions = {}): Promise<ApiTestServer> {
  const server = await startTestServer({
    ...options,
    env: { ENCLAVE_SEED: 'demo', LOG_LEVEL: 'info', ...options.env },
  });
  const entries = await Promise.all(
    DEMO_USERNAMES.map(
      async (name) =>
        [name, await signInToEnclave(server.url, name, `${name}-demo-password`)] as const,
    ),
  );
  const clients = Object.fromEntries(entries) as Record<DemoUser, SignedInClient>;
  const ids = {} as Record<DemoUser, string>;
  for (const name of DEMO_USERNAMES) {
    const me = await clients[name].fetch(`${server.url}/api/v1/me`);
    ids[name] = ((await me.json()) as { id: string }).id;
  }
  return {
    server,
    clients,
    ids,
    async call(user, method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body =
          typeof body === 'string' || body instanceof Uint8Array
            ? (body as BodyInit)
            : JSON.stringify(body);
        if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
          (init.headers as Record<string, string>)['content-type'] = 'application/json';
        }
      }
      const response = await clients[user].fetch(`${server.url}/api/v1${path}`, init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (an Arrow stream, say): the raw text is the body.
      }
      return { status: response.status, body: parsed as never, headers: response.headers, text };
    },
    close: () => server.close(),
  };
}

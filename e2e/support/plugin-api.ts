/**
 * The plugin API of the e2e server, called from the test process as a demo user: a standard
 * OpenID client signs in through the server's real login form (DPoP-bound token), the way the
 * API tests do. Used for what a test sets up or checks around the browser: uploads, consent,
 * admin policies, the state of instances.
 */
import {
  signInToEnclave,
  type SignedInClient,
} from '../../server/identity/testing/relying-party.ts';
import type { DemoUser } from './fixtures.ts';

/** The main e2e server (see playwright.config.ts). */
export const APP_URL = `http://127.0.0.1:${String(Number(process.env.E2E_PORT ?? 18080))}`;

export interface ApiAnswer<Body> {
  readonly status: number;
  readonly body: Body;
}

/** Calls `/api/v1…` as one signed-in demo user. */
export interface PluginApi {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert bodies field by field
  call<Body = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiAnswer<Body>>;
}

/**
 * Signs a demo user in (once; sign in again per test file, not per test: the login throttle
 * counts attempts) and returns a caller of the API.
 *
 * @example
 * const alice = await apiAs('alice');
 * const { status } = await alice.call('PUT', '/plugins/enclave.stats/consent', { permissions });
 */
export async function apiAs(user: DemoUser): Promise<PluginApi> {
  const client: SignedInClient = await signInToEnclave(APP_URL, user, `${user}-demo-password`);
  return {
    async call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body instanceof Uint8Array) {
        init.body = body as BodyInit;
      } else if (body !== undefined) {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const response = await client.fetch(`${APP_URL}/api/v1${path}`, init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON: the text is the body.
      }
      return { status: response.status, body: parsed as never };
    },
  };
}

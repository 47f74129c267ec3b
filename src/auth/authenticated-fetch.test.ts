/** Unit tests of the authenticated fetch: signing, renewing before expiry and after a 401. */
import { describe, expect, it, vi } from 'vitest';
import {
  createAuthenticatedFetch,
  isAboutToExpire,
  proofTarget,
  type AuthenticatedFetchDependencies,
} from './authenticated-fetch.ts';
import type { Session } from './oidc-client.ts';
import { SessionEndedError } from './session-ended-error.ts';

const origin = 'https://enclave.example';
const nowMs = 1_700_000_000_000;
const nowSeconds = nowMs / 1000;

function session(accessToken: string, expiresAt: number | undefined = nowSeconds + 1800): Session {
  return {
    accessToken,
    expiresAt,
    canRenew: true,
    proof: async (url, method) => `proof:${method}:${url}:${accessToken}`,
  };
}

interface Sent {
  url: string;
  method: string;
  authorization: string | null;
  dpop: string | null;
  body: string;
}

/** A fake network answering with the given statuses in turn, remembering what it was sent. */
function network(...statuses: number[]) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (request: Request) => {
    sent.push({
      url: request.url,
      method: request.method,
      authorization: request.headers.get('Authorization'),
      dpop: request.headers.get('DPoP'),
      body: await request.text(),
    });
    const status = statuses[sent.length - 1] ?? 200;
    return new Response(JSON.stringify({ status }), { status });
  });
  return { sent, fetch };
}

function setup(overrides: Partial<AuthenticatedFetchDependencies> & { statuses?: number[] } = {}) {
  const net = network(...(overrides.statuses ?? []));
  const deps = {
    currentSession: vi.fn(async (): Promise<Session | null> => session('a1')),
    renew: vi.fn(async (_seen: number | undefined): Promise<Session> => session('a2')),
    onSessionEnded: vi.fn(),
    origin,
    fetch: net.fetch,
    now: () => nowMs,
    ...overrides,
  };
  return { deps, sent: net.sent, authenticatedFetch: createAuthenticatedFetch(deps) };
}

describe('createAuthenticatedFetch', () => {
  it('signs the request with the access token and a proof for its method and URL', async () => {
    const { authenticatedFetch, sent, deps } = setup();
    const response = await authenticatedFetch('/api/v1/items?page=2', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(response.status).toBe(200);
    expect(sent).toEqual([
      {
        url: 'https://enclave.example/api/v1/items?page=2',
        method: 'POST',
        authorization: 'DPoP a1',
        dpop: 'proof:POST:https://enclave.example/api/v1/items:a1',
        body: '{"name":"x"}',
      },
    ]);
    expect(deps.renew).not.toHaveBeenCalled();
  });

  it('accepts Request objects and URLs', async () => {
    const { authenticatedFetch, sent } = setup();
    await authenticatedFetch(new Request('https://enclave.example/api/v1/me', { method: 'GET' }));
    await authenticatedFetch(new URL('https://enclave.example/api/v1/me#top'));
    expect(sent.map((request) => request.dpop)).toEqual([
      'proof:GET:https://enclave.example/api/v1/me:a1',
      'proof:GET:https://enclave.example/api/v1/me:a1',
    ]);
  });

  it('renews first when the token is about to expire', async () => {
    const { authenticatedFetch, sent, deps } = setup({
      currentSession: vi.fn(async () => session('a1', nowSeconds + 10)),
    });
    await authenticatedFetch('/api/v1/me');
    expect(deps.renew).toHaveBeenCalledExactlyOnceWith(nowSeconds + 10);
    expect(sent.map((request) => request.authorization)).toEqual(['DPoP a2']);
  });

  it('on a 401 renews once and retries once with a new proof and the same body', async () => {
    const { authenticatedFetch, sent, deps } = setup({ statuses: [401, 200] });
    const response = await authenticatedFetch('/api/v1/items', {
      method: 'PUT',
      body: 'payload',
    });
    expect(response.status).toBe(200);
    expect(deps.renew).toHaveBeenCalledExactlyOnceWith(nowSeconds + 1800);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({
      authorization: 'DPoP a2',
      dpop: 'proof:PUT:https://enclave.example/api/v1/items:a2',
      body: 'payload',
    });
    expect(deps.onSessionEnded).not.toHaveBeenCalled();
  });

  it('ends the session when the renewed token is refused too', async () => {
    const { authenticatedFetch, sent, deps } = setup({ statuses: [401, 401, 200] });
    await expect(authenticatedFetch('/api/v1/me')).rejects.toMatchObject({
      name: 'SessionEndedError',
      reason: 'token-refused',
      status: 401,
    });
    expect(sent).toHaveLength(2);
    expect(deps.renew).toHaveBeenCalledOnce();
    expect(deps.onSessionEnded).toHaveBeenCalledOnce();
  });

  it('ends the session when the renewal is refused', async () => {
    const refused = new SessionEndedError('renewal-refused');
    const { authenticatedFetch, sent, deps } = setup({
      statuses: [401],
      renew: vi.fn(async () => Promise.reject(refused)),
    });
    await expect(authenticatedFetch('/api/v1/me')).rejects.toBe(refused);
    expect(sent).toHaveLength(1);
    expect(deps.onSessionEnded).toHaveBeenCalledExactlyOnceWith(refused);
  });

  it('leaves the session alone when the renewal only failed to reach the issuer', async () => {
    const offline = new TypeError('Failed to fetch');
    const { authenticatedFetch, deps } = setup({
      currentSession: vi.fn(async () => session('a1', nowSeconds - 5)),
      renew: vi.fn(async () => Promise.reject(offline)),
    });
    await expect(authenticatedFetch('/api/v1/me')).rejects.toBe(offline);
    expect(deps.onSessionEnded).not.toHaveBeenCalled();
  });

  it('refuses to send anything when nobody is signed in', async () => {
    const { authenticatedFetch, sent, deps } = setup({ currentSession: vi.fn(async () => null) });
    await expect(authenticatedFetch('/api/v1/me')).rejects.toBeInstanceOf(SessionEndedError);
    expect(sent).toHaveLength(0);
    expect(deps.onSessionEnded).toHaveBeenCalledOnce();
  });

  it('passes other refusals through untouched', async () => {
    const { authenticatedFetch, deps } = setup({ statuses: [403] });
    expect((await authenticatedFetch('/api/v1/admin')).status).toBe(403);
    expect(deps.renew).not.toHaveBeenCalled();
  });
});

describe('isAboutToExpire', () => {
  it('is true within half a minute of expiry and after it', () => {
    expect(isAboutToExpire(1000, 969)).toBe(false);
    expect(isAboutToExpire(1000, 970)).toBe(true);
    expect(isAboutToExpire(1000, 2000)).toBe(true);
    expect(isAboutToExpire(undefined, 2000)).toBe(false);
  });
});

describe('proofTarget', () => {
  it('drops the query and fragment', () => {
    expect(proofTarget('https://enclave.example/api/v1/items?page=2#x')).toBe(
      'https://enclave.example/api/v1/items',
    );
    expect(proofTarget('http://127.0.0.1:8080/api/v1/me')).toBe('http://127.0.0.1:8080/api/v1/me');
  });
});

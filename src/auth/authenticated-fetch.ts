/**
 * The fetch every authenticated API call goes through. It signs each request with the session's
 * DPoP-bound access token (`Authorization: DPoP …`) and a proof made for exactly that method and
 * URL (`DPoP: …`, single-use), renews the token first when it is about to expire, and on a 401
 * renews once and tries once more with a new proof. When even that fails, or the renewal is
 * refused, the session has ended: the gate is told, and the call rejects with
 * `SessionEndedError`.
 *
 * The session is read from storage for every request, so a token another tab renewed is used
 * at once and a sign-out in another tab is noticed on the next call.
 */
import type { Session } from './oidc-client.ts';
import { SessionEndedError } from './session-ended-error.ts';
import { MIN_USEFUL_LIFETIME_SECONDS } from './should-skip-refresh.ts';

export interface AuthenticatedFetchDependencies {
  /** The stored session, or null when nobody is signed in. */
  currentSession(): Promise<Session | null>;
  /**
   * Renews unless another tab already did since the token expiring at `seenExpiresAt`; rejects
   * with `SessionEndedError` when the session is over.
   */
  renew(seenExpiresAt: number | undefined): Promise<Session>;
  /** Told when a call found the session over (before the call rejects). */
  onSessionEnded(error: SessionEndedError): void;
  /** The page's origin; relative URLs resolve against it. */
  origin: string;
  /** The network; the browser's `fetch` unless a test brings its own. */
  fetch?: (request: Request) => Promise<Response>;
  /** The clock in milliseconds; `Date.now` unless a test brings its own. */
  now?: () => number;
}

/**
 * Whether a token expiring at `expiresAt` (seconds since the epoch) should be renewed before use.
 *
 * @example
 * isAboutToExpire(1000, 990); // true: ten seconds left
 * isAboutToExpire(undefined, 990); // false: the issuer did not say, so try it
 */
export function isAboutToExpire(expiresAt: number | undefined, nowSeconds: number): boolean {
  return expiresAt !== undefined && expiresAt - nowSeconds <= MIN_USEFUL_LIFETIME_SECONDS;
}

/**
 * The URL a DPoP proof names (`htu`): the request's absolute URL without query and fragment.
 *
 * @example
 * proofTarget('https://enclave.example/api/v1/items?page=2#x'); // 'https://enclave.example/api/v1/items'
 */
export function proofTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * A `fetch` that authenticates every request with the current session.
 *
 * @example
 * const authenticatedFetch = createAuthenticatedFetch({
 *   currentSession: () => client.currentSession(),
 *   renew: (seen) => client.renew(seen),
 *   onSessionEnded: (error) => showSessionEnded(error),
 *   origin: window.location.origin,
 * });
 * const api = hc<ApiType>('/api/v1', { fetch: authenticatedFetch });
 */
export function createAuthenticatedFetch(deps: AuthenticatedFetchDependencies): typeof fetch {
  const send = deps.fetch ?? ((request: Request) => fetch(request));
  const now = deps.now ?? Date.now;

  async function signedAttempt(request: Request, session: Session): Promise<Response> {
    // Each attempt sends its own copy: a body can be read only once, and a proof used only once.
    const signed = request.clone();
    signed.headers.set('Authorization', `DPoP ${session.accessToken}`);
    signed.headers.set('DPoP', await session.proof(proofTarget(request.url), request.method));
    return send(signed);
  }

  return async function authenticatedFetch(input, init) {
    const request =
      input instanceof Request
        ? new Request(input, init)
        : new Request(new URL(input, deps.origin), init);
    try {
      let session = await deps.currentSession();
      if (!session) throw new SessionEndedError('signed-out-elsewhere');
      if (isAboutToExpire(session.expiresAt, now() / 1000)) {
        session = await deps.renew(session.expiresAt);
      }
      const first = await signedAttempt(request, session);
      if (first.status !== 401) return first;
      await first.body?.cancel();
      const renewed = await deps.renew(session.expiresAt);
      const second = await signedAttempt(request, renewed);
      if (second.status === 401) {
        await second.body?.cancel();
        throw new SessionEndedError('token-refused');
      }
      return second;
    } catch (error) {
      if (error instanceof SessionEndedError) deps.onSessionEnded(error);
      throw error;
    }
  };
}

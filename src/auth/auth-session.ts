/**
 * The app's sign-in state and what can be done with it: start, sign in, complete the sign-in,
 * sign out, and the session ending on its own. The state is a small observable the sign-in gate
 * renders from; the authenticated fetch here is what the API client sends requests with.
 *
 * Tabs keep each other informed over a BroadcastChannel (no tokens in the messages, only what
 * happened), so signing out in one tab signs every tab out at once, and signing in in one lets
 * the others in without a reload.
 */
import { createAuthenticatedFetch } from './authenticated-fetch.ts';
import type { AuthSettings } from './auth-database.ts';
import { forgetCurrentUser } from './last-known-user.ts';
import { createOidcClient, SIGNED_OUT_PATH, type OidcClient } from './oidc-client.ts';
import { safeReturnPath } from './return-path.ts';
import { SessionEndedError, type SessionEndReason } from './session-ended-error.ts';

export type AuthStatus =
  /** Reading the settings and the stored sign-in. */
  | { readonly kind: 'starting' }
  /** Nobody is signed in. */
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'signed-in' }
  /** Revoking the tokens before leaving for the issuer's sign-out. */
  | { readonly kind: 'signing-out' }
  /** The session ended without the user asking: renewal refused, token refused, gone. */
  | { readonly kind: 'ended'; readonly error: SessionEndedError }
  /** The sign-in settings could not be had: the server is out of reach and none were kept. */
  | { readonly kind: 'unavailable'; readonly error: unknown };

type TabMessage =
  | { readonly type: 'signed-in' }
  | { readonly type: 'signed-out' }
  | { readonly type: 'ended'; readonly reason: SessionEndReason };

const CHANNEL_NAME = 'enclave-auth';

let status: AuthStatus = { kind: 'starting' };
const listeners = new Set<() => void>();
let client: OidcClient | undefined;
let issuer: string | undefined;
let starting: Promise<void> | undefined;
let channel: BroadcastChannel | undefined;

let provideClient: (client: OidcClient) => void = () => undefined;
/** Resolves once the settings are known; actions wait for it instead of failing early. */
const clientReady = new Promise<OidcClient>((resolve) => {
  provideClient = resolve;
});

function setStatus(next: AuthStatus): void {
  status = next;
  for (const listener of listeners) listener();
}

function tellOtherTabs(message: TabMessage): void {
  channel?.postMessage(message);
}

async function onTabMessage(message: TabMessage): Promise<void> {
  const ready = await clientReady;
  if (message.type === 'signed-out') {
    if (status.kind === 'signed-in' || status.kind === 'ended') setStatus({ kind: 'signed-out' });
    return;
  }
  if (message.type === 'ended') {
    if (status.kind === 'signed-in') {
      setStatus({ kind: 'ended', error: new SessionEndedError(message.reason) });
    }
    return;
  }
  if (status.kind === 'signed-in' || status.kind === 'signing-out') return;
  if (await ready.resumeSession()) setStatus({ kind: 'signed-in' });
}

function listenToOtherTabs(): void {
  if (channel || typeof BroadcastChannel === 'undefined') return;
  channel = new BroadcastChannel(CHANNEL_NAME);
  channel.onmessage = (event: MessageEvent<TabMessage>) => {
    void onTabMessage(event.data);
  };
}

/**
 * Ends the session because it stopped working (not because the user signed out): forgets the
 * stored sign-in and shows the "session ended" screen. Only a signed-in app can end this way.
 */
function endSession(error: SessionEndedError): void {
  if (status.kind !== 'signed-in') return;
  setStatus({ kind: 'ended', error });
  tellOtherTabs({ type: 'ended', reason: error.reason });
  void forgetCurrentUser().catch(() => undefined);
  void clientReady.then((client) => client.forget()).catch(() => undefined);
}

function createClient(settings: AuthSettings): OidcClient {
  const created = createOidcClient(settings, window.location.origin);
  created.onRenewalFailed((error) => {
    if (error instanceof SessionEndedError) endSession(error);
  });
  issuer = settings.issuer;
  listenToOtherTabs();
  provideClient(created);
  return created;
}

/**
 * Starts the sign-in machinery once: loads the settings, then the stored sign-in. Safe to call
 * again; after a failure, a new call tries again.
 *
 * @example
 * useEffect(() => void startAuth(resolveAuthSettings), []);
 */
export function startAuth(loadSettings: () => Promise<AuthSettings>): Promise<void> {
  starting ??= (async () => {
    setStatus({ kind: 'starting' });
    // After a failed start only what failed is tried again: there is one client per page.
    client ??= createClient(await loadSettings());
    const session = await client.resumeSession();
    if (!session) {
      setStatus({ kind: 'signed-out' });
    } else if (session.canRenew || !isExpired(session.expiresAt)) {
      setStatus({ kind: 'signed-in' });
    } else {
      setStatus({ kind: 'ended', error: new SessionEndedError('not-renewable') });
      await client.forget();
    }
  })().catch((error: unknown) => {
    starting = undefined;
    setStatus({ kind: 'unavailable', error });
  });
  return starting;
}

function isExpired(expiresAt: number | undefined): boolean {
  return expiresAt !== undefined && expiresAt * 1000 <= Date.now();
}

/**
 * Leaves for the issuer's sign-in page; after signing in, the app opens at `returnTo` (a path on
 * this origin; anything else becomes `/`).
 *
 * @example
 * await signIn(location.pathname + location.search);
 */
export async function signIn(returnTo: string): Promise<void> {
  const client = await clientReady;
  await client.signIn(safeReturnPath(returnTo, window.location.origin));
}

const completions = new Map<string, Promise<string>>();

/**
 * Completes the sign-in the callback URL answers and resolves with the path to go on to; rejects
 * with `SignInError`. One completion per URL, however often it is asked for (React runs effects
 * twice in development, and a code can be exchanged only once).
 *
 * @example
 * const returnTo = await completeSignIn(window.location.href);
 * await router.navigate({ href: returnTo, replace: true });
 */
export function completeSignIn(url: string): Promise<string> {
  let completion = completions.get(url);
  if (!completion) {
    completion = (async () => {
      const client = await clientReady;
      const { returnTo } = await client.completeSignIn(url);
      setStatus({ kind: 'signed-in' });
      tellOtherTabs({ type: 'signed-in' });
      return safeReturnPath(returnTo, window.location.origin);
    })();
    completions.set(url, completion);
  }
  return completion;
}

/**
 * Signs out: revokes the tokens, deletes them and the DPoP key, tells the other tabs, then
 * leaves for the issuer's sign-out, which comes back to `/auth/signed-out`.
 *
 * @example
 * <button type="button" onClick={() => void signOut()}>Sign out</button>
 */
export async function signOut(): Promise<void> {
  const client = await clientReady;
  setStatus({ kind: 'signing-out' });
  await forgetCurrentUser().catch(() => undefined);
  const idTokenHint = await client.revokeAndForget().catch((error: unknown) => {
    console.warn('Enclave could not clear the stored sign-in', error);
    return undefined;
  });
  tellOtherTabs({ type: 'signed-out' });
  try {
    await client.signOutAtIssuer(idTokenHint);
  } catch (error) {
    // Nothing is left in this browser; only the issuer's own session cookie may outlive this.
    console.warn('Enclave could not reach the sign-in server to sign out there', error);
    setStatus({ kind: 'signed-out' });
    window.location.replace(SIGNED_OUT_PATH);
  }
}

/**
 * The current status.
 *
 * @example
 * if (authStatus().kind === 'signed-in') showApp();
 */
export function authStatus(): AuthStatus {
  return status;
}

/**
 * Calls the listener whenever the status changes; returns the unsubscribe function.
 *
 * @example
 * useSyncExternalStore(subscribeToAuth, authStatus);
 */
export function subscribeToAuth(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The issuer people sign in at, once the settings are known.
 *
 * @example
 * <p>You sign in at {new URL(signInIssuer() ?? '').host}.</p>
 */
export function signInIssuer(): string | undefined {
  return issuer;
}

/**
 * An authenticated `fetch` (see `createAuthenticatedFetch`) that hands each signed request to
 * `send`: the browser's `fetch`, or for an upload that reports its progress, XMLHttpRequest.
 *
 * @example
 * const upload = authenticatedFetchThrough((request) => sendWithUploadProgress(request, onProgress));
 */
export function authenticatedFetchThrough(
  send: (request: Request) => Promise<Response>,
): typeof fetch {
  return createAuthenticatedFetch({
    currentSession: async () => (await clientReady).currentSession(),
    renew: async (seenExpiresAt) => (await clientReady).renew(seenExpiresAt),
    onSessionEnded: endSession,
    get origin() {
      return window.location.origin;
    },
    fetch: send,
  });
}

/**
 * `fetch` for the authenticated API: see `createAuthenticatedFetch`.
 *
 * @example
 * const api = hc<ApiType>('/api/v1', { fetch: authenticatedFetch });
 */
export const authenticatedFetch: typeof fetch = authenticatedFetchThrough((request) =>
  fetch(request),
);

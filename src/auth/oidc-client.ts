/**
 * The app's one door to oidc-client-ts: the rest of the app sees sessions, not the library.
 *
 * How it is set up, and why:
 * - Authorization code with PKCE (S256) as the public client the server names; no secret.
 * - DPoP (RFC 9449): every token is bound to a non-extractable WebCrypto key pair kept in
 *   IndexedDB, the authorization code included, so a copied token is useless elsewhere.
 * - Tokens and sign-in state live in IndexedDB (`enclave-auth`), never in Web Storage or a URL.
 * - No iframes at all (the page CSP has `frame-src 'none'`): no session monitor, no silent
 *   sign-in through a hidden frame. Renewal uses the refresh token only.
 * - Every renewal, automatic or asked for, runs under the cross-tab refresh lock and first looks
 *   whether another tab already renewed: refresh tokens rotate, and one spent twice revokes the
 *   whole sign-in.
 */
import {
  ErrorResponse,
  IndexedDbDPoPStore,
  UserManager,
  type User,
  type UserManagerSettings,
} from 'oidc-client-ts';
import type { AuthSettings } from './auth-database.ts';
import { IdbStateStore } from './idb-state-store.ts';
import { renewUnderLock, withRefreshLock } from './refresh-lock.ts';
import { SessionEndedError } from './session-ended-error.ts';
import { SignInError, explainIssuerError, issuerErrorIn } from './sign-in-error.ts';

/**
 * Automatic renewal starts this long before the access token expires: early enough for a slow
 * issuer and one retry, late enough that even the shortest token the server issues (1 minute)
 * is renewed only every quarter of a minute.
 */
const RENEW_BEFORE_EXPIRY_SECONDS = 45;
/** How long a call to the issuer (discovery, token, revocation) may take. */
const ISSUER_TIMEOUT_SECONDS = 10;

/** The SPA's pages that the issuer sends people back to. */
export const SIGN_IN_CALLBACK_PATH = '/auth/callback';
export const SIGNED_OUT_PATH = '/auth/signed-out';

/** A signed-in session, as the rest of the app sees it. */
export interface Session {
  readonly accessToken: string;
  /** When the access token expires, in seconds since the epoch, if the issuer said. */
  readonly expiresAt: number | undefined;
  /** Whether a refresh token is there to renew the access token with. */
  readonly canRenew: boolean;
  /**
   * A fresh DPoP proof for one request with this session's access token. `url` must be absolute
   * and carry no query or fragment. Rejects with `SessionEndedError` when the key is gone.
   */
  proof(url: string, method: string): Promise<string>;
}

/** Sign-in, renewal and sign-out against the configured issuer. */
export interface OidcClient {
  /** The stored session, read afresh (another tab may have renewed it); null if none. */
  currentSession(): Promise<Session | null>;
  /** The stored session, with this tab's automatic renewal armed for it. Call once at start. */
  resumeSession(): Promise<Session | null>;
  /**
   * Renews the access token under the cross-tab lock, unless another tab renewed it since the
   * token that expires at `seenExpiresAt`. Rejects with `SessionEndedError` when the session is
   * over; any other rejection (network, timeout) leaves the session as it was.
   */
  renew(seenExpiresAt: number | undefined): Promise<Session>;
  /** Leaves for the issuer's sign-in page; `returnTo` comes back through the sign-in state. */
  signIn(returnTo: string): Promise<void>;
  /**
   * Completes the sign-in the callback URL answers. Rejects with `SignInError` when it failed.
   * `returnTo` is what `signIn` was given, untrusted until checked.
   */
  completeSignIn(url: string): Promise<{ session: Session; returnTo: unknown }>;
  /**
   * Revokes the refresh and access tokens at the issuer (best effort) and deletes the stored
   * user and DPoP key, under the refresh lock; resolves with the id token for the sign-out hint.
   */
  revokeAndForget(): Promise<string | undefined>;
  /** Leaves for the issuer's sign-out, which returns to `/auth/signed-out`. */
  signOutAtIssuer(idTokenHint: string | undefined): Promise<void>;
  /** Deletes the stored user and DPoP key without asking the issuer. */
  forget(): Promise<void>;
  /** Calls `listener` when an automatic renewal failed; returns the unsubscribe function. */
  onRenewalFailed(listener: (error: Error) => void): () => void;
}

/** A `UserManager` whose every renewal goes through the refresh lock. */
class LockedRefreshUserManager extends UserManager {
  /** Expiry of the access token this tab last loaded: what "renewed elsewhere" is measured by. */
  private seenExpiresAt: number | undefined;

  constructor(settings: UserManagerSettings) {
    super(settings);
    // Sign-in, renewal and adoption all load the user through the library's events.
    this.events.addUserLoaded((user) => {
      this.seenExpiresAt = user.expires_at;
    });
    this.events.addUserUnloaded(() => {
      this.seenExpiresAt = undefined;
    });
  }

  override async getUser(raiseEvent = false): Promise<User | null> {
    const user = await super.getUser(raiseEvent);
    this.seenExpiresAt = user?.expires_at;
    return user;
  }

  /** The stored user, without arming timers or raising events. */
  readStoredUser(): Promise<User | null> {
    return this._loadUser();
  }

  /** Automatic renewal (the library's timer) comes through here too. */
  override signinSilent(): Promise<User | null> {
    return this.renewUnderLock(this.seenExpiresAt);
  }

  renewUnderLock(seenExpiresAt: number | undefined): Promise<User> {
    return renewUnderLock<User>({
      seenExpiresAt,
      readStored: () => this._loadUser(),
      expiresAtOf: (user) => user.expires_at,
      adopt: async (user) => {
        // Another tab renewed while this one waited: take its token and re-arm the timers.
        await this.events.load(user);
      },
      refresh: async (user) => {
        // Without a refresh token the library would fall back to a hidden iframe; never that.
        if (!user.refresh_token) throw new SessionEndedError('not-renewable');
        let renewed: User | null;
        try {
          renewed = await super.signinSilent();
        } catch (error) {
          // An OAuth error answer is final (revoked, expired, reused); anything else is the
          // network or the issuer being down, and the session may still be good.
          if (error instanceof ErrorResponse) {
            throw new SessionEndedError('renewal-refused', { cause: error });
          }
          throw error;
        }
        if (!renewed) throw new SessionEndedError('not-renewable');
        return renewed;
      },
    });
  }

  /** Revokes and deletes under the lock, so no tab refreshes with a token being revoked. */
  revokeAndForget(): Promise<string | undefined> {
    return withRefreshLock(async () => {
      const stored = await this._loadUser();
      try {
        await this.revokeTokens(['refresh_token', 'access_token']);
      } catch (error) {
        // The tokens are deleted here regardless; at worst they stay valid at the issuer until
        // they expire, and nothing in this browser holds them any more.
        console.warn('Enclave could not revoke the tokens at the sign-in server', error);
      }
      await this.removeUser();
      return stored?.id_token;
    });
  }
}

/** The place `signIn` recorded in the sign-in state (`{ returnTo }`), still untrusted. */
function returnToIn(state: unknown): unknown {
  return typeof state === 'object' && state !== null && 'returnTo' in state
    ? state.returnTo
    : undefined;
}

function sessionOf(manager: UserManager, user: User): Session {
  return {
    accessToken: user.access_token,
    expiresAt: user.expires_at,
    canRenew: Boolean(user.refresh_token),
    async proof(url, method) {
      const proof = await manager.dpopProof(url, user, method);
      // The key is deleted together with the stored user: someone signed out meanwhile.
      if (!proof) throw new SessionEndedError('signed-out-elsewhere');
      return proof;
    },
  };
}

/** The callback's failure, in the app's terms. */
function signInErrorOf(error: unknown, url: string): SignInError {
  if (error instanceof ErrorResponse) {
    return new SignInError(
      explainIssuerError(error.error),
      {
        code: error.error ?? undefined,
        description: error.error_description ?? undefined,
        returnTo: returnToIn(error.state),
      },
      { cause: error },
    );
  }
  // The issuer's own error, when the URL carries one, says more than what failed after it.
  const fromIssuer = issuerErrorIn(url);
  if (fromIssuer) return fromIssuer;
  if (error instanceof Error && error.message === 'No matching state found in storage') {
    return new SignInError(
      'This sign-in was already completed, or it was started in another browser.',
      {},
      { cause: error },
    );
  }
  if (error instanceof TypeError) {
    return new SignInError('The sign-in server could not be reached.', {}, { cause: error });
  }
  return new SignInError(
    'The sign-in could not be completed.',
    { description: error instanceof Error ? error.message : undefined },
    { cause: error },
  );
}

/**
 * A client for the issuer in `settings`, for the app served at `origin`.
 *
 * @example
 * const client = createOidcClient(
 *   { issuer: 'https://enclave.example/oidc', clientId: 'enclave-web', scope: 'openid profile offline_access' },
 *   window.location.origin,
 * );
 * const session = await client.resumeSession();
 * if (!session) await client.signIn('/data');
 */
export function createOidcClient(settings: AuthSettings, origin: string): OidcClient {
  const manager = new LockedRefreshUserManager({
    authority: settings.issuer,
    client_id: settings.clientId,
    scope: settings.scope,
    response_type: 'code',
    response_mode: 'query',
    disablePKCE: false,
    redirect_uri: `${origin}${SIGN_IN_CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}${SIGNED_OUT_PATH}`,
    dpop: { store: new IndexedDbDPoPStore(), bind_authorization_code: true },
    userStore: new IdbStateStore('user'),
    stateStore: new IdbStateStore('sign-in-state'),
    monitorSession: false,
    automaticSilentRenew: true,
    loadUserInfo: false,
    accessTokenExpiringNotificationTimeInSeconds: RENEW_BEFORE_EXPIRY_SECONDS,
    silentRequestTimeoutInSeconds: ISSUER_TIMEOUT_SECONDS,
    requestTimeoutInSeconds: ISSUER_TIMEOUT_SECONDS,
    revokeTokensOnSignout: false,
    // RFC 7009 revocation answers 200 with an empty body, which some issuers (ours among them)
    // label text/plain; the library would otherwise take that for a failure.
    revokeTokenAdditionalContentTypes: ['text/plain'],
    // Tokens authenticate every call to the issuer; cookies have no business there.
    fetchRequestCredentials: 'omit',
  });

  return {
    async currentSession() {
      const user = await manager.readStoredUser();
      return user ? sessionOf(manager, user) : null;
    },
    async resumeSession() {
      const user = await manager.getUser();
      return user ? sessionOf(manager, user) : null;
    },
    async renew(seenExpiresAt) {
      return sessionOf(manager, await manager.renewUnderLock(seenExpiresAt));
    },
    signIn(returnTo) {
      return manager.signinRedirect({ state: { returnTo } });
    },
    async completeSignIn(url) {
      try {
        const user = await manager.signinRedirectCallback(url);
        return { session: sessionOf(manager, user), returnTo: returnToIn(user.state) };
      } catch (error) {
        throw signInErrorOf(error, url);
      }
    },
    revokeAndForget() {
      return manager.revokeAndForget();
    },
    signOutAtIssuer(idTokenHint) {
      return manager.signoutRedirect({
        id_token_hint: idTokenHint,
        post_logout_redirect_uri: `${origin}${SIGNED_OUT_PATH}`,
      });
    },
    forget() {
      return manager.removeUser();
    },
    onRenewalFailed(listener) {
      return manager.events.addSilentRenewError(listener);
    },
  };
}

/**
 * The error for "you are no longer signed in": the refresh token was refused (revoked, expired,
 * used twice), the server refused even a freshly renewed token, or the sign-in was removed in
 * another tab. It is an `ApiRequestError` (401) so query code treats it like any refusal: shown
 * plainly, never retried.
 */
import { ApiRequestError } from '../api/api-request-error.ts';

/** Why the session ended; the sign-in gate words its screen after it. */
export type SessionEndReason =
  /** The issuer refused the refresh token. */
  | 'renewal-refused'
  /** There is no refresh token to renew with (the issuer did not grant `offline_access`). */
  | 'not-renewable'
  /** The API refused the access token even after a renewal. */
  | 'token-refused'
  /** The stored sign-in is gone: signed out in another tab, or storage was cleared. */
  | 'signed-out-elsewhere';

const messages: Record<SessionEndReason, string> = {
  'renewal-refused':
    'The sign-in server no longer accepts your session: it was revoked, or it expired.',
  'not-renewable': 'Your sign-in expired and cannot be renewed without signing in again.',
  'token-refused': 'The Enclave server no longer accepts your sign-in.',
  'signed-out-elsewhere': 'You were signed out, perhaps in another tab or window.',
};

/**
 * @example
 * throw new SessionEndedError('renewal-refused', { cause: issuerError });
 */
export class SessionEndedError extends ApiRequestError {
  override readonly name: string = 'SessionEndedError';
  constructor(
    readonly reason: SessionEndReason,
    options?: ErrorOptions,
  ) {
    super(401, 'session_ended', messages[reason], undefined, options);
  }
}

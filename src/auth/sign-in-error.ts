/**
 * A sign-in that did not complete, in words a person can act on. The issuer reports refusals on
 * the callback URL (`?error=access_denied&error_description=…`); the callback itself can also fail
 * here (the sign-in was started in another browser, or already completed). Either way the page
 * shows what happened instead of a blank screen.
 */

/** What the issuer's standard error codes (OpenID Connect Core §3.1.2.6, RFC 6749) mean here. */
const explanations: ReadonlyMap<string, string> = new Map([
  ['access_denied', 'Sign-in was cancelled or refused.'],
  ['login_required', 'The sign-in server needs you to sign in again.'],
  ['interaction_required', 'The sign-in server needs you to complete a step before continuing.'],
  ['consent_required', 'The sign-in server needs your consent before continuing.'],
  ['account_selection_required', 'The sign-in server needs you to choose an account.'],
  [
    'temporarily_unavailable',
    'The sign-in server is busy or down for maintenance. Try again soon.',
  ],
  ['server_error', 'The sign-in server ran into a problem.'],
  ['invalid_request', 'The sign-in server could not accept this sign-in request.'],
  ['invalid_scope', 'The sign-in server refused the access Enclave asks for.'],
  ['unauthorized_client', 'The sign-in server does not allow Enclave to sign you in this way.'],
  ['unsupported_response_type', 'The sign-in server does not support the sign-in Enclave uses.'],
  ['invalid_grant', 'The sign-in could not be completed: it expired or was already used.'],
]);

/** Longer issuer descriptions are cut: they are shown as text, and a page of it helps nobody. */
const MAX_DESCRIPTION_LENGTH = 500;

/**
 * A failed sign-in: a headline for the person, and the issuer's own code and description when it
 * gave them.
 *
 * @example
 * throw new SignInError('Sign-in was cancelled or refused.', {
 *   code: 'access_denied',
 *   description: 'End-User aborted interaction',
 * });
 */
export class SignInError extends Error {
  override readonly name = 'SignInError';
  /** The issuer's error code, e.g. `access_denied`. */
  readonly code: string | undefined;
  /** The issuer's own explanation, shortened. */
  readonly description: string | undefined;
  /** Where the person was going, as the sign-in state recorded it (still to be validated). */
  readonly returnTo: unknown;

  constructor(
    message: string,
    details: { code?: string; description?: string; returnTo?: unknown } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = details.code;
    this.description = details.description?.slice(0, MAX_DESCRIPTION_LENGTH);
    this.returnTo = details.returnTo;
  }
}

/**
 * The headline for an issuer error code.
 *
 * @example
 * explainIssuerError('access_denied'); // 'Sign-in was cancelled or refused.'
 */
export function explainIssuerError(code: string | null | undefined): string {
  return (code && explanations.get(code)) || 'The sign-in server reported a problem.';
}

/**
 * The issuer error a callback URL carries, if any: `error`, `error_description` in the query, or
 * in the fragment for issuers that answer there.
 *
 * @example
 * issuerErrorIn('https://enclave.example/auth/callback?error=access_denied&state=s');
 * // SignInError { code: 'access_denied', message: 'Sign-in was cancelled or refused.' }
 */
export function issuerErrorIn(url: string): SignInError | undefined {
  const parsed = new URL(url);
  for (const params of [parsed.searchParams, new URLSearchParams(parsed.hash.slice(1))]) {
    const code = params.get('error');
    if (!code) continue;
    return new SignInError(explainIssuerError(code), {
      code,
      description: params.get('error_description') ?? undefined,
    });
  }
  return undefined;
}

/**
 * Whether a URL is the answer to a sign-in at all (it carries a code or an error).
 *
 * @example
 * isSignInResponse('https://enclave.example/auth/callback?code=c&state=s'); // true
 * isSignInResponse('https://enclave.example/auth/callback'); // false
 */
export function isSignInResponse(url: string): boolean {
  const parsed = new URL(url);
  return ['code', 'error'].some(
    (name) => parsed.searchParams.has(name) || new URLSearchParams(parsed.hash.slice(1)).has(name),
  );
}

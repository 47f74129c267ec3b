/** Unit tests of reading issuer errors off the sign-in callback URL. */
import { describe, expect, it } from 'vitest';
import {
  SignInError,
  explainIssuerError,
  isSignInResponse,
  issuerErrorIn,
} from './sign-in-error.ts';

const callback = 'https://enclave.example/auth/callback';

describe('issuerErrorIn', () => {
  it('reads the code and description from the query', () => {
    const error = issuerErrorIn(
      `${callback}?error=access_denied&error_description=End-User+aborted+interaction&state=s1`,
    );
    expect(error).toBeInstanceOf(SignInError);
    expect(error).toMatchObject({
      code: 'access_denied',
      description: 'End-User aborted interaction',
      message: 'Sign-in was cancelled or refused.',
    });
  });

  it('reads an error from the fragment too', () => {
    expect(issuerErrorIn(`${callback}#error=login_required&state=s1`)).toMatchObject({
      code: 'login_required',
      description: undefined,
    });
  });

  it('explains unknown codes generically and cuts long descriptions', () => {
    const error = issuerErrorIn(
      `${callback}?error=weird_thing&error_description=${'x'.repeat(2000)}`,
    );
    expect(error?.message).toBe('The sign-in server reported a problem.');
    expect(error?.description).toHaveLength(500);
  });

  it('finds nothing on a successful answer', () => {
    expect(issuerErrorIn(`${callback}?code=abc&state=s1`)).toBeUndefined();
  });
});

describe('explainIssuerError', () => {
  it('does not treat inherited object keys as codes', () => {
    expect(explainIssuerError('constructor')).toBe('The sign-in server reported a problem.');
    expect(explainIssuerError(null)).toBe('The sign-in server reported a problem.');
  });
});

describe('isSignInResponse', () => {
  it('recognises codes and errors, in query or fragment', () => {
    expect(isSignInResponse(`${callback}?code=abc&state=s1`)).toBe(true);
    expect(isSignInResponse(`${callback}?error=access_denied`)).toBe(true);
    expect(isSignInResponse(`${callback}#code=abc`)).toBe(true);
    expect(isSignInResponse(callback)).toBe(false);
    expect(isSignInResponse(`${callback}?state=s1`)).toBe(false);
  });
});

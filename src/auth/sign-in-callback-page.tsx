/**
 * The page the issuer sends people back to (`/auth/callback`): it completes the sign-in, then
 * goes on to where they were going. While it works it shows a calm progress state; when the
 * issuer refused or the sign-in cannot complete, it says why and offers to try again.
 */
import { useRouter } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { AuthProgress, AuthScreen } from './auth-screen.tsx';
import { completeSignIn } from './auth-session.ts';
import { DEFAULT_RETURN_PATH, safeReturnPath } from './return-path.ts';
import { SignInButton } from './sign-in-button.tsx';
import { SignInError, isSignInResponse } from './sign-in-error.ts';

type Outcome =
  { readonly kind: 'working' } | { readonly kind: 'failed'; readonly error: SignInError };

function SignInFailed({ error }: { error: SignInError }) {
  const returnTo = safeReturnPath(error.returnTo, window.location.origin);
  return (
    <AuthScreen title="Sign-in did not complete" focusHeading>
      <div className="panel panel-error" role="alert">
        <p>{error.message}</p>
        {error.description && (
          <p>
            The sign-in server said: <q className="issuer-says">{error.description}</q>
          </p>
        )}
        {error.code && (
          <p className="request-id">
            Error code: <code>{error.code}</code>
          </p>
        )}
      </div>
      <SignInButton returnTo={returnTo} label="Try again" />
    </AuthScreen>
  );
}

export function SignInCallbackPage() {
  const router = useRouter();
  const [outcome, setOutcome] = useState<Outcome>(() =>
    isSignInResponse(window.location.href)
      ? { kind: 'working' }
      : {
          kind: 'failed',
          error: new SignInError('There is no sign-in to complete here.', {
            returnTo: DEFAULT_RETURN_PATH,
          }),
        },
  );

  useEffect(() => {
    const url = window.location.href;
    if (!isSignInResponse(url)) return;
    let current = true;
    completeSignIn(url).then(
      (returnTo) => {
        // Replace, so Back does not lead to a spent code.
        if (current) void router.navigate({ href: returnTo, replace: true });
      },
      (error: unknown) => {
        if (!current) return;
        setOutcome({
          kind: 'failed',
          error:
            error instanceof SignInError
              ? error
              : new SignInError('The sign-in could not be completed.', {}, { cause: error }),
        });
      },
    );
    return () => {
      current = false;
    };
  }, [router]);

  if (outcome.kind === 'failed') return <SignInFailed error={outcome.error} />;
  return (
    <AuthScreen title="Signing you in" busy>
      <AuthProgress>Completing your sign-in…</AuthProgress>
    </AuthScreen>
  );
}

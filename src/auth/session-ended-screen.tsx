/**
 * What replaces the app when the session ended on its own (renewal refused, token refused,
 * signed out elsewhere): what happened, and "Sign in again" back to the same page.
 */
import { useLocation } from '@tanstack/react-router';
import { AuthScreen } from './auth-screen.tsx';
import type { SessionEndedError } from './session-ended-error.ts';
import { SignInButton } from './sign-in-button.tsx';

export function SessionEndedScreen({ error }: { error: SessionEndedError }) {
  const returnTo = useLocation({ select: (location) => location.href });
  return (
    <AuthScreen title="Your session has ended" focusHeading>
      <p className="auth-lead">{error.message}</p>
      <p>
        Nothing of your session is kept in this browser any more. Sign in again to carry on where
        you were.
      </p>
      <SignInButton returnTo={returnTo} label="Sign in again" />
    </AuthScreen>
  );
}

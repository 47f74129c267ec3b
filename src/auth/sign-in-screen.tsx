/** What the app shows when nobody is signed in: the product, one line about it, and "Sign in". */
import { useLocation } from '@tanstack/react-router';
import { AuthScreen } from './auth-screen.tsx';
import { signInIssuer } from './auth-session.ts';
import { SignInButton } from './sign-in-button.tsx';

/** The host people type their password at, named so an unexpected one stands out. */
function issuerHost(): string | undefined {
  const issuer = signInIssuer();
  return issuer ? new URL(issuer).host : undefined;
}

export function SignInScreen() {
  const returnTo = useLocation({ select: (location) => location.href });
  const host = issuerHost();
  return (
    <AuthScreen title="Sign in to Enclave">
      <p className="auth-lead">
        Open and analyse scientific data in your browser; the server keeps only what must be shared.
      </p>
      <SignInButton returnTo={returnTo} />
      {host && (
        <p className="note">
          You sign in at <span className="mono">{host}</span> and come back here.
        </p>
      )}
    </AuthScreen>
  );
}

/** Where the issuer sends people back after signing out (`/auth/signed-out`). */
import { AuthScreen } from './auth-screen.tsx';
import { SignInButton } from './sign-in-button.tsx';

export function SignedOutPage() {
  return (
    <AuthScreen title="You are signed out">
      <p className="auth-lead">
        Your tokens were revoked and removed from this browser, together with the key they were
        bound to.
      </p>
      <SignInButton returnTo="/" label="Sign in again" />
    </AuthScreen>
  );
}

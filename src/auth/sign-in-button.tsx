/**
 * The button that starts a sign-in: it leaves for the issuer's sign-in page and says so while
 * it does, and if the issuer cannot be reached it says that instead of doing nothing.
 */
import { useState } from 'react';
import { signIn } from './auth-session.ts';

interface SignInButtonProps {
  /** Where to come back to after signing in: a path on this app. */
  returnTo: string;
  /** The button's text and accessible name. */
  label?: string;
}

type Progress =
  | { readonly kind: 'idle' }
  | { readonly kind: 'leaving' }
  | { readonly kind: 'failed'; readonly message: string };

export function SignInButton({ returnTo, label = 'Sign in' }: SignInButtonProps) {
  const [progress, setProgress] = useState<Progress>({ kind: 'idle' });

  async function start() {
    setProgress({ kind: 'leaving' });
    try {
      await signIn(returnTo);
      // Resolving means the page is still (or again, via Back) here: offer the button anew.
      setProgress({ kind: 'idle' });
    } catch (error) {
      setProgress({
        kind: 'failed',
        message: error instanceof Error && error.message ? error.message : String(error),
      });
    }
  }

  return (
    <div className="auth-actions">
      <button
        type="button"
        className="button button-large"
        disabled={progress.kind === 'leaving'}
        onClick={() => void start()}
      >
        {label}
      </button>
      {progress.kind === 'leaving' && (
        <p className="note" role="status">
          Taking you to the sign-in page…
        </p>
      )}
      {progress.kind === 'failed' && (
        <p className="note note-error" role="alert">
          The sign-in page could not be reached ({progress.message}). Check your connection and try
          again.
        </p>
      )}
    </div>
  );
}

/**
 * The root of the page: starts the sign-in machinery, then shows either one of the sign-in
 * flow's own pages (`/auth/callback`, `/auth/signed-out`, which work without a session) or the
 * app behind the sign-in gate: the app itself only for a signed-in user, otherwise the screen
 * that fits (sign in, session ended, signing out).
 *
 * Whenever nobody is signed in, the query cache is emptied, so no earlier user's data stays in
 * memory for the next one.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Outlet, useMatches } from '@tanstack/react-router';
import { useEffect, useState, type ReactNode } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { AuthProgress, AuthScreen } from './auth-screen.tsx';
import { startAuth } from './auth-session.ts';
import { resolveAuthSettings } from './auth-settings.ts';
import { SessionEndedScreen } from './session-ended-screen.tsx';
import { SignInScreen } from './sign-in-screen.tsx';
import { useAuthStatus } from './use-auth-status.ts';

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    /** A page of the sign-in flow itself, shown without the sign-in gate. */
    signInFlow?: boolean;
  }
}

function useStartAuth(): void {
  useEffect(() => {
    void startAuth(resolveAuthSettings);
  }, []);
}

function useForgetDataWhenSignedOut(signedIn: boolean): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!signedIn) queryClient.clear();
  }, [signedIn, queryClient]);
}

/** Starting usually takes a blink; a progress screen only flashes then, so it waits a moment. */
const STARTING_SCREEN_DELAY_MS = 400;

function StartingScreen() {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setShown(true), STARTING_SCREEN_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);
  if (!shown) return null;
  return (
    <AuthScreen title="Starting" busy>
      <AuthProgress>Checking your sign-in…</AuthProgress>
    </AuthScreen>
  );
}

function Unavailable({ error }: { error: unknown }) {
  return (
    <AuthScreen title="Enclave cannot start">
      <ErrorPanel
        error={error}
        title="The sign-in settings could not be loaded"
        onRetry={() => void startAuth(resolveAuthSettings)}
      />
    </AuthScreen>
  );
}

/**
 * The root route's component.
 *
 * @example
 * createRootRoute({ component: () => <AuthRoot><AppLayout /></AuthRoot> });
 */
export function AuthRoot({ children }: { children: ReactNode }) {
  const status = useAuthStatus();
  const onSignInFlowPage = useMatches({
    select: (matches) => matches.some((match) => match.staticData.signInFlow === true),
  });
  useStartAuth();
  useForgetDataWhenSignedOut(status.kind === 'signed-in');

  if (status.kind === 'starting') return <StartingScreen />;
  if (status.kind === 'unavailable') return <Unavailable error={status.error} />;
  // The sign-in flow's own pages work whoever is (or is not) signed in.
  if (onSignInFlowPage) return <Outlet />;
  switch (status.kind) {
    case 'signed-in':
      return children;
    case 'signed-out':
      return <SignInScreen />;
    case 'ended':
      return <SessionEndedScreen error={status.error} />;
    case 'signing-out':
      return (
        <AuthScreen title="Signing out" busy>
          <AuthProgress>Signing you out…</AuthProgress>
        </AuthScreen>
      );
  }
}

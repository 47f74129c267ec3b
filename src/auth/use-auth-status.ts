/** Hook that re-renders its component when the sign-in status changes. */
import { useSyncExternalStore } from 'react';
import { authStatus, subscribeToAuth, type AuthStatus } from './auth-session.ts';

/**
 * @example
 * const status = useAuthStatus();
 * if (status.kind === 'signed-out') return <SignInScreen />;
 */
export function useAuthStatus(): AuthStatus {
  return useSyncExternalStore(subscribeToAuth, authStatus);
}

/**
 * The header's account corner: who is signed in and with which system role, and "Sign out".
 * Signing out revokes the tokens, forgets them and the DPoP key, and ends the issuer's session;
 * the app's cached data goes when the sign-in gate closes.
 */
import { signOut } from './auth-session.ts';
import { useCurrentUser } from './use-current-user.ts';
import type { CurrentUser } from '../api/client.ts';

const roleNames: Record<CurrentUser['systemRole'], string> = {
  admin: 'Admin',
  user: 'User',
  viewer: 'Viewer',
};

export function UserMenu() {
  const user = useCurrentUser();
  return (
    <div className="user-menu">
      {user.data && (
        <p className="user-identity">
          <span className="user-name" data-testid="current-user">
            {user.data.displayName || user.data.username}
          </span>
          <span className="badge badge-neutral">
            <span className="visually-hidden">System role: </span>
            {roleNames[user.data.systemRole]}
          </span>
        </p>
      )}
      <button
        type="button"
        className="button button-small button-on-brand"
        onClick={() => void signOut()}
      >
        Sign out
      </button>
    </div>
  );
}

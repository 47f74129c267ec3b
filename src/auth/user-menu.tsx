/**
 * The header's account corner: who is signed in and with which system role, and "Sign out".
 * Signing out revokes the tokens, forgets them and the DPoP key, and ends the issuer's session;
 * the app's cached data goes when the sign-in gate closes. When datasets are kept on this device,
 * signing out first asks whether to delete them too (the person may be on a shared machine), and
 * a deletion that fails is shown rather than signed out past.
 */
import { useState } from 'react';
import { forgetAllOpenTables } from '../data/open-tables.ts';
import { engine } from '../engine/engine-client.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { listDatasets, wipeDatasets } from '../local-datasets/index.ts';
import { signOut } from './auth-session.ts';
import { useCurrentUser } from './use-current-user.ts';
import type { CurrentUser } from '../api/client.ts';

const roleNames: Record<CurrentUser['systemRole'], string> = {
  admin: 'Admin',
  user: 'User',
  viewer: 'Viewer',
};

type Offer =
  | { readonly status: 'closed' }
  | { readonly status: 'asking'; readonly count: number }
  | { readonly status: 'wiping'; readonly count: number }
  | { readonly status: 'failed'; readonly count: number; readonly error: unknown };

export function UserMenu() {
  const user = useCurrentUser();
  const [offer, setOffer] = useState<Offer>({ status: 'closed' });
  const ownerId = user.data?.id;

  const startSignOut = async () => {
    const kept = ownerId ? await listDatasets(ownerId).catch(() => []) : [];
    if (kept.length === 0) await signOut();
    else setOffer({ status: 'asking', count: kept.length });
  };

  const wipeAndSignOut = async (count: number) => {
    if (!ownerId) return;
    setOffer({ status: 'wiping', count });
    try {
      await wipeDatasets(ownerId);
      await Promise.all(forgetAllOpenTables().map((entry) => engine().drop(entry.table.tableId)));
    } catch (error) {
      setOffer({ status: 'failed', count, error });
      return;
    }
    await signOut();
  };

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
        disabled={offer.status === 'wiping'}
        onClick={() => void startSignOut()}
      >
        Sign out
      </button>
      {offer.status !== 'closed' && (
        <div className="sign-out-offer" role="dialog" aria-labelledby="sign-out-offer-title">
          <p id="sign-out-offer-title">
            {offer.count === 1
              ? 'One dataset is kept on this device.'
              : `${String(offer.count)} datasets are kept on this device.`}{' '}
            Delete {offer.count === 1 ? 'it' : 'them'} as you sign out?
          </p>
          {offer.status === 'failed' && (
            <ErrorPanel error={offer.error} title="The datasets were not deleted" />
          )}
          <div className="actions">
            <button
              type="button"
              className="button button-danger"
              disabled={offer.status === 'wiping'}
              onClick={() => void wipeAndSignOut(offer.count)}
            >
              {offer.status === 'wiping' ? 'Deleting…' : 'Delete and sign out'}
            </button>
            <button
              type="button"
              className="button button-secondary"
              disabled={offer.status === 'wiping'}
              onClick={() => void signOut()}
            >
              Keep and sign out
            </button>
            <button
              type="button"
              className="button button-secondary"
              disabled={offer.status === 'wiping'}
              onClick={() => setOffer({ status: 'closed' })}
            >
              Cancel
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

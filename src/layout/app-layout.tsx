/**
 * The frame around every page: header (with the signed-in user and "Sign out"), main navigation
 * (the areas this user is offered), the page itself and a footer. After a navigation, focus moves
 * to the new page's heading so keyboard and screen-reader users land on the content instead of
 * staying on the link they followed.
 */
import { Link, Outlet, useRouter } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { useVisibleAreas } from '../areas/use-visible-areas.ts';
import { UserMenu } from '../auth/user-menu.tsx';
import { UpdateBanner } from '../offline/update-banner.tsx';
import { usePublicConfig } from '../server-status/use-public-config.ts';
import { ConnectionIndicator } from './connection-indicator.tsx';
import { NavIcon } from './nav-icon.tsx';

function useFocusHeadingOnNavigation() {
  const mainRef = useRef<HTMLElement>(null);
  const router = useRouter();
  useEffect(
    () =>
      // After the new page has rendered, so its heading is the one found; not on the first load,
      // where focus belongs at the top of the document.
      router.subscribe('onRendered', (event) => {
        if (!event.fromLocation || !event.pathChanged) return;
        mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
      }),
    [router],
  );
  return mainRef;
}

function Footer() {
  const config = usePublicConfig();
  return (
    <footer className="app-footer">Enclave {config.data ? `v${config.data.version}` : ''}</footer>
  );
}

export function AppLayout() {
  const mainRef = useFocusHeadingOnNavigation();
  const areas = useVisibleAreas();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span className="brand-name">Enclave</span>
        </Link>
        <span className="brand-tagline">Secure workbench for scientific data</span>
        <ConnectionIndicator />
        <UserMenu />
      </header>
      <nav className="app-nav" aria-label="Main">
        <ul>
          <li>
            <Link to="/" activeOptions={{ exact: true }} className="nav-link">
              <NavIcon name="overview" />
              Overview
            </Link>
          </li>
          {areas.map((area) => (
            <li key={area.path}>
              <Link to={area.path} className="nav-link">
                <NavIcon name={area.icon} />
                {area.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="app-main" tabIndex={-1} ref={mainRef}>
        <UpdateBanner />
        <Outlet />
      </main>
      <Footer />
    </div>
  );
}

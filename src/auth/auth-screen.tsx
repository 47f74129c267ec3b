/**
 * The frame of every sign-in screen (sign in, signing in, session ended, signed out): the
 * product's mark and name above one card, in place of the app, so these screens read as part of
 * Enclave rather than an error page.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useDocumentTitle } from '../layout/use-document-title.ts';

interface AuthScreenProps {
  /** The card's heading, also the tab's title. */
  title: string;
  children: ReactNode;
  /**
   * Move focus to the heading when shown, for screens that replace the app while someone works
   * in it (the session ended), so a screen reader announces what happened.
   */
  focusHeading?: boolean;
  /** A calm progress state: the card is marked busy for assistive technology. */
  busy?: boolean;
}

export function AuthScreen({
  title,
  children,
  focusHeading = false,
  busy = false,
}: AuthScreenProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useDocumentTitle(title);
  useEffect(() => {
    if (focusHeading) headingRef.current?.focus();
  }, [focusHeading]);
  return (
    <main id="main" className="auth-screen">
      <section className="auth-card" aria-labelledby="auth-title" aria-busy={busy || undefined}>
        <p className="auth-brand">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <span className="auth-brand-name">Enclave</span>
        </p>
        <h1 id="auth-title" tabIndex={-1} ref={headingRef}>
          {title}
        </h1>
        {children}
      </section>
      <p className="auth-tagline">Secure workbench for scientific data</p>
    </main>
  );
}

/**
 * The progress line of a screen that waits (signing in, signing out), announced politely.
 *
 * @example
 * <AuthProgress>Signing you in…</AuthProgress>
 */
export function AuthProgress({ children }: { children: ReactNode }) {
  return (
    <p className="auth-progress" role="status">
      <span className="spinner" aria-hidden="true" />
      {children}
    </p>
  );
}

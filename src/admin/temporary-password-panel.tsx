/**
 * The temporary password a reset produced, shown this once with a copy button. Closing the panel
 * forgets it; the server keeps only its hash.
 */
import { useEffect, useRef } from 'react';
import { CopyButton } from '../ui/copy-button.tsx';

export function TemporaryPasswordPanel({
  username,
  temporaryPassword,
  onDone,
}: {
  username: string;
  temporaryPassword: string;
  onDone: () => void;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  return (
    <section className="panel panel-wide panel-notice" aria-labelledby="temporary-password-title">
      <h2 id="temporary-password-title" className="panel-title" tabIndex={-1} ref={headingRef}>
        Temporary password for {username}
      </h2>
      <p className="secret-row">
        <code className="secret" data-testid="temporary-password">
          {temporaryPassword}
        </code>
        <CopyButton text={temporaryPassword} subject="temporary password" />
      </p>
      <p className="note">
        It is shown this once. Pass it on over a channel you trust; {username} must choose a new
        password when signing in with it.
      </p>
      <button type="button" className="button button-small button-secondary" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

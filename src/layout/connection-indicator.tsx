/** The header's online/offline pill: the app keeps working offline, but the server is out of reach. */
import { useOnline } from '../offline/use-online.ts';

export function ConnectionIndicator() {
  const online = useOnline();
  return (
    <span className={`pill ${online ? 'pill-ok' : 'pill-warn'}`} role="status">
      <span className="pill-dot" aria-hidden="true" />
      {online ? 'Online' : 'Offline'}
    </span>
  );
}

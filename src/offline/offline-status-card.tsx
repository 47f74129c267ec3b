/**
 * The overview's card about the service worker: whether the app opens without a network, and
 * which destinations the worker lets the app's requests reach.
 */
import { useEgressStatus } from './use-egress-status.ts';
import { useServiceWorkerStatus } from './use-service-worker-status.ts';
import type { ServiceWorkerStatus } from './register-service-worker.ts';

function OfflineBadge({ status }: { status: ServiceWorkerStatus }) {
  switch (status.kind) {
    case 'unsupported':
      return <span className="badge badge-warn">Not supported</span>;
    case 'development':
      return <span className="badge badge-warn">Off in development</span>;
    case 'failed':
      return <span className="badge badge-error">Failed</span>;
    case 'registering':
      return <span className="badge badge-neutral">Installing…</span>;
    case 'registered':
      return status.controlling ? (
        <span className="badge badge-ok">Ready</span>
      ) : (
        <span className="badge badge-neutral">Installing…</span>
      );
  }
}

function AllowList({ controlling }: { controlling: boolean }) {
  const egress = useEgressStatus(controlling);
  if (!controlling) return <>Not in force until the service worker controls this page.</>;
  if (egress.isError) return <>The service worker did not report its allow-list.</>;
  if (!egress.data) return <>…</>;
  if (egress.data.state === 'unknown') {
    return <>This app’s own origin only (the server’s list is not known yet).</>;
  }
  const { allowedOrigins, source } = egress.data;
  return (
    <>
      <ul className="origins">
        <li>
          <span className="mono">{window.location.origin}</span> (this app)
        </li>
        {allowedOrigins.map((origin) => (
          <li key={origin} className="mono">
            {origin}
          </li>
        ))}
      </ul>
      {source === 'cache' && <span className="note">Kept copy: the server is out of reach.</span>}
    </>
  );
}

export function OfflineStatusCard() {
  const status = useServiceWorkerStatus();
  const controlling = status.kind === 'registered' && status.controlling;
  return (
    <section className="card" aria-labelledby="offline-status-title">
      <h2 id="offline-status-title" className="card-title">
        Offline use and network guard
      </h2>
      <dl className="facts">
        <dt>Offline-ready</dt>
        <dd>
          <OfflineBadge status={status} />
        </dd>
        <dt>Requests may go to</dt>
        <dd>
          <AllowList controlling={controlling} />
        </dd>
      </dl>
      {status.kind === 'failed' && <p className="note note-error">{status.message}</p>}
      <p className="note">
        Requests to any other destination are answered by the service worker and never leave the
        browser.
      </p>
    </section>
  );
}

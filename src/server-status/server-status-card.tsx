/** The overview's card about the server: is it healthy, which version, which sign-in issuer. */
import { ApiRequestError } from '../api/api-request-error.ts';
import { usePublicConfig } from './use-public-config.ts';
import { useServerHealth } from './use-server-health.ts';

function HealthBadge() {
  const health = useServerHealth();
  if (health.isSuccess) return <span className="badge badge-ok">Healthy</span>;
  if (health.isError) return <span className="badge badge-error">Unavailable</span>;
  if (health.fetchStatus === 'paused') return <span className="badge badge-warn">Offline</span>;
  return <span className="badge badge-neutral">Checking…</span>;
}

function ProblemNote({ error }: { error: unknown }) {
  const requestId = error instanceof ApiRequestError ? error.requestId : undefined;
  return (
    <p className="note note-error">
      {error instanceof Error ? error.message : 'The server status could not be read.'}
      {requestId && (
        <>
          {' '}
          Request id: <code>{requestId}</code>.
        </>
      )}
    </p>
  );
}

export function ServerStatusCard() {
  const config = usePublicConfig();
  const health = useServerHealth();
  const problem = health.error ?? config.error;
  const unknown = config.fetchStatus === 'paused' ? 'Unknown while offline' : '…';
  return (
    <section className="card" aria-labelledby="server-status-title">
      <h2 id="server-status-title" className="card-title">
        Server
      </h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <HealthBadge />
        </dd>
        <dt>Version</dt>
        <dd>{config.data?.version ?? unknown}</dd>
        <dt>Address</dt>
        <dd className="mono">{config.data?.publicUrl ?? unknown}</dd>
        <dt>Sign-in issuer</dt>
        <dd className="mono">{config.data?.oidcIssuer ?? unknown}</dd>
      </dl>
      {problem && <ProblemNote error={problem} />}
    </section>
  );
}

/**
 * One connection: where it points, who may use or edit it, and, for those with `edit`, the form
 * to change it or replace its password and the button to delete it. The password itself is
 * never shown: the server does not send it.
 */
import { Link, useNavigate } from '@tanstack/react-router';
import type { Connection } from '../api/connections-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { ConnectionGrantsSection } from './connection-grants-section.tsx';
import { EditConnectionForm } from './edit-connection-form.tsx';
import { useConnection } from './use-connection.ts';
import { useConnectionChanges } from './use-connection-changes.ts';

function ConnectionFacts({ connection }: { connection: Connection }) {
  return (
    <dl className="facts">
      <dt>Kind</dt>
      <dd>PostgreSQL</dd>
      <dt>Host</dt>
      <dd className="mono">
        {connection.host}:{connection.port}
      </dd>
      <dt>Database</dt>
      <dd className="mono">{connection.database}</dd>
      <dt>Database user</dt>
      <dd className="mono">{connection.user}</dd>
      <dt>TLS</dt>
      <dd>{connection.ssl ? 'Required, certificate verified' : 'Off: connects in the clear'}</dd>
      <dt>Password</dt>
      <dd>Stored encrypted on the server; never shown</dd>
      <dt>Last changed</dt>
      <dd>{formatDateTime(connection.updatedAt)}</dd>
    </dl>
  );
}

function DeleteConnection({ connection }: { connection: Connection }) {
  const { remove } = useConnectionChanges(connection.id);
  const navigate = useNavigate();
  return (
    <div className="danger-zone">
      <p>Dashboards that query through this connection will show no data for those views.</p>
      <ConfirmButton
        label="Delete connection"
        subject={connection.name}
        question={`Delete ${connection.name} and its stored password?`}
        confirmLabel="Yes, delete it"
        pending={remove.isPending}
        onConfirm={() =>
          remove.mutate(undefined, { onSuccess: () => void navigate({ to: '/connections' }) })
        }
      />
      {remove.isError && <ErrorPanel error={remove.error} title="The connection was not deleted" />}
    </div>
  );
}

export function ConnectionPage({ connectionId }: { connectionId: string }) {
  const connection = useConnection(connectionId);
  useDocumentTitle(connection.data?.name ?? 'Connection');
  const may = (action: string) => connection.data?.allowedActions.includes(action) ?? false;
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/connections">Connections</Link>
        </nav>
        <div className="title-row">
          <h1 id="page-title" tabIndex={-1}>
            {connection.data?.name ?? 'Connection'}
          </h1>
          {connection.data && (
            <span className="badge badge-neutral">
              {connection.data.myPermission === 'edit'
                ? 'You may edit'
                : connection.data.myPermission === 'use'
                  ? 'You may use'
                  : 'Admin access'}
            </span>
          )}
        </div>
      </header>
      {connection.isPending && <LoadingState label="Loading the connection…" />}
      {connection.isError && (
        <ErrorPanel
          error={connection.error}
          title="The connection could not be loaded"
          onRetry={() => void connection.refetch()}
        />
      )}
      {connection.data && (
        <>
          <section className="panel panel-wide" aria-labelledby="connection-settings-title">
            <h2 id="connection-settings-title" className="panel-title">
              Settings
            </h2>
            {may('connection.update') ? (
              <EditConnectionForm connection={connection.data} />
            ) : (
              <ConnectionFacts connection={connection.data} />
            )}
          </section>
          <ConnectionGrantsSection
            connectionId={connectionId}
            mayManage={may('connection.grants.manage')}
          />
          {may('connection.delete') && <DeleteConnection connection={connection.data} />}
        </>
      )}
    </article>
  );
}

/**
 * The Connections page: the external databases the signed-in user may use or edit (Admins: all).
 * Their passwords stay encrypted on the server; queries run there on the user's behalf.
 */
import { Link } from '@tanstack/react-router';
import { useSystemPermissions } from '../auth/use-system-permissions.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { CreateConnectionForm } from './create-connection-form.tsx';
import { useConnections } from './use-connections.ts';

const permissionNames = { use: 'Use', edit: 'Edit' } as const;

function ConnectionTable() {
  const connections = useConnections();
  if (connections.isPending) return <LoadingState label="Loading connections…" />;
  if (connections.isError) {
    return (
      <ErrorPanel
        error={connections.error}
        title="The connections could not be loaded"
        onRetry={() => void connections.refetch()}
      />
    );
  }
  if (connections.data.length === 0) {
    return <p className="empty">No connections you may use. Whoever edits one can grant it.</p>;
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Database</th>
          <th scope="col">Your grant</th>
        </tr>
      </thead>
      <tbody>
        {connections.data.map((connection) => (
          <tr key={connection.id}>
            <td>
              <Link to="/connections/$connectionId" params={{ connectionId: connection.id }}>
                {connection.name}
              </Link>
            </td>
            <td className="mono cell-text">
              {connection.database} on {connection.host}:{connection.port}
            </td>
            <td>
              {connection.myPermission ? permissionNames[connection.myPermission] : 'Admin access'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ConnectionListPage() {
  useDocumentTitle('Connections');
  const { createConnections } = useSystemPermissions();
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Connections
        </h1>
        <p className="page-lead">
          External databases that dashboards query through the server. A password is stored
          encrypted and never sent to any browser; a <strong>use</strong> grant runs read-only
          queries, an <strong>edit</strong> grant also changes the connection.
        </p>
      </header>
      <section aria-labelledby="connection-list-title">
        <h2 id="connection-list-title" className="section-title">
          Your connections
        </h2>
        <ConnectionTable />
      </section>
      {createConnections && <CreateConnectionForm />}
    </article>
  );
}

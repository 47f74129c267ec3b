/**
 * Who may use or edit a connection. Those with `edit` grant, change and remove grants; the
 * server keeps at least one `edit` grant and says so when a change would leave none.
 */
import { useId, useState } from 'react';
import type { ConnectionGrant, ConnectionPermission } from '../api/connections-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import {
  PrincipalSelect,
  principalKey,
  type PrincipalChoice,
} from '../principals/principal-select.tsx';
import { principalTypeLabels } from '../principals/principal-type-labels.ts';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { LoadingState } from '../ui/loading-state.tsx';
import {
  connectionPermissionLabels,
  connectionPermissions,
} from './connection-permission-labels.ts';
import { useConnectionChanges } from './use-connection-changes.ts';
import { useConnectionGrants } from './use-connection-grants.ts';

function PermissionSelect({
  id,
  label,
  value,
  onChange,
  disabled,
}: {
  id?: string;
  label?: string;
  value: ConnectionPermission;
  onChange: (permission: ConnectionPermission) => void;
  disabled?: boolean;
}) {
  return (
    <select
      id={id}
      aria-label={label}
      value={value}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value as ConnectionPermission)}
    >
      {connectionPermissions.map((permission) => (
        <option key={permission} value={permission}>
          {connectionPermissionLabels[permission]}
        </option>
      ))}
    </select>
  );
}

function AddGrantForm({
  connectionId,
  grants,
}: {
  connectionId: string;
  grants: readonly ConnectionGrant[];
}) {
  const { setGrant } = useConnectionChanges(connectionId);
  const [principal, setPrincipal] = useState<PrincipalChoice | null>(null);
  const [permission, setPermission] = useState<ConnectionPermission>('use');
  const principalId = useId();
  const permissionId = useId();
  return (
    <form
      className="inline-form"
      aria-label="Grant access"
      onSubmit={(event) => {
        event.preventDefault();
        if (!principal) return;
        setGrant.mutate(
          { principal, permission },
          { onSuccess: () => setPrincipal((current) => (current === principal ? null : current)) },
        );
      }}
    >
      <div className="field">
        <label htmlFor={principalId}>User or group</label>
        <PrincipalSelect
          id={principalId}
          value={principal}
          onChange={setPrincipal}
          exclude={grants.map((grant) => principalKey(grant.principal))}
        />
      </div>
      <div className="field">
        <label htmlFor={permissionId}>Grant</label>
        <PermissionSelect id={permissionId} value={permission} onChange={setPermission} />
      </div>
      <button type="submit" className="button" disabled={!principal || setGrant.isPending}>
        {setGrant.isPending ? 'Granting…' : 'Grant'}
      </button>
      {setGrant.isError && <ErrorPanel error={setGrant.error} title="The grant was not added" />}
    </form>
  );
}

export function ConnectionGrantsSection({
  connectionId,
  mayManage,
}: {
  connectionId: string;
  mayManage: boolean;
}) {
  const grants = useConnectionGrants(connectionId);
  const { setGrant } = useConnectionChanges(connectionId);
  return (
    <section className="panel panel-wide" aria-labelledby="grants-title">
      <h2 id="grants-title" className="panel-title">
        Grants
      </h2>
      {grants.isPending && <LoadingState label="Loading grants…" />}
      {grants.isError && (
        <ErrorPanel
          error={grants.error}
          title="The grants could not be loaded"
          onRetry={() => void grants.refetch()}
        />
      )}
      {grants.isSuccess && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">Kind</th>
              <th scope="col">Grant</th>
              {mayManage && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {grants.data.map((grant) => (
              <tr key={principalKey(grant.principal)}>
                <td>{grant.principal.name}</td>
                <td>{principalTypeLabels[grant.principal.type]}</td>
                <td>
                  {mayManage ? (
                    <PermissionSelect
                      label={`Grant of ${grant.principal.name}`}
                      value={grant.permission}
                      disabled={setGrant.isPending}
                      onChange={(permission) =>
                        setGrant.mutate({ principal: grant.principal, permission })
                      }
                    />
                  ) : (
                    connectionPermissionLabels[grant.permission]
                  )}
                </td>
                {mayManage && (
                  <td className="cell-actions">
                    <ConfirmButton
                      label="Revoke"
                      subject={grant.principal.name}
                      question={`Revoke the grant of ${grant.principal.name}?`}
                      confirmLabel="Revoke"
                      pending={setGrant.isPending}
                      onConfirm={() =>
                        setGrant.mutate({ principal: grant.principal, permission: null })
                      }
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {setGrant.isError && <ErrorPanel error={setGrant.error} title="The change was refused" />}
      {mayManage && grants.isSuccess && (
        <AddGrantForm connectionId={connectionId} grants={grants.data} />
      )}
    </section>
  );
}

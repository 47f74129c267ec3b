/**
 * The Admin page: every account with its system role and status, for Admins to change a role,
 * disable or enable an account and give a local account a temporary password. An admin cannot
 * demote or disable themselves (the server refuses it too).
 */
import type { User } from '../api/users-api.ts';
import { useCurrentUser } from '../auth/use-current-user.ts';
import { useSystemPermissions } from '../auth/use-system-permissions.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { LoadingState } from '../ui/loading-state.tsx';
import { systemRoleLabels, systemRoles } from '../users/system-role-labels.ts';
import { useResetUserPassword } from '../users/use-reset-user-password.ts';
import { useUpdateUser } from '../users/use-update-user.ts';
import { useUsers } from '../users/use-users.ts';
import { TemporaryPasswordPanel } from './temporary-password-panel.tsx';
import type { SystemRole } from '../api/users-api.ts';

const sourceLabels: Record<NonNullable<User['source']>, string> = {
  local: 'Local',
  ldap: 'LDAP',
  oidc: 'Identity provider',
};

function UserTable() {
  const users = useUsers();
  const me = useCurrentUser();
  const update = useUpdateUser();
  const reset = useResetUserPassword();
  if (users.isPending) return <LoadingState label="Loading users…" />;
  if (users.isError) {
    return (
      <ErrorPanel
        error={users.error}
        title="The users could not be loaded"
        onRetry={() => void users.refetch()}
      />
    );
  }
  const busy = update.isPending || reset.isPending;
  return (
    <div className="stack">
      {reset.data && (
        <TemporaryPasswordPanel
          username={reset.data.username}
          temporaryPassword={reset.data.temporaryPassword}
          onDone={() => reset.reset()}
        />
      )}
      {update.isError && <ErrorPanel error={update.error} title="The change was refused" />}
      {reset.isError && <ErrorPanel error={reset.error} title="The password was not reset" />}
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col">System role</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((user) => {
              const self = user.id === me.data?.id;
              return (
                <tr key={user.id}>
                  <td>
                    {user.username}
                    {self && <span className="note"> (you)</span>}
                  </td>
                  <td>{user.displayName}</td>
                  <td>{user.source ? sourceLabels[user.source] : ''}</td>
                  <td>
                    {user.systemRole && (
                      <select
                        aria-label={`System role of ${user.username}`}
                        value={user.systemRole}
                        disabled={self || busy}
                        title={self ? 'You cannot change your own role.' : undefined}
                        onChange={(event) => {
                          reset.reset();
                          update.mutate({
                            userId: user.id,
                            changes: { systemRole: event.target.value as SystemRole },
                          });
                        }}
                      >
                        {systemRoles.map((role) => (
                          <option key={role} value={role}>
                            {systemRoleLabels[role]}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td>
                    {user.disabled ? (
                      <span className="badge badge-error">Disabled</span>
                    ) : (
                      <span className="badge badge-ok">Active</span>
                    )}
                  </td>
                  <td className="cell-actions">
                    {!self &&
                      (user.disabled ? (
                        <button
                          type="button"
                          className="button button-small button-secondary"
                          disabled={busy}
                          onClick={() =>
                            update.mutate({ userId: user.id, changes: { disabled: false } })
                          }
                        >
                          Enable<span className="visually-hidden"> {user.username}</span>
                        </button>
                      ) : (
                        <ConfirmButton
                          label="Disable"
                          subject={user.username}
                          question={`Disable ${user.username}? Their next request is refused.`}
                          confirmLabel="Disable"
                          pending={busy}
                          onConfirm={() =>
                            update.mutate({ userId: user.id, changes: { disabled: true } })
                          }
                        />
                      ))}
                    {user.source === 'local' && (
                      <ConfirmButton
                        label="Reset password"
                        subject={user.username}
                        question={`Give ${user.username} a new temporary password?`}
                        confirmLabel="Reset"
                        pending={busy}
                        onConfirm={() => {
                          update.reset();
                          reset.mutate(user.id);
                        }}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function AdminPage() {
  useDocumentTitle('Admin');
  const { manageUsers } = useSystemPermissions();
  const me = useCurrentUser();
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Admin
        </h1>
        <p className="page-lead">
          User accounts and their system roles: Admins may do everything, Users work in the projects
          they belong to, Viewers only read, whatever they are granted.
        </p>
      </header>
      {me.isSuccess && !manageUsers ? (
        <section className="panel panel-wide" aria-labelledby="admins-only-title">
          <h2 id="admins-only-title" className="panel-title">
            For administrators
          </h2>
          <p>Only administrators manage user accounts.</p>
        </section>
      ) : (
        <section aria-labelledby="users-title">
          <h2 id="users-title" className="section-title">
            Users
          </h2>
          <UserTable />
        </section>
      )}
    </article>
  );
}

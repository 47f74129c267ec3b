/**
 * A project's members: each user or group with its role. Owners may grant a role, change one and
 * remove one; the server keeps at least one owner and says so when a change would leave none.
 */
import { useId, useState } from 'react';
import type { ProjectMember, ProjectRole } from '../api/projects-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import {
  PrincipalSelect,
  principalKey,
  type PrincipalChoice,
} from '../principals/principal-select.tsx';
import { principalTypeLabels } from '../principals/principal-type-labels.ts';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { LoadingState } from '../ui/loading-state.tsx';
import { projectRoleLabels, projectRoles } from './project-role-labels.ts';
import { useProjectMembers } from './use-project-members.ts';
import { useRemoveProjectMember, useSetProjectMember } from './use-project-member-changes.ts';

function RoleSelect({
  value,
  label,
  onChange,
  disabled,
  id,
}: {
  value: ProjectRole;
  label?: string;
  onChange: (role: ProjectRole) => void;
  disabled?: boolean;
  id?: string;
}) {
  return (
    <select
      id={id}
      aria-label={label}
      value={value}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value as ProjectRole)}
    >
      {projectRoles.map((role) => (
        <option key={role} value={role}>
          {projectRoleLabels[role]}
        </option>
      ))}
    </select>
  );
}

function AddMemberForm({
  projectId,
  members,
}: {
  projectId: string;
  members: readonly ProjectMember[];
}) {
  const add = useSetProjectMember(projectId);
  const [principal, setPrincipal] = useState<PrincipalChoice | null>(null);
  const [role, setRole] = useState<ProjectRole>('viewer');
  const principalId = useId();
  const roleId = useId();
  return (
    <form
      className="inline-form"
      aria-label="Add a member"
      onSubmit={(event) => {
        event.preventDefault();
        if (!principal) return;
        add.mutate(
          { principal: { type: principal.type, id: principal.id }, role },
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
          exclude={members.map((member) => principalKey(member.principal))}
        />
      </div>
      <div className="field">
        <label htmlFor={roleId}>Role</label>
        <RoleSelect id={roleId} value={role} onChange={setRole} />
      </div>
      <button type="submit" className="button" disabled={!principal || add.isPending}>
        {add.isPending ? 'Adding…' : 'Add member'}
      </button>
      {add.isError && <ErrorPanel error={add.error} title="The member was not added" />}
    </form>
  );
}

export function ProjectMembersSection({
  projectId,
  mayManage,
}: {
  projectId: string;
  mayManage: boolean;
}) {
  const members = useProjectMembers(projectId);
  const setRole = useSetProjectMember(projectId);
  const remove = useRemoveProjectMember(projectId);
  const busy = setRole.isPending || remove.isPending;
  const refused = setRole.error ?? remove.error;
  return (
    <section className="panel panel-wide" aria-labelledby="members-title">
      <h2 id="members-title" className="panel-title">
        Members
      </h2>
      {members.isPending && <LoadingState label="Loading members…" />}
      {members.isError && (
        <ErrorPanel
          error={members.error}
          title="The members could not be loaded"
          onRetry={() => void members.refetch()}
        />
      )}
      {members.isSuccess && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Kind</th>
              <th scope="col">Role</th>
              {mayManage && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => (
              <tr key={principalKey(member.principal)}>
                <td>{member.principal.name}</td>
                <td>{principalTypeLabels[member.principal.type]}</td>
                <td>
                  {mayManage ? (
                    <RoleSelect
                      label={`Role of ${member.principal.name}`}
                      value={member.role}
                      disabled={busy}
                      onChange={(role) => {
                        remove.reset();
                        setRole.mutate({ principal: member.principal, role });
                      }}
                    />
                  ) : (
                    projectRoleLabels[member.role]
                  )}
                </td>
                {mayManage && (
                  <td className="cell-actions">
                    <ConfirmButton
                      label="Remove"
                      subject={member.principal.name}
                      question={`Remove ${member.principal.name}?`}
                      confirmLabel="Remove"
                      pending={busy}
                      onConfirm={() => {
                        setRole.reset();
                        remove.mutate(member.principal);
                      }}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {refused && <ErrorPanel error={refused} title="The change was refused" />}
      {mayManage && members.isSuccess && (
        <AddMemberForm projectId={projectId} members={members.data} />
      )}
    </section>
  );
}

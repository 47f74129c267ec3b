/**
 * A group's direct members and who among them is a group admin. Admins and group admins add and
 * remove members; only Admins grant or revoke the group-admin flag (the server says who may, in
 * the group's allowed actions).
 */
import { useId, useState } from 'react';
import type { Group } from '../api/groups-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { UserSelect } from '../users/user-select.tsx';
import { useGroupChanges } from './use-group-changes.ts';

function AddMemberForm({ group, mayFlagAdmins }: { group: Group; mayFlagAdmins: boolean }) {
  const { setMember } = useGroupChanges(group.id);
  const [userId, setUserId] = useState('');
  const [admin, setAdmin] = useState(false);
  const userFieldId = useId();
  const adminFieldId = useId();
  return (
    <form
      className="inline-form"
      aria-label="Add a member"
      onSubmit={(event) => {
        event.preventDefault();
        setMember.mutate(
          { userId, ...(mayFlagAdmins ? { admin } : {}) },
          {
            onSuccess: () => {
              setUserId((current) => (current === userId ? '' : current));
              setAdmin(false);
            },
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor={userFieldId}>User</label>
        <UserSelect
          id={userFieldId}
          value={userId}
          onChange={setUserId}
          exclude={group.members.map((member) => member.id)}
        />
      </div>
      {mayFlagAdmins && (
        <div className="field field-checkbox">
          <input
            id={adminFieldId}
            type="checkbox"
            checked={admin}
            onChange={(event) => setAdmin(event.target.checked)}
          />
          <label htmlFor={adminFieldId}>Group admin</label>
        </div>
      )}
      <button type="submit" className="button" disabled={!userId || setMember.isPending}>
        {setMember.isPending ? 'Adding…' : 'Add member'}
      </button>
      {setMember.isError && <ErrorPanel error={setMember.error} title="The member was not added" />}
    </form>
  );
}

export function GroupMembersSection({
  group,
  mayManage,
  mayFlagAdmins,
}: {
  group: Group;
  mayManage: boolean;
  mayFlagAdmins: boolean;
}) {
  const { setMember, removeMember } = useGroupChanges(group.id);
  const busy = setMember.isPending || removeMember.isPending;
  const refused = setMember.error ?? removeMember.error;
  return (
    <section className="panel panel-wide" aria-labelledby="group-members-title">
      <h2 id="group-members-title" className="panel-title">
        Members
      </h2>
      {group.members.length === 0 ? (
        <p className="empty">This group has no direct members.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Name</th>
              <th scope="col">Group admin</th>
              {mayManage && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {group.members.map((member) => (
              <tr key={member.id}>
                <td>{member.username}</td>
                <td>{member.displayName}</td>
                <td>
                  {mayFlagAdmins ? (
                    <input
                      type="checkbox"
                      aria-label={`${member.username} is a group admin`}
                      checked={member.admin}
                      disabled={busy}
                      onChange={(event) => {
                        removeMember.reset();
                        setMember.mutate({ userId: member.id, admin: event.target.checked });
                      }}
                    />
                  ) : member.admin ? (
                    'Yes'
                  ) : (
                    'No'
                  )}
                </td>
                {mayManage && (
                  <td className="cell-actions">
                    <ConfirmButton
                      label="Remove"
                      subject={member.username}
                      question={`Remove ${member.username} from ${group.name}?`}
                      confirmLabel="Remove"
                      pending={busy}
                      onConfirm={() => {
                        setMember.reset();
                        removeMember.mutate(member.id);
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
      {mayManage && <AddMemberForm group={group} mayFlagAdmins={mayFlagAdmins} />}
    </section>
  );
}

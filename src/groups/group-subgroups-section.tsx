/**
 * The groups nested in a group: their members count as members of this one. Those who manage
 * the group's members may nest another group or take one out; the server refuses a cycle.
 */
import { Link } from '@tanstack/react-router';
import { useId, useState } from 'react';
import type { Group } from '../api/groups-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { useGroupChanges } from './use-group-changes.ts';
import { useGroups } from './use-groups.ts';

function AddSubgroupForm({ group }: { group: Group }) {
  const { addSubgroup } = useGroupChanges(group.id);
  const groups = useGroups();
  const [childId, setChildId] = useState('');
  const fieldId = useId();
  const nested = new Set(group.subgroups.map((subgroup) => subgroup.id));
  const candidates = (groups.data ?? []).filter(
    (candidate) => candidate.id !== group.id && !nested.has(candidate.id),
  );
  return (
    <form
      className="inline-form"
      aria-label="Nest a group"
      onSubmit={(event) => {
        event.preventDefault();
        addSubgroup.mutate(childId, {
          onSuccess: () => setChildId((current) => (current === childId ? '' : current)),
        });
      }}
    >
      <div className="field">
        <label htmlFor={fieldId}>Group to nest</label>
        <select id={fieldId} value={childId} onChange={(event) => setChildId(event.target.value)}>
          <option value="">Choose a group…</option>
          {candidates.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button" disabled={!childId || addSubgroup.isPending}>
        {addSubgroup.isPending ? 'Nesting…' : 'Nest group'}
      </button>
      {addSubgroup.isError && (
        <ErrorPanel error={addSubgroup.error} title="The group was not nested" />
      )}
    </form>
  );
}

export function GroupSubgroupsSection({ group, mayManage }: { group: Group; mayManage: boolean }) {
  const { removeSubgroup } = useGroupChanges(group.id);
  return (
    <section className="panel panel-wide" aria-labelledby="subgroups-title">
      <h2 id="subgroups-title" className="panel-title">
        Subgroups
      </h2>
      {group.subgroups.length === 0 ? (
        <p className="empty">No groups are nested in this one.</p>
      ) : (
        <ul className="plain-list">
          {group.subgroups.map((subgroup) => (
            <li key={subgroup.id} className="plain-list-row">
              <Link to="/groups/$groupId" params={{ groupId: subgroup.id }}>
                {subgroup.name}
              </Link>
              {mayManage && (
                <ConfirmButton
                  label="Take out"
                  subject={subgroup.name}
                  question={`Take ${subgroup.name} out of ${group.name}?`}
                  confirmLabel="Take out"
                  pending={removeSubgroup.isPending}
                  onConfirm={() => removeSubgroup.mutate(subgroup.id)}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {removeSubgroup.isError && (
        <ErrorPanel error={removeSubgroup.error} title="The group was not taken out" />
      )}
      {mayManage && <AddSubgroupForm group={group} />}
    </section>
  );
}

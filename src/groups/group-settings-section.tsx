/** A local group's settings: rename it (Admins and its group admins), delete it (Admins). */
import { useNavigate } from '@tanstack/react-router';
import { useId, useState } from 'react';
import type { Group } from '../api/groups-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { useGroupChanges } from './use-group-changes.ts';

function RenameGroupForm({ group }: { group: Group }) {
  const { rename } = useGroupChanges(group.id);
  const [name, setName] = useState(group.name);
  const nameId = useId();
  const changed = name.trim() !== group.name;
  return (
    <form
      className="inline-form"
      aria-label="Rename the group"
      onSubmit={(event) => {
        event.preventDefault();
        rename.mutate(name.trim());
      }}
    >
      <div className="field field-grow">
        <label htmlFor={nameId}>Group name</label>
        <input
          id={nameId}
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={200}
        />
      </div>
      <button
        type="submit"
        className="button"
        disabled={!changed || !name.trim() || rename.isPending}
      >
        {rename.isPending ? 'Renaming…' : 'Rename'}
      </button>
      {rename.isError && <ErrorPanel error={rename.error} title="The group was not renamed" />}
    </form>
  );
}

function DeleteGroup({ group }: { group: Group }) {
  const { remove } = useGroupChanges(group.id);
  const navigate = useNavigate();
  return (
    <div className="danger-zone">
      <p>Deleting the group takes its roles on projects and its grants on connections with it.</p>
      <ConfirmButton
        label="Delete group"
        subject={group.name}
        question={`Delete ${group.name}?`}
        confirmLabel="Yes, delete it"
        pending={remove.isPending}
        onConfirm={() =>
          remove.mutate(undefined, { onSuccess: () => void navigate({ to: '/groups' }) })
        }
      />
      {remove.isError && <ErrorPanel error={remove.error} title="The group was not deleted" />}
    </div>
  );
}

export function GroupSettingsSection({
  group,
  mayRename,
  mayDelete,
}: {
  group: Group;
  mayRename: boolean;
  mayDelete: boolean;
}) {
  return (
    <section className="panel panel-wide" aria-labelledby="group-settings-title">
      <h2 id="group-settings-title" className="panel-title">
        Settings
      </h2>
      {mayRename && <RenameGroupForm group={group} />}
      {mayDelete && <DeleteGroup group={group} />}
    </section>
  );
}

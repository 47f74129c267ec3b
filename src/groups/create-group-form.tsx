/** The form that creates a local group (Admins). */
import { useId, useState } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useCreateGroup } from './use-create-group.ts';

export function CreateGroupForm() {
  const create = useCreateGroup();
  const [name, setName] = useState('');
  const nameId = useId();
  return (
    <form
      className="panel panel-wide inline-form"
      aria-labelledby="create-group-title"
      onSubmit={(event) => {
        event.preventDefault();
        const submitted = name;
        create.mutate(name.trim(), {
          // Keeps whatever was typed meanwhile.
          onSuccess: () => setName((current) => (current === submitted ? '' : current)),
        });
      }}
    >
      <h2 id="create-group-title" className="panel-title form-title">
        Create a group
      </h2>
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
      <button type="submit" className="button" disabled={create.isPending || !name.trim()}>
        {create.isPending ? 'Creating…' : 'Create group'}
      </button>
      {create.isError && <ErrorPanel error={create.error} title="The group was not created" />}
    </form>
  );
}

/** The form that creates a PostgreSQL connection and opens it; its creator may edit it. */
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConnectionFields } from './connection-fields.tsx';
import { emptyConnectionForm, newConnectionOf } from './connection-form-values.ts';
import { useCreateConnection } from './use-create-connection.ts';

export function CreateConnectionForm() {
  const create = useCreateConnection();
  const navigate = useNavigate();
  const [values, setValues] = useState(emptyConnectionForm);
  const input = newConnectionOf(values);
  return (
    <form
      className="panel panel-wide form"
      aria-labelledby="create-connection-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (!input) return;
        create.mutate(input, {
          onSuccess: (connection) =>
            void navigate({
              to: '/connections/$connectionId',
              params: { connectionId: connection.id },
            }),
        });
      }}
    >
      <h2 id="create-connection-title" className="panel-title">
        Add a PostgreSQL connection
      </h2>
      <ConnectionFields
        values={values}
        onChange={setValues}
        passwordMode="new"
        disabled={create.isPending}
      />
      <button type="submit" className="button" disabled={!input || create.isPending}>
        {create.isPending ? 'Adding…' : 'Add connection'}
      </button>
      {create.isError && (
        <ErrorPanel error={create.error} title="The connection could not be added" />
      )}
    </form>
  );
}

/**
 * Changes a connection's settings or replaces its password (`edit` grant). The password field
 * starts empty whatever is stored; moving the connection needs the password typed again.
 */
import { useState } from 'react';
import type { Connection } from '../api/connections-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConnectionFields } from './connection-fields.tsx';
import { changesOf, formValuesOf, movesPassword, portNumber } from './connection-form-values.ts';
import { useConnectionChanges } from './use-connection-changes.ts';

export function EditConnectionForm({ connection }: { connection: Connection }) {
  const { update } = useConnectionChanges(connection.id);
  const [values, setValues] = useState(() => formValuesOf(connection));
  const changes = changesOf(connection, values);
  const passwordRequired = movesPassword(connection, values);
  const ready =
    Object.keys(changes).length > 0 &&
    portNumber(values.port) !== null &&
    values.name.trim() !== '' &&
    (!passwordRequired || values.password !== '');
  return (
    <form
      className="form"
      aria-label="Edit the connection"
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate(changes, {
          // The typed password is sent once and not kept in the page.
          onSuccess: (saved) => setValues(formValuesOf(saved)),
        });
      }}
    >
      <ConnectionFields
        values={values}
        onChange={(next) => {
          update.reset();
          setValues(next);
        }}
        passwordMode="replace"
        passwordRequired={passwordRequired}
        disabled={update.isPending}
      />
      <div className="actions">
        <button type="submit" className="button" disabled={!ready || update.isPending}>
          {update.isPending ? 'Saving…' : 'Save changes'}
        </button>
        {update.isSuccess && (
          <span className="note" role="status">
            Saved.
          </span>
        )}
      </div>
      {update.isError && <ErrorPanel error={update.error} title="The changes were not saved" />}
    </form>
  );
}

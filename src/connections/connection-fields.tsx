/**
 * The fields of a PostgreSQL connection, for creating and for editing one. The password field
 * is write-only: it never shows the stored password (none is ever sent to the browser); when
 * editing it starts empty and says that leaving it so keeps the password.
 */
import { useId } from 'react';
import type { ConnectionFormValues } from './connection-form-values.ts';

interface ConnectionFieldsProps {
  values: ConnectionFormValues;
  onChange: (values: ConnectionFormValues) => void;
  /** `new`: a password must be given; `replace`: empty keeps the stored one. */
  passwordMode: 'new' | 'replace';
  /** Editing moved the connection, so the stored password must be typed again. */
  passwordRequired?: boolean;
  disabled?: boolean;
}

export function ConnectionFields({
  values,
  onChange,
  passwordMode,
  passwordRequired = passwordMode === 'new',
  disabled = false,
}: ConnectionFieldsProps) {
  const id = useId();
  const set = <Key extends keyof ConnectionFormValues>(
    key: Key,
    value: ConnectionFormValues[Key],
  ) => onChange({ ...values, [key]: value });
  return (
    <fieldset className="fields" disabled={disabled}>
      <div className="field field-span">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={values.name}
          onChange={(event) => set('name', event.target.value)}
          required
          maxLength={200}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-host`}>Host</label>
        <input
          id={`${id}-host`}
          value={values.host}
          onChange={(event) => set('host', event.target.value)}
          required
          maxLength={253}
          placeholder="db.example.org"
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="field field-narrow">
        <label htmlFor={`${id}-port`}>Port</label>
        <input
          id={`${id}-port`}
          value={values.port}
          onChange={(event) => set('port', event.target.value)}
          required
          inputMode="numeric"
          pattern="[0-9]{1,5}"
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-database`}>Database</label>
        <input
          id={`${id}-database`}
          value={values.database}
          onChange={(event) => set('database', event.target.value)}
          required
          maxLength={63}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-user`}>Database user</label>
        <input
          id={`${id}-user`}
          value={values.user}
          onChange={(event) => set('user', event.target.value)}
          required
          maxLength={63}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          value={values.password}
          onChange={(event) => set('password', event.target.value)}
          required={passwordRequired}
          maxLength={1024}
          autoComplete="new-password"
          placeholder={passwordMode === 'replace' ? 'unchanged — type to replace' : undefined}
          aria-describedby={`${id}-password-note`}
        />
        <span id={`${id}-password-note`} className="field-note">
          {passwordMode === 'new'
            ? 'Stored encrypted on the server and never shown again.'
            : passwordRequired
              ? 'Changing host, port, user or TLS needs the password again.'
              : 'Stored encrypted and never shown; leave empty to keep it.'}
        </span>
      </div>
      <div className="field field-checkbox field-span">
        <input
          id={`${id}-ssl`}
          type="checkbox"
          checked={values.ssl}
          onChange={(event) => set('ssl', event.target.checked)}
        />
        <label htmlFor={`${id}-ssl`}>Connect over TLS and verify the server certificate</label>
      </div>
    </fieldset>
  );
}

/**
 * What the connection forms hold, and how it becomes a request. The password is write-only: the
 * edit form starts with it empty and sends it only when something was typed, and a change of
 * where the password would go (host, port, user, TLS) needs it typed again, as the server
 * requires.
 */
import type { Connection, ConnectionChanges, NewConnection } from '../api/connections-api.ts';

export interface ConnectionFormValues {
  name: string;
  host: string;
  /** As typed; checked to be a port number before sending. */
  port: string;
  database: string;
  user: string;
  password: string;
  ssl: boolean;
}

export const emptyConnectionForm: ConnectionFormValues = {
  name: '',
  host: '',
  port: '5432',
  database: '',
  user: '',
  password: '',
  ssl: true,
};

/**
 * The edit form's starting values: the connection as it is, and no password.
 *
 * @example
 * const [values, setValues] = useState(() => formValuesOf(connection));
 */
export function formValuesOf(connection: Connection): ConnectionFormValues {
  return {
    name: connection.name,
    host: connection.host,
    port: String(connection.port),
    database: connection.database,
    user: connection.user,
    password: '',
    ssl: connection.ssl,
  };
}

/**
 * The port as a number, or null when the text is not a port (1–65535).
 *
 * @example
 * portNumber('5432'); // 5432
 * portNumber('54x'); // null
 */
export function portNumber(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text.trim())) return null;
  const port = Number(text.trim());
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * The request body for a new PostgreSQL connection, or null while a field is missing.
 *
 * @example
 * const input = newConnectionOf(values); // null until every field is filled in
 */
export function newConnectionOf(values: ConnectionFormValues): NewConnection | null {
  const port = portNumber(values.port);
  const name = values.name.trim();
  const host = values.host.trim();
  if (!name || !host || port === null || !values.database || !values.user || !values.password) {
    return null;
  }
  return {
    name,
    kind: 'postgres',
    host,
    port,
    database: values.database,
    user: values.user,
    password: values.password,
    ssl: values.ssl,
  };
}

/**
 * Whether the edit moves the connection (host, port, user, TLS), so the password must be typed
 * again.
 *
 * @example
 * movesPassword(connection, { ...formValuesOf(connection), host: 'replica' }); // true
 */
export function movesPassword(connection: Connection, values: ConnectionFormValues): boolean {
  return (
    values.host.trim() !== connection.host ||
    portNumber(values.port) !== connection.port ||
    values.user !== connection.user ||
    values.ssl !== connection.ssl
  );
}

/**
 * The fields that differ from the connection, the password only when one was typed.
 *
 * @example
 * changesOf(connection, { ...formValuesOf(connection), name: 'LIMS' }); // { name: 'LIMS' }
 */
export function changesOf(connection: Connection, values: ConnectionFormValues): ConnectionChanges {
  const changes: ConnectionChanges = {};
  const port = portNumber(values.port);
  if (values.name.trim() !== connection.name) changes.name = values.name.trim();
  if (values.host.trim() !== connection.host) changes.host = values.host.trim();
  if (port !== null && port !== connection.port) changes.port = port;
  if (values.database !== connection.database) changes.database = values.database;
  if (values.user !== connection.user) changes.user = values.user;
  if (values.ssl !== connection.ssl) changes.ssl = values.ssl;
  if (values.password) changes.password = values.password;
  return changes;
}

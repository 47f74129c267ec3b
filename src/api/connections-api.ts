/**
 * The connection routes (`/api/v1/connections…`): external databases the server queries on
 * behalf of those granted `use`, and changed by those granted `edit`. The password is
 * write-only: it is sent when set or replaced and never comes back.
 */
import { api, call } from './client.ts';

/**
 * The connections the caller holds a grant on; Admins see all (`GET /connections`).
 *
 * @example
 * const { connections } = await listConnections();
 */
export async function listConnections() {
  const response = await call(() => api.connections.$get());
  return response.json();
}

export type Connection = Awaited<ReturnType<typeof listConnections>>['connections'][number];
export type ConnectionPermission = NonNullable<Connection['myPermission']>;

/** What a new connection is made of; the password is required. */
export interface NewConnection {
  name: string;
  kind: Connection['kind'];
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: boolean;
}

/** A change to a connection; `password` only when it is to be replaced. */
export type ConnectionChanges = Partial<Omit<NewConnection, 'kind'>>;

/**
 * Creates a connection; the caller gets `edit` on it (`POST /connections`).
 *
 * @example
 * const connection = await createConnection({ name: 'LIMS', kind: 'postgres', … });
 */
export async function createConnection(input: NewConnection) {
  const response = await call(() => api.connections.$post({ json: input }));
  return response.json();
}

/**
 * One connection, without its password (`GET /connections/{id}`).
 *
 * @example
 * const { host, port, hasPassword } = await fetchConnection(id);
 */
export async function fetchConnection(id: string) {
  const response = await call(() => api.connections[':id'].$get({ param: { id } }));
  return response.json();
}

/**
 * Changes a connection; moving it (host, port, user, TLS) needs the password again
 * (`PATCH /connections/{id}`).
 *
 * @example
 * await updateConnection(id, { name: 'LIMS (read replica)' });
 */
export async function updateConnection(id: string, changes: ConnectionChanges) {
  const response = await call(() =>
    api.connections[':id'].$patch({ param: { id }, json: changes }),
  );
  return response.json();
}

/**
 * Deletes a connection with its grants and stored password (`DELETE /connections/{id}`).
 *
 * @example
 * await deleteConnection(id);
 */
export async function deleteConnection(id: string): Promise<void> {
  await call(() => api.connections[':id'].$delete({ param: { id } }));
}

/**
 * Who may use or edit the connection (`GET /connections/{id}/grants`).
 *
 * @example
 * const { grants } = await listConnectionGrants(id);
 */
export async function listConnectionGrants(id: string) {
  const response = await call(() => api.connections[':id'].grants.$get({ param: { id } }));
  return response.json();
}

export type ConnectionGrant = Awaited<ReturnType<typeof listConnectionGrants>>['grants'][number];

/**
 * Grants `use` or `edit` to a user or group, changes it, or removes it (`permission: null`);
 * the server keeps at least one `edit` grant (`PUT /connections/{id}/grants`).
 *
 * @example
 * await setConnectionGrant(id, { principal: { type: 'group', id: groupId }, permission: 'use' });
 */
export async function setConnectionGrant(
  id: string,
  grant: {
    principal: { type: ConnectionGrant['principal']['type']; id: string };
    permission: ConnectionPermission | null;
  },
) {
  const response = await call(() =>
    api.connections[':id'].grants.$put({ param: { id }, json: grant }),
  );
  return response.json();
}

/**
 * The user routes (`/api/v1/users…`): every account, to pick grantees from (names only, unless
 * the caller is an Admin), and the Admin's changes to an account: system role, disabled, a
 * temporary password shown once.
 */
import { api, call } from './client.ts';

/**
 * Every account; Admins also get role, status and source (`GET /users`).
 *
 * @example
 * const { users } = await listUsers();
 */
export async function listUsers() {
  const response = await call(() => api.users.$get());
  return response.json();
}

export type User = Awaited<ReturnType<typeof listUsers>>['users'][number];
export type SystemRole = NonNullable<User['systemRole']>;

/**
 * Changes an account's system role or disables it (Admins; never oneself)
 * (`PATCH /users/{id}`).
 *
 * @example
 * await updateUser(id, { systemRole: 'viewer' });
 */
export async function updateUser(
  id: string,
  changes: { systemRole?: SystemRole; disabled?: boolean },
) {
  const response = await call(() => api.users[':id'].$patch({ param: { id }, json: changes }));
  return response.json();
}

/**
 * Gives a local account a temporary password, returned this once
 * (`POST /users/{id}/password-reset`).
 *
 * @example
 * const { temporaryPassword } = await resetUserPassword(id);
 */
export async function resetUserPassword(id: string) {
  const response = await call(() => api.users[':id']['password-reset'].$post({ param: { id } }));
  return response.json();
}

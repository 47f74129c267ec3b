/**
 * The group routes (`/api/v1/groups…`): groups, their members (with the group-admin flag) and
 * the groups nested in them. Groups from a directory (LDAP, the identity provider) are read-only
 * here; each group carries the actions the caller may take on it.
 */
import { api, call } from './client.ts';

/**
 * Every group with its members and subgroups (`GET /groups`).
 *
 * @example
 * const { groups } = await listGroups();
 */
export async function listGroups() {
  const response = await call(() => api.groups.$get());
  return response.json();
}

export type Group = Awaited<ReturnType<typeof listGroups>>['groups'][number];

/**
 * Creates a local group (`POST /groups`).
 *
 * @example
 * const group = await createGroup('oncology');
 */
export async function createGroup(name: string) {
  const response = await call(() => api.groups.$post({ json: { name } }));
  return response.json();
}

/**
 * Renames a local group (`PATCH /groups/{id}`).
 *
 * @example
 * await renameGroup(id, 'oncology-team');
 */
export async function renameGroup(id: string, name: string) {
  const response = await call(() => api.groups[':id'].$patch({ param: { id }, json: { name } }));
  return response.json();
}

/**
 * Deletes a local group with its memberships and grants (`DELETE /groups/{id}`).
 *
 * @example
 * await deleteGroup(id);
 */
export async function deleteGroup(id: string): Promise<void> {
  await call(() => api.groups[':id'].$delete({ param: { id } }));
}

/**
 * Adds a member, or sets their group-admin flag (Admins only) (`PUT /groups/{id}/members/{userId}`).
 *
 * @example
 * await setGroupMember(groupId, userId, { admin: true });
 */
export async function setGroupMember(id: string, userId: string, change: { admin?: boolean }) {
  const response = await call(() =>
    api.groups[':id'].members[':userId'].$put({ param: { id, userId }, json: change }),
  );
  return response.json();
}

/**
 * Removes a member (`DELETE /groups/{id}/members/{userId}`).
 *
 * @example
 * await removeGroupMember(groupId, userId);
 */
export async function removeGroupMember(id: string, userId: string): Promise<void> {
  await call(() => api.groups[':id'].members[':userId'].$delete({ param: { id, userId } }));
}

/**
 * Nests a group in this one; its members become members (`PUT /groups/{id}/subgroups/{childId}`).
 *
 * @example
 * await addSubgroup(parentId, childId);
 */
export async function addSubgroup(id: string, childId: string) {
  const response = await call(() =>
    api.groups[':id'].subgroups[':childId'].$put({ param: { id, childId } }),
  );
  return response.json();
}

/**
 * Takes a nested group out of this one (`DELETE /groups/{id}/subgroups/{childId}`).
 *
 * @example
 * await removeSubgroup(parentId, childId);
 */
export async function removeSubgroup(id: string, childId: string): Promise<void> {
  await call(() => api.groups[':id'].subgroups[':childId'].$delete({ param: { id, childId } }));
}

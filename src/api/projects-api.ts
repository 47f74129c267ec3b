/**
 * The project routes (`/api/v1/projects…`): projects, and who holds which role on them. Each
 * project carries the caller's role and the actions the caller may take, which the UI uses to
 * offer only those (the server decides every request on its own).
 */
import { api, call } from './client.ts';

/**
 * The projects the caller may open (`GET /projects`).
 *
 * @example
 * const { projects } = await listProjects();
 */
export async function listProjects() {
  const response = await call(() => api.projects.$get());
  return response.json();
}

export type Project = Awaited<ReturnType<typeof listProjects>>['projects'][number];
export type ProjectRole = NonNullable<Project['myRole']>;

/**
 * One project (`GET /projects/{id}`).
 *
 * @example
 * const project = await fetchProject(id);
 */
export async function fetchProject(id: string) {
  const response = await call(() => api.projects[':id'].$get({ param: { id } }));
  return response.json();
}

/**
 * Creates a project; the caller becomes its owner (`POST /projects`).
 *
 * @example
 * const project = await createProject({ name: 'Kinase screening' });
 */
export async function createProject(input: { name: string; description?: string }) {
  const response = await call(() => api.projects.$post({ json: input }));
  return response.json();
}

/**
 * Renames a project or changes its description (`PATCH /projects/{id}`).
 *
 * @example
 * await updateProject(id, { name: 'Kinase screening 2' });
 */
export async function updateProject(id: string, changes: { name?: string; description?: string }) {
  const response = await call(() => api.projects[':id'].$patch({ param: { id }, json: changes }));
  return response.json();
}

/**
 * Deletes a project with its dashboards and datasets (`DELETE /projects/{id}`).
 *
 * @example
 * await deleteProject(id);
 */
export async function deleteProject(id: string): Promise<void> {
  await call(() => api.projects[':id'].$delete({ param: { id } }));
}

/**
 * The users and groups holding a role on the project (`GET /projects/{id}/members`).
 *
 * @example
 * const { members } = await listProjectMembers(id);
 */
export async function listProjectMembers(id: string) {
  const response = await call(() => api.projects[':id'].members.$get({ param: { id } }));
  return response.json();
}

export type ProjectMember = Awaited<ReturnType<typeof listProjectMembers>>['members'][number];
export type PrincipalType = ProjectMember['principal']['type'];

/**
 * Grants a user or group a role, or changes the role it holds (`PUT /projects/{id}/members`).
 *
 * @example
 * await setProjectMember(id, { principal: { type: 'user', id: daveId }, role: 'viewer' });
 */
export async function setProjectMember(
  id: string,
  grant: { principal: { type: PrincipalType; id: string }; role: ProjectRole },
) {
  const response = await call(() =>
    api.projects[':id'].members.$put({ param: { id }, json: grant }),
  );
  return response.json();
}

/**
 * Removes a user's or group's role; the server refuses to remove the last owner
 * (`DELETE /projects/{id}/members/{type}/{principalId}`).
 *
 * @example
 * await removeProjectMember(id, { type: 'user', id: daveId });
 */
export async function removeProjectMember(
  id: string,
  principal: { type: PrincipalType; id: string },
): Promise<void> {
  await call(() =>
    api.projects[':id'].members[':type'][':principalId'].$delete({
      param: { id, type: principal.type, principalId: principal.id },
    }),
  );
}

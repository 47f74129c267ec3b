/** How project roles read in the UI, in order from most to least permissive. */
import type { ProjectRole } from '../api/projects-api.ts';

export const projectRoleLabels: Record<ProjectRole, string> = {
  owner: 'Owner',
  editor: 'Editor',
  viewer: 'Viewer',
};

export const projectRoles: readonly ProjectRole[] = ['owner', 'editor', 'viewer'];

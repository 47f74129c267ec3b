/** How system roles read in the UI. */
import type { SystemRole } from '../api/users-api.ts';

export const systemRoleLabels: Record<SystemRole, string> = {
  admin: 'Admin',
  user: 'User',
  viewer: 'Viewer',
};

export const systemRoles: readonly SystemRole[] = ['admin', 'user', 'viewer'];

/** How connection grants read in the UI. */
import type { ConnectionPermission } from '../api/connections-api.ts';

export const connectionPermissionLabels: Record<ConnectionPermission, string> = {
  use: 'Use (run queries)',
  edit: 'Edit (change it and its password)',
};

export const connectionPermissions: readonly ConnectionPermission[] = ['use', 'edit'];

/**
 * What the signed-in user's system role allows beyond any one resource: creating projects,
 * groups and connections, managing users, explaining access. It mirrors the server's policy so
 * that the UI offers only what will work; the server still decides every request on its own.
 * (For a single resource, the UI reads the `allowedActions` the server sends with it.)
 */
import type { CurrentUser } from '../api/client.ts';

export interface SystemPermissions {
  createProjects: boolean;
  createConnections: boolean;
  createGroups: boolean;
  manageUsers: boolean;
  /** Tag resources, write attribute rules, explain access to anything. */
  administer: boolean;
}

/**
 * @example
 * systemPermissions('viewer').createProjects; // false: Viewers are read-only
 */
export function systemPermissions(role: CurrentUser['systemRole'] | undefined): SystemPermissions {
  const admin = role === 'admin';
  const mayCreate = role === 'admin' || role === 'user';
  return {
    createProjects: mayCreate,
    createConnections: mayCreate,
    createGroups: admin,
    manageUsers: admin,
    administer: admin,
  };
}

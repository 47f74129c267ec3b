/**
 * What the explainer may be asked about: the kinds of resource, and for each the actions that
 * apply to it, worded as the policy words them. Typed against the server's own action names, so
 * a renamed action is a type error here.
 */
import type { Action, ResourceType } from '../api/access-api.ts';

export type ExplainableType = Exclude<ResourceType, 'user'>;

export const resourceTypeLabels: Record<ExplainableType, string> = {
  project: 'Project',
  dashboard: 'Dashboard',
  dataset: 'Dataset',
  connection: 'Connection',
  group: 'Group',
  system: 'Enclave itself',
};

/** The kinds a project owner may ask about (what lives in their projects). */
export const ownerResourceTypes: readonly ExplainableType[] = ['project', 'dashboard', 'dataset'];

/** Every kind, for Admins. */
export const adminResourceTypes: readonly ExplainableType[] = [
  'project',
  'dashboard',
  'dataset',
  'connection',
  'group',
  'system',
];

export const actionsByResourceType: Record<ExplainableType, readonly Action[]> = {
  system: [
    'project.create',
    'connection.create',
    'group.create',
    'user.manage',
    'access.rules.manage',
    'project.list',
    'group.list',
    'user.list',
    'connection.list',
    'access.rules.view',
  ],
  project: [
    'project.view',
    'project.update',
    'project.delete',
    'project.members.view',
    'project.members.manage',
    'dashboard.create',
    'dataset.create',
    'access.explain',
  ],
  dashboard: ['dashboard.view', 'dashboard.update', 'dashboard.delete'],
  dataset: ['dataset.view', 'dataset.upload', 'dataset.delete'],
  connection: [
    'connection.view',
    'connection.query',
    'connection.update',
    'connection.delete',
    'connection.grants.manage',
  ],
  group: ['group.update', 'group.delete', 'group.members.manage', 'group.admins.manage'],
};

export const actionLabels: Record<Action, string> = {
  'user.list': 'list users',
  'user.manage': 'manage users',
  'group.list': 'list groups',
  'group.create': 'create groups',
  'group.update': 'rename the group',
  'group.delete': 'delete the group',
  'group.members.manage': 'manage the group’s members',
  'group.admins.manage': 'grant or revoke group admin',
  'project.list': 'list projects',
  'project.create': 'create projects',
  'project.view': 'open the project',
  'project.members.view': 'see the members',
  'project.update': 'change the project’s settings',
  'project.delete': 'delete the project',
  'project.members.manage': 'manage members',
  'dashboard.create': 'create dashboards',
  'dashboard.view': 'open the dashboard',
  'dashboard.update': 'edit the dashboard',
  'dashboard.delete': 'delete the dashboard',
  'dataset.create': 'create datasets',
  'dataset.view': 'read the dataset',
  'dataset.upload': 'upload versions',
  'dataset.delete': 'delete the dataset',
  'connection.list': 'list connections',
  'connection.create': 'create connections',
  'connection.view': 'see the connection',
  'connection.query': 'run queries through it',
  'connection.update': 'change the connection',
  'connection.delete': 'delete the connection',
  'connection.grants.manage': 'manage its grants',
  'access.rules.view': 'see attribute rules',
  'access.rules.manage': 'manage attribute rules',
  'access.explain': 'explain access',
  'access.tags.manage': 'tag resources',
};

/**
 * @example
 * isExplainableType('project'); // true
 * isExplainableType('user'); // false
 */
export function isExplainableType(value: unknown): value is ExplainableType {
  return typeof value === 'string' && Object.hasOwn(resourceTypeLabels, value);
}

/**
 * @example
 * isActionOf('dataset', 'dataset.upload'); // true
 */
export function isActionOf(type: ExplainableType, value: unknown): value is Action {
  return (
    typeof value === 'string' && (actionsByResourceType[type] as readonly string[]).includes(value)
  );
}

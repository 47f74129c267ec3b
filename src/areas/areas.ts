/** The work areas of Enclave, in navigation order, and who sees each. */
import type { NavIconName } from '../layout/nav-icon.tsx';

/**
 * Who an area is for: everyone signed in, Admins, or those who may explain access (Admins and
 * the owners of a project).
 */
export type Audience = 'everyone' | 'admins' | 'explainers';

export interface Area {
  readonly path: `/${string}`;
  readonly title: string;
  /** One line for the navigation's overview. */
  readonly summary: string;
  readonly icon: NavIconName;
  readonly audience: Audience;
}

const areaList = [
  {
    path: '/data',
    title: 'Data',
    summary: 'Open and explore datasets in your browser.',
    icon: 'data',
    audience: 'everyone',
  },
  {
    path: '/dashboards',
    title: 'Dashboards',
    summary: 'Charts and tables built on your datasets.',
    icon: 'dashboards',
    audience: 'everyone',
  },
  {
    path: '/projects',
    title: 'Projects',
    summary: 'Members, dashboards and shared datasets.',
    icon: 'projects',
    audience: 'everyone',
  },
  {
    path: '/groups',
    title: 'Groups',
    summary: 'Teams to grant roles to at once.',
    icon: 'groups',
    audience: 'everyone',
  },
  {
    path: '/connections',
    title: 'Connections',
    summary: 'External databases, passwords kept on the server.',
    icon: 'connections',
    audience: 'everyone',
  },
  {
    path: '/plugins',
    title: 'Plugins',
    summary: 'Third-party analyses, isolated from your data.',
    icon: 'plugins',
    audience: 'everyone',
  },
  {
    path: '/audit',
    title: 'Audit',
    summary: 'A tamper-evident record of what happened.',
    icon: 'audit',
    audience: 'everyone',
  },
  {
    path: '/access',
    title: 'Access',
    summary: 'Why someone may or may not do something.',
    icon: 'access',
    audience: 'explainers',
  },
  {
    path: '/admin',
    title: 'Admin',
    summary: 'User accounts and system roles.',
    icon: 'admin',
    audience: 'admins',
  },
] as const satisfies readonly Area[];

type AreaPath = (typeof areaList)[number]['path'];

/** Every area, its path kept exact for the router's typed links. */
export const areas: readonly (Area & { readonly path: AreaPath })[] = areaList;

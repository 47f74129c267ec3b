/**
 * The work areas of Enclave, in navigation order, and who sees each. An area still `planned`
 * says plainly what it will hold and shows no sample data that could be mistaken for real data;
 * an `available` one has pages of its own.
 */
import type { NavIconName } from '../layout/nav-icon.tsx';

/**
 * Who an area is for: everyone signed in, Admins, or those who may explain access (Admins and
 * the owners of a project).
 */
export type Audience = 'everyone' | 'admins' | 'explainers';

interface AreaBase {
  readonly path: `/${string}`;
  readonly title: string;
  /** One line for the navigation's overview. */
  readonly summary: string;
  readonly icon: NavIconName;
  readonly audience: Audience;
}

export type Area =
  | (AreaBase & {
      readonly status: 'planned';
      /** What the area will let people do, one capability per entry. */
      readonly capabilities: readonly string[];
    })
  | (AreaBase & { readonly status: 'available' });

export type PlannedArea = Extract<Area, { status: 'planned' }>;

export const areas = [
  {
    path: '/data',
    title: 'Data',
    summary: 'Open and explore datasets in your browser.',
    icon: 'data',
    audience: 'everyone',
    status: 'available',
  },
  {
    path: '/dashboards',
    title: 'Dashboards',
    summary: 'Charts and tables built on your datasets.',
    icon: 'dashboards',
    audience: 'everyone',
    status: 'available',
  },
  {
    path: '/projects',
    title: 'Projects',
    summary: 'Members, dashboards and shared datasets.',
    icon: 'projects',
    audience: 'everyone',
    status: 'available',
  },
  {
    path: '/groups',
    title: 'Groups',
    summary: 'Teams to grant roles to at once.',
    icon: 'groups',
    audience: 'everyone',
    status: 'available',
  },
  {
    path: '/connections',
    title: 'Connections',
    summary: 'External databases, passwords kept on the server.',
    icon: 'connections',
    audience: 'everyone',
    status: 'available',
  },
  {
    path: '/plugins',
    title: 'Plugins',
    summary: 'Third-party analyses, isolated from your data.',
    icon: 'plugins',
    audience: 'everyone',
    status: 'available',
  },
  {
    path: '/audit',
    title: 'Audit',
    summary: 'A tamper-evident record of what happened.',
    icon: 'audit',
    audience: 'everyone',
    status: 'planned',
    capabilities: [
      'Review sign-ins, access decisions, data access and changes.',
      'Verify that the hash-chained record is intact.',
      'Revert a recorded change, if you are allowed to make it.',
    ],
  },
  {
    path: '/access',
    title: 'Access',
    summary: 'Why someone may or may not do something.',
    icon: 'access',
    audience: 'explainers',
    status: 'available',
  },
  {
    path: '/admin',
    title: 'Admin',
    summary: 'User accounts and system roles.',
    icon: 'admin',
    audience: 'admins',
    status: 'available',
  },
] as const satisfies readonly Area[];

/** The areas that do not exist yet, each shown by its placeholder page. */
export const plannedAreas = areas.filter(
  (area): area is Extract<(typeof areas)[number], { status: 'planned' }> =>
    area.status === 'planned',
);

/**
 * The work areas of Enclave, in navigation order. Each says plainly what it will hold; none is
 * available yet, and their pages show no sample data that could be mistaken for real data.
 */

export interface Area {
  readonly path: `/${string}`;
  readonly title: string;
  /** One line for the navigation's overview. */
  readonly summary: string;
  /** What the area will let people do, one capability per entry. */
  readonly capabilities: readonly string[];
}

export const areas = [
  {
    path: '/data',
    title: 'Data',
    summary: 'Open and explore datasets in your browser.',
    capabilities: [
      'Open CSV, TSV, Arrow and Parquet files; they are processed on this device, not on a server.',
      'Filter, sort, group and compute statistics in background workers.',
      'Keep datasets on this device, encrypted with a key that cannot leave the browser.',
      'Share datasets with a project in versions, any of which can be restored.',
    ],
  },
  {
    path: '/dashboards',
    title: 'Dashboards',
    summary: 'Charts and tables built on your datasets.',
    capabilities: [
      'Build dashboards from shared datasets and connections.',
      'Share them with a project; they follow the project’s permissions.',
    ],
  },
  {
    path: '/projects',
    title: 'Projects',
    summary: 'Who may see and change which data.',
    capabilities: [
      'Group datasets, dashboards and people.',
      'Grant Owner, Editor or Viewer roles to users and groups.',
    ],
  },
  {
    path: '/plugins',
    title: 'Plugins',
    summary: 'Third-party analyses, isolated from your data.',
    capabilities: [
      'Run plugins in sandboxed frames on a separate site, with no network access.',
      'See and approve each permission a plugin asks for, such as reading the columns you pick.',
    ],
  },
  {
    path: '/audit',
    title: 'Audit',
    summary: 'A tamper-evident record of what happened.',
    capabilities: [
      'Review sign-ins, access decisions, data access and changes.',
      'Verify that the hash-chained record is intact.',
      'Revert a recorded change, if you are allowed to make it.',
    ],
  },
  {
    path: '/admin',
    title: 'Admin',
    summary: 'Users, groups, rules and connections.',
    capabilities: [
      'Manage users, groups and system roles.',
      'Restrict tagged resources to groups.',
      'Allow or block plugins for everyone or for groups.',
      'Manage connections to external data sources; their credentials stay encrypted on the server.',
    ],
  },
] as const satisfies readonly Area[];

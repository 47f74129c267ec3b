/**
 * Projects: the unit of sharing. Members hold Owner, Editor or Viewer, granted to users or groups;
 * dashboards and datasets inherit the project's grants.
 */
export { MemberSchema, ProjectSchema, projectRoutes } from './project-routes.ts';
export { projectReverters } from './project-reverters.ts';

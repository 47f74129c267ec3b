/**
 * Hook for the areas the signed-in user is offered in the navigation and on the overview: Admin
 * for Admins only, Access for Admins and project owners. Hiding an area only tidies the
 * navigation; its pages and the server check for themselves.
 */
import { useCurrentUser } from '../auth/use-current-user.ts';
import { useProjects } from '../projects/use-projects.ts';
import { areas, type Audience } from './areas.ts';

/**
 * @example
 * const visible = useVisibleAreas();
 * return visible.map((area) => <Link to={area.path}>{area.title}</Link>);
 */
export function useVisibleAreas() {
  const user = useCurrentUser();
  const projects = useProjects();
  const admin = user.data?.systemRole === 'admin';
  const ownsAProject =
    projects.data?.some((project) => project.allowedActions.includes('access.explain')) ?? false;
  const sees: Record<Audience, boolean> = {
    everyone: true,
    admins: admin,
    explainers: admin || ownsAProject,
  };
  return areas.filter((area) => sees[area.audience]);
}

/** Hook for what the signed-in user's system role allows (see `systemPermissions`). */
import { systemPermissions, type SystemPermissions } from './system-permissions.ts';
import { useCurrentUser } from './use-current-user.ts';

/**
 * @example
 * const { createProjects } = useSystemPermissions();
 * return createProjects ? <CreateProjectForm /> : null;
 */
export function useSystemPermissions(): SystemPermissions {
  const user = useCurrentUser();
  return systemPermissions(user.data?.systemRole);
}

/** How the two kinds of grantee read in the UI. */
import type { PrincipalType } from '../api/projects-api.ts';

export const principalTypeLabels: Record<PrincipalType, string> = {
  user: 'User',
  group: 'Group',
};

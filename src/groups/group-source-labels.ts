/** Where a group comes from, as the UI says it. */
import type { Group } from '../api/groups-api.ts';

export const groupSourceLabels: Record<Group['source'], string> = {
  local: 'Local',
  ldap: 'LDAP directory',
  oidc: 'Identity provider',
};

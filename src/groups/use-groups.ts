/** Query hook for every group, with its members and subgroups. */
import { useQuery } from '@tanstack/react-query';
import { listGroups } from '../api/groups-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const groups = useGroups();
 * return groups.data?.map((group) => <li key={group.id}>{group.name}</li>);
 */
export function useGroups() {
  return useQuery({
    queryKey: queryKeys.groups.all,
    queryFn: listGroups,
    select: (answer) => answer.groups,
  });
}

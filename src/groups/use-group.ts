/**
 * Query hook for one group. The API lists groups whole (members and subgroups included), so this
 * reads the list and picks the group: one request serves the list page and every group page.
 */
import { useQuery } from '@tanstack/react-query';
import { listGroups } from '../api/groups-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const group = useGroup(groupId);
 * if (group.isSuccess && !group.data) return <p>No such group.</p>;
 */
export function useGroup(groupId: string) {
  return useQuery({
    queryKey: queryKeys.groups.all,
    queryFn: listGroups,
    select: (answer) => answer.groups.find((group) => group.id === groupId) ?? null,
  });
}

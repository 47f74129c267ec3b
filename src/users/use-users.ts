/** Query hook for every account (names for everyone; role and status for Admins). */
import { useQuery } from '@tanstack/react-query';
import { listUsers } from '../api/users-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const users = useUsers();
 * return users.data?.map((user) => <option key={user.id}>{user.username}</option>);
 */
export function useUsers() {
  return useQuery({
    queryKey: queryKeys.users.all,
    queryFn: listUsers,
    select: (answer) => answer.users,
  });
}

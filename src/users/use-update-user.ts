/** Mutation hook that changes an account's system role or disables it (Admins). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { updateUser, type SystemRole } from '../api/users-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const update = useUpdateUser();
 * update.mutate({ userId, changes: { disabled: true } });
 */
export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      userId,
      changes,
    }: {
      userId: string;
      changes: { systemRole?: SystemRole; disabled?: boolean };
    }) => updateUser(userId, changes),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.users.all }),
  });
}

/**
 * Mutation hook that gives a local account a temporary password. The answer carries it this once;
 * it lives only in the mutation's state, gone when the page resets the mutation or is left.
 */
import { useMutation } from '@tanstack/react-query';
import { resetUserPassword } from '../api/users-api.ts';

/**
 * @example
 * const reset = useResetUserPassword();
 * reset.mutate(userId);
 * return reset.data && <code>{reset.data.temporaryPassword}</code>;
 */
export function useResetUserPassword() {
  return useMutation({ mutationFn: resetUserPassword, gcTime: 0 });
}

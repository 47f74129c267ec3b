/**
 * Mutation hooks that change the attribute rules (Admins): create one, change its groups, delete
 * it. Rules do not bind Admins, so only the list of rules itself goes stale.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createAccessRule, deleteAccessRule, updateAccessRule } from '../api/access-api.ts';
import { queryKeys } from '../app/query-keys.ts';

/**
 * @example
 * const { create, update, remove } = useAccessRuleChanges();
 * create.mutate({ tagKey: 'sensitivity', tagValue: 'restricted', groupIds: [oncologyId] });
 */
export function useAccessRuleChanges() {
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: queryKeys.accessRules });
  return {
    create: useMutation({ mutationFn: createAccessRule, onSuccess }),
    update: useMutation({
      mutationFn: ({ id, groupIds }: { id: string; groupIds: string[] }) =>
        updateAccessRule(id, groupIds),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: deleteAccessRule, onSuccess }),
  };
}

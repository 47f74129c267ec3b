/** Mutation hook that creates a local group. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createGroup } from '../api/groups-api.ts';
import { refreshAfterGroupChange } from './refresh-after-group-change.ts';

/**
 * @example
 * const create = useCreateGroup();
 * create.mutate('oncology');
 */
export function useCreateGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createGroup,
    onSuccess: () => refreshAfterGroupChange(queryClient),
  });
}

/**
 * Mutation hooks that change one group: rename it, delete it, add or remove members (and their
 * group-admin flag), nest groups in it or take them out. Each refreshes what access depends on.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  addSubgroup,
  deleteGroup,
  removeGroupMember,
  removeSubgroup,
  renameGroup,
  setGroupMember,
} from '../api/groups-api.ts';
import { refreshAfterGroupChange } from './refresh-after-group-change.ts';

/**
 * @example
 * const { rename, setMember } = useGroupChanges(groupId);
 * setMember.mutate({ userId, admin: true });
 */
export function useGroupChanges(groupId: string) {
  const queryClient = useQueryClient();
  const onSuccess = () => refreshAfterGroupChange(queryClient);
  return {
    rename: useMutation({
      mutationFn: (name: string) => renameGroup(groupId, name),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: () => deleteGroup(groupId), onSuccess }),
    setMember: useMutation({
      mutationFn: ({ userId, admin }: { userId: string; admin?: boolean }) =>
        setGroupMember(groupId, userId, admin === undefined ? {} : { admin }),
      onSuccess,
    }),
    removeMember: useMutation({
      mutationFn: (userId: string) => removeGroupMember(groupId, userId),
      onSuccess,
    }),
    addSubgroup: useMutation({
      mutationFn: (childId: string) => addSubgroup(groupId, childId),
      onSuccess,
    }),
    removeSubgroup: useMutation({
      mutationFn: (childId: string) => removeSubgroup(groupId, childId),
      onSuccess,
    }),
  };
}

/**
 * Mutation hooks that revert recorded changes: one event, or everything a person or plugin did
 * since a time. A revert can change any kind of resource, so on success every cached answer is
 * refreshed, the audit lists (which gain the revert events) included.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { revertAuditBatch, revertAuditEvent, type RevertBatchRequest } from '../api/audit-api.ts';

/**
 * @example
 * const revert = useRevertEvent();
 * revert.mutate(event.id);
 * revert.error; // a RevertConflictError names the later event
 */
export function useRevertEvent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revertAuditEvent,
    onSuccess: () => queryClient.invalidateQueries(),
  });
}

/**
 * @example
 * const batch = useRevertBatch();
 * batch.mutate({ actorPlugin: 'stats', from, dryRun: true });
 * batch.data?.results; // one result per event, newest first
 */
export function useRevertBatch() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: RevertBatchRequest) => revertAuditBatch(request),
    onSuccess: (_answer, request) => (request.dryRun ? undefined : queryClient.invalidateQueries()),
  });
}

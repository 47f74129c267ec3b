/**
 * Mutation hook that verifies the whole audit trail (Admins). It runs when asked, not on every
 * visit: it re-reads every event and is itself recorded in the trail.
 */
import { useMutation } from '@tanstack/react-query';
import { verifyAuditTrail } from '../api/audit-api.ts';

/**
 * @example
 * const verify = useVerifyAudit();
 * verify.mutate();
 * verify.data?.ok; // true when the chain holds
 */
export function useVerifyAudit() {
  return useMutation({ mutationFn: verifyAuditTrail });
}

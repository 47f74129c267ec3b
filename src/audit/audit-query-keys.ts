/** The key under which the audit page caches one filter's pages of events. */
import type { AuditFilter } from '../api/audit-api.ts';

export const auditQueryKeys = {
  events: (filter: AuditFilter) => ['audit', 'events', filter] as const,
};

/**
 * Query hook for the audit events matching a filter, newest first, a page at a time: "Load
 * more" fetches the next page with the server's cursor, so pages never repeat or skip an event
 * while new ones are written.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import { listAuditEvents, type AuditFilter } from '../api/audit-api.ts';
import { auditQueryKeys } from './audit-query-keys.ts';

const pageSize = 50;

/**
 * @example
 * const events = useAuditEvents({ projectId });
 * const shown = events.data?.pages.flatMap((page) => page.events) ?? [];
 * if (events.hasNextPage) void events.fetchNextPage();
 */
export function useAuditEvents(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: auditQueryKeys.events(filter),
    queryFn: ({ pageParam }) => listAuditEvents(filter, { cursor: pageParam, limit: pageSize }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

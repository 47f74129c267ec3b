/**
 * The audit routes (`/api/v1/audit…`): the events the caller may see (filtered, newest first,
 * cursor-paged), their export as a file, the chain's verification (Admins), and reverting a
 * recorded change, one or all of a person's, plugin's or session's since a time. The server
 * decides who sees and reverts what; a refused revert comes back with the server's words, and a
 * conflict names the later event that changed the resource.
 */
import * as z from 'zod/mini';
import { ApiRequestError } from './api-request-error.ts';
import { api, call } from './client.ts';

type ListQuery = NonNullable<Parameters<typeof api.audit.$get>[0]>['query'];

/** The filters of `GET /audit`, also used by the export (everything but paging). */
export type AuditFilter = Omit<ListQuery, 'cursor' | 'limit'>;

/**
 * One page of events the caller may see (`GET /audit`); pass `nextCursor` for the next.
 *
 * @example
 * const { events, nextCursor } = await listAuditEvents({ projectId }, { limit: 50 });
 */
export async function listAuditEvents(
  filter: AuditFilter,
  page: { cursor?: string; limit?: number } = {},
) {
  const query: ListQuery = { ...filter };
  if (page.cursor) query.cursor = page.cursor;
  if (page.limit) query.limit = String(page.limit);
  const response = await call(() => api.audit.$get({ query }));
  return response.json();
}

export type AuditPage = Awaited<ReturnType<typeof listAuditEvents>>;
export type AuditEvent = AuditPage['events'][number];

export type AuditExportFormat = 'jsonl' | 'csv';

/**
 * The events matching the filter as a file (`GET /audit/export`), with the name the server gave
 * it. It is fetched with the session's token, so it arrives as a blob for the page to save.
 *
 * @example
 * const { blob, fileName } = await exportAuditEvents({ actorPlugin: 'stats' }, 'csv');
 */
export async function exportAuditEvents(
  filter: AuditFilter,
  format: AuditExportFormat,
): Promise<{ blob: Blob; fileName: string }> {
  const response = await call(() => api.audit.export.$get({ query: { ...filter, format } }));
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const named = /filename="([^"]+)"/.exec(disposition)?.[1];
  return { blob: await response.blob(), fileName: named ?? `audit.${format}` };
}

/**
 * Re-reads the whole trail and checks every link (`GET /audit/verify`, Admins).
 *
 * @example
 * const result = await verifyAuditTrail(); // { ok: true, events: 1234 }
 */
export async function verifyAuditTrail() {
  const response = await call(() => api.audit.verify.$get());
  return response.json();
}

export type AuditVerification = Awaited<ReturnType<typeof verifyAuditTrail>>;

const laterEventSchema = z.object({ error: z.object({ laterEventId: z.string() }) });

/**
 * A revert the server refused because the resource was changed again after the event: the
 * message names the later event, and `laterEventId` points at it (revert that one first).
 */
export class RevertConflictError extends ApiRequestError {
  override readonly name: string = 'RevertConflictError';
  constructor(
    refused: ApiRequestError,
    /** The event that changed the resource afterwards. */
    readonly laterEventId: string,
  ) {
    super(refused.status, refused.code, refused.message, refused.requestId, { cause: refused });
  }
}

/**
 * Reverts one recorded change (`POST /audit/{eventId}/revert`): the resource goes back to the
 * event's `before` state, and the revert is recorded as an event of its own. Fails with a
 * `RevertConflictError` (409) when the resource changed since, or the server's refusal (403
 * policy, 404 not visible, 422 not a revertible change).
 *
 * @example
 * const { reverted, revert } = await revertAuditEvent(event.id);
 */
export async function revertAuditEvent(eventId: string) {
  let conflict: Response | undefined;
  try {
    const response = await call(async () => {
      const answer = await api.audit[':eventId'].revert.$post({ param: { eventId } });
      if (answer.status === 409) conflict = answer.clone();
      return answer;
    });
    return await response.json();
  } catch (error) {
    if (error instanceof ApiRequestError && conflict) {
      const body = laterEventSchema.safeParse(await conflict.json().catch(() => undefined));
      if (body.success) throw new RevertConflictError(error, body.data.error.laterEventId);
    }
    throw error;
  }
}

export type RevertBatchRequest = Parameters<(typeof api.audit)['revert-batch']['$post']>[0]['json'];

/**
 * Reverts everything a person, plugin, client or session did since a time, newest first, each
 * change on its own (`POST /audit/revert-batch`); `dryRun` only reports what would happen.
 *
 * @example
 * const { results } = await revertAuditBatch({ actorPlugin: 'stats', from: '2026-03-01T10:00:00Z' });
 */
export async function revertAuditBatch(request: RevertBatchRequest) {
  const response = await call(() => api.audit['revert-batch'].$post({ json: request }));
  return response.json();
}

export type RevertBatchResult = Awaited<ReturnType<typeof revertAuditBatch>>['results'][number];

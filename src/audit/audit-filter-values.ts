/**
 * The audit page's filter form as plain strings (what the inputs hold) and its translation into
 * the query of `GET /audit`: empty fields are left out, and the local date-times of the "from" and
 * "to" inputs become ISO instants. Kept apart from the form so the translation is tested.
 */
import type { AuditFilter } from '../api/audit-api.ts';

/** What the filter inputs hold; `''` means "any". */
export interface AuditFilterValues {
  actorUserId: string;
  actorPlugin: string;
  /** A sign-in session's id, as events carry it. */
  sessionId: string;
  projectId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  outcome: string;
  /** `datetime-local` input value, read in the browser's time zone. */
  from: string;
  to: string;
}

export const emptyFilterValues: AuditFilterValues = {
  actorUserId: '',
  actorPlugin: '',
  sessionId: '',
  projectId: '',
  action: '',
  resourceType: '',
  resourceId: '',
  outcome: '',
  from: '',
  to: '',
};

export const outcomes = ['ok', 'denied', 'error', 'allowed'] as const;
type Outcome = (typeof outcomes)[number];

function isOutcome(value: string): value is Outcome {
  return (outcomes as readonly string[]).includes(value);
}

/**
 * A `datetime-local` value (browser time zone) as an ISO instant, or undefined when empty or not
 * a date. Seconds count from `to` inclusively, so "to 10:30" includes 10:30:59.
 *
 * @example
 * localTimeToIso('2026-03-01T10:30'); // '2026-03-01T09:30:00.000Z' in Berlin
 */
export function localTimeToIso(value: string, end = false): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return undefined;
  if (end && /T\d\d:\d\d$/.test(value)) time.setSeconds(59, 999);
  return time.toISOString();
}

/**
 * The query for `GET /audit` (and the export) from the form's values.
 *
 * @example
 * toAuditFilter({ ...emptyFilterValues, outcome: 'denied', action: ' plugin. ' });
 * // { outcome: 'denied', action: 'plugin.' }
 */
export function toAuditFilter(values: AuditFilterValues): AuditFilter {
  const filter: AuditFilter = {};
  if (values.actorUserId) filter.actorUserId = values.actorUserId;
  const plugin = values.actorPlugin.trim();
  if (plugin) filter.actorPlugin = plugin;
  const session = values.sessionId.trim();
  if (session) filter.sessionId = session;
  if (values.projectId) filter.projectId = values.projectId;
  const action = values.action.trim();
  if (action) filter.action = action;
  if (values.resourceType) filter.resourceType = values.resourceType;
  const resourceId = values.resourceId.trim();
  if (resourceId && values.resourceType) filter.resourceId = resourceId;
  if (isOutcome(values.outcome)) filter.outcome = values.outcome;
  const from = localTimeToIso(values.from);
  if (from) filter.from = from;
  const to = localTimeToIso(values.to, true);
  if (to) filter.to = to;
  return filter;
}

/**
 * Whether a batch revert can be asked for with these values: it needs whose changes (a person,
 * a plugin or a session) and a start time.
 *
 * @example
 * canRevertBatch({ ...emptyFilterValues, actorPlugin: 'stats', from: '2026-03-01T10:00' }); // true
 */
export function canRevertBatch(values: AuditFilterValues): boolean {
  const filter = toAuditFilter(values);
  return Boolean((filter.actorUserId ?? filter.actorPlugin ?? filter.sessionId) && filter.from);
}

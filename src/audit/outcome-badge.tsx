/** An audit event's outcome as a badge, in words (not colour alone). */

const outcomeBadges: Record<string, { label: string; tone: string }> = {
  ok: { label: 'Done', tone: 'badge-ok' },
  allowed: { label: 'Allowed', tone: 'badge-ok' },
  denied: { label: 'Denied', tone: 'badge-error' },
  error: { label: 'Failed', tone: 'badge-warn' },
};

/**
 * @example
 * <OutcomeBadge outcome={event.outcome} />
 */
export function OutcomeBadge({ outcome }: { outcome: string }) {
  const badge = outcomeBadges[outcome] ?? { label: outcome, tone: 'badge-neutral' };
  return <span className={`badge ${badge.tone}`}>{badge.label}</span>;
}

/**
 * The audit events as a table, a readable row each: when, who, via what (app, plugin, "reported
 * by the browser"), did what (a sentence), to what, and the outcome. "Details" opens the event's
 * full record beneath its row.
 */
import { Fragment, useEffect, useRef } from 'react';
import type { AuditEvent } from '../api/audit-api.ts';
import type { ShownResource } from './shown-resource.ts';
import { formatDateTime } from '../ui/format-date-time.ts';
import { AuditEventDetail } from './audit-event-detail.tsx';
import { clientName, describeAction, describeTarget } from './event-sentence.ts';
import { OutcomeBadge } from './outcome-badge.tsx';

interface AuditEventTableProps {
  events: readonly AuditEvent[];
  nameOf: (userId: string) => string;
  /** The event whose details are open, if any. */
  openId: string | null;
  onToggle: (eventId: string) => void;
  onShowEvent: (eventId: string, resource: ShownResource) => void;
  onShowSession: (sessionId: string) => void;
}

const columns = 7;

function Who({ event, nameOf }: { event: AuditEvent; nameOf: (userId: string) => string }) {
  if (event.actorUserId) return <>{nameOf(event.actorUserId)}</>;
  return <span className="note">{event.actorClient ? 'not signed in' : 'system'}</span>;
}

function Via({ event }: { event: AuditEvent }) {
  return (
    <>
      {clientName(event.actorClient)}
      {event.actorPlugin && (
        <span className="badge badge-plugin" title="Acting plugin">
          <span className="visually-hidden">plugin </span>
          {event.actorPlugin}
        </span>
      )}
      {event.source === 'client' && <span className="audit-reported">reported by the browser</span>}
    </>
  );
}

/**
 * @example
 * <AuditEventTable events={events} nameOf={nameOf} openId={openId} onToggle={toggle}
 *   onShowEvent={showEvent} onShowSession={showSession} />
 */
export function AuditEventTable({
  events,
  nameOf,
  openId,
  onToggle,
  onShowEvent,
  onShowSession,
}: AuditEventTableProps) {
  // An event opened from elsewhere (a conflict's later event) may arrive with a later page of the
  // list: bring its details into view once they are there, once.
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    if (!openId || scrolledTo.current === openId) return;
    const detail = document.getElementById(`audit-detail-${openId}`);
    if (!detail) return;
    scrolledTo.current = openId;
    detail.scrollIntoView({ block: 'nearest' });
  });
  return (
    <div className="table-scroll">
      <table className="table audit-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Via</th>
            <th scope="col">Did what</th>
            <th scope="col">To what</th>
            <th scope="col">Outcome</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const open = event.id === openId;
            const detailId = `audit-detail-${event.id}`;
            const sentence = describeAction(event);
            return (
              <Fragment key={event.id}>
                <tr
                  className={open ? 'audit-row audit-row-open' : 'audit-row'}
                  data-event-id={event.id}
                >
                  <td className="audit-when">
                    <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
                  </td>
                  <td>
                    <Who event={event} nameOf={nameOf} />
                  </td>
                  <td className="audit-via">
                    <Via event={event} />
                  </td>
                  <td className="cell-text">{sentence}</td>
                  <td className="cell-text">{describeTarget(event, nameOf)}</td>
                  <td>
                    <OutcomeBadge outcome={event.outcome} />
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="button button-small button-secondary"
                      aria-expanded={open}
                      aria-controls={open ? detailId : undefined}
                      onClick={() => onToggle(event.id)}
                    >
                      {open ? 'Hide' : 'Details'}
                      <span className="visually-hidden">
                        {' '}
                        of event {event.seq}: {sentence}
                      </span>
                    </button>
                  </td>
                </tr>
                {open && (
                  <tr className="audit-detail-row">
                    <td colSpan={columns} id={detailId}>
                      <AuditEventDetail
                        event={event}
                        nameOf={nameOf}
                        onShowEvent={onShowEvent}
                        onShowSession={onShowSession}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

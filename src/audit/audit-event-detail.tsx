/**
 * Everything one audit event holds: every stored field, the before/after difference, and the
 * Revert button when the event is a change the server could undo. A refused revert shows the
 * server's words; a conflict offers to show the later event that has to be reverted first.
 */
import { useId } from 'react';
import { RevertConflictError, type AuditEvent } from '../api/audit-api.ts';
import type { ShownResource } from './shown-resource.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useProjects } from '../projects/use-projects.ts';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatDateTime } from '../ui/format-date-time.ts';
import { clientName, describeTarget, isRevertible } from './event-sentence.ts';
import { OutcomeBadge } from './outcome-badge.tsx';
import { StateDiffTable } from './state-diff-table.tsx';
import { useRevertEvent } from './use-revert.ts';

interface AuditEventDetailProps {
  event: AuditEvent;
  nameOf: (userId: string) => string;
  /** Shows the event with this id in the list (the later event of a conflict). */
  onShowEvent: (eventId: string, resource: ShownResource) => void;
  /** Filters the list to one sign-in session. */
  onShowSession: (sessionId: string) => void;
}

function Json({ value }: { value: unknown }) {
  return <pre className="audit-json">{JSON.stringify(value, null, 2)}</pre>;
}

function RevertSection({
  event,
  onShowEvent,
}: Pick<AuditEventDetailProps, 'event' | 'onShowEvent'>) {
  const revert = useRevertEvent();
  const target = describeTarget(event);
  return (
    <div className="audit-revert">
      {!revert.isSuccess && (
        <div className="actions">
          <ConfirmButton
            label="Revert"
            subject={`this change to ${target}`}
            question={`Put ${target} back as it was before this change?`}
            confirmLabel="Revert change"
            pending={revert.isPending}
            onConfirm={() => revert.mutate(event.id)}
          />
          <span className="note">Reverting is recorded too, and can itself be reverted.</span>
        </div>
      )}
      {revert.isPending && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" />
          Reverting…
        </p>
      )}
      {revert.isSuccess && (
        <p className="panel panel-notice" role="status">
          Reverted: the change is undone, and the revert is recorded as event #
          {revert.data.revert.seq}.
        </p>
      )}
      {revert.error instanceof RevertConflictError ? (
        <section className="panel panel-error" role="alert" aria-label="The revert was refused">
          <h4 className="panel-title">Changed again since</h4>
          <p>{revert.error.message}</p>
          <p>
            <button
              type="button"
              className="button button-small button-secondary"
              onClick={() =>
                revert.error instanceof RevertConflictError &&
                onShowEvent(revert.error.laterEventId, event)
              }
            >
              Show the later event
            </button>
          </p>
        </section>
      ) : (
        revert.isError && <ErrorPanel error={revert.error} title="The revert was refused" />
      )}
    </div>
  );
}

/**
 * @example
 * <AuditEventDetail event={event} nameOf={nameOf} onShowEvent={showEvent}
 *   onShowSession={showSession} />
 */
export function AuditEventDetail({
  event,
  nameOf,
  onShowEvent,
  onShowSession,
}: AuditEventDetailProps) {
  const diffTitle = useId();
  const projects = useProjects();
  const projectName = projects.data?.find((project) => project.id === event.projectId)?.name;
  const hasStates = event.before !== null || event.after !== null;
  return (
    <div className="audit-detail">
      <dl className="facts">
        <dt>Event</dt>
        <dd>
          #{event.seq} · <span className="mono">{event.id}</span>
        </dd>
        <dt>Time</dt>
        <dd>
          {formatDateTime(event.occurredAt)} · <span className="mono">{event.occurredAt}</span>
        </dd>
        <dt>Person</dt>
        <dd>
          {event.actorUserId ? (
            <>
              {nameOf(event.actorUserId)} · <span className="mono">{event.actorUserId}</span>
            </>
          ) : (
            'none (the server itself, or not signed in)'
          )}
        </dd>
        <dt>App</dt>
        <dd>
          {clientName(event.actorClient)}
          {event.actorClient && <span className="mono"> ({event.actorClient})</span>}
        </dd>
        <dt>Plugin</dt>
        <dd>{event.actorPlugin ? <span className="mono">{event.actorPlugin}</span> : 'none'}</dd>
        <dt>Source</dt>
        <dd>
          {event.source === 'client'
            ? 'reported by the browser (kept, never trusted for decisions)'
            : 'recorded by the server'}
        </dd>
        {event.sessionId && (
          <>
            <dt>Session</dt>
            <dd>
              <span className="mono">{event.sessionId}</span>{' '}
              <button
                type="button"
                className="button button-small button-secondary"
                onClick={() => event.sessionId && onShowSession(event.sessionId)}
              >
                Show this session’s events
              </button>
            </dd>
          </>
        )}
        <dt>Action</dt>
        <dd className="mono">{event.action}</dd>
        <dt>Resource</dt>
        <dd>
          {describeTarget(event, nameOf)}
          {event.resourceId && <span className="mono"> · {event.resourceId}</span>}
        </dd>
        <dt>Project</dt>
        <dd>
          {event.projectId ? (
            <>
              {projectName && `${projectName} · `}
              <span className="mono">{event.projectId}</span>
            </>
          ) : (
            'none'
          )}
        </dd>
        <dt>Outcome</dt>
        <dd>
          <OutcomeBadge outcome={event.outcome} />
        </dd>
        <dt>Request</dt>
        <dd className="mono">{event.requestId ?? 'none'}</dd>
        <dt>Address</dt>
        <dd className="mono">{event.ip ?? 'none'}</dd>
        {event.details !== null && (
          <>
            <dt>Details</dt>
            <dd>
              <Json value={event.details} />
            </dd>
          </>
        )}
        <dt>Hash</dt>
        <dd className="mono audit-hash">{event.hash}</dd>
        <dt>Previous hash</dt>
        <dd className="mono audit-hash">{event.prevHash}</dd>
      </dl>
      {hasStates && (
        <section aria-labelledby={diffTitle} className="stack">
          <h4 id={diffTitle} className="list-title">
            Before and after
          </h4>
          <StateDiffTable before={event.before} after={event.after} />
        </section>
      )}
      {isRevertible(event) && <RevertSection event={event} onShowEvent={onShowEvent} />}
    </div>
  );
}

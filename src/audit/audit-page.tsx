/**
 * The Audit page (`/audit`): the trail of what happened, as far as the caller may see it (Admins
 * everything, project owners their projects' events, everyone their own). Filters, a readable
 * row per event with its full record and before/after difference, Revert where the server could
 * undo the change, a batch revert of a person's or plugin's changes, the export of the filtered
 * events, and for Admins the chain's verification.
 */
import { useState } from 'react';
import { useCurrentUser } from '../auth/use-current-user.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { AuditEventTable } from './audit-event-table.tsx';
import { AuditFilterForm } from './audit-filter-form.tsx';
import {
  canRevertBatch,
  emptyFilterValues,
  toAuditFilter,
  type AuditFilterValues,
} from './audit-filter-values.ts';
import { BatchRevertPanel } from './batch-revert-panel.tsx';
import { ExportButtons } from './export-buttons.tsx';
import type { ShownResource } from './shown-resource.ts';
import { useAuditEvents } from './use-audit-events.ts';
import { useUserNames } from './use-user-names.ts';
import { shortId } from './event-sentence.ts';
import { VerifyPanel } from './verify-panel.tsx';
import './audit.css';

function EventList({
  values,
  openId,
  onToggle,
  onShowEvent,
  onShowSession,
}: {
  values: AuditFilterValues;
  openId: string | null;
  onToggle: (eventId: string) => void;
  onShowEvent: (eventId: string, resource: ShownResource) => void;
  onShowSession: (sessionId: string) => void;
}) {
  const filter = toAuditFilter(values);
  const events = useAuditEvents(filter);
  const nameOf = useUserNames();
  const shown = events.data?.pages.flatMap((page) => page.events) ?? [];
  return (
    <section aria-labelledby="events-title" className="stack">
      <div className="audit-list-header">
        <h2 id="events-title" className="section-title">
          Events
        </h2>
        <ExportButtons filter={filter} />
      </div>
      {events.isPending ? (
        <LoadingState label="Loading events…" />
      ) : events.isError && !events.isFetchNextPageError ? (
        <ErrorPanel
          error={events.error}
          title="The events could not be loaded"
          onRetry={() => void events.refetch()}
        />
      ) : shown.length === 0 ? (
        <p className="empty">No events match these filters.</p>
      ) : (
        <>
          <p className="note" role="status">
            Showing {shown.length} events, newest first{events.hasNextPage ? '' : ' (all of them)'}.
          </p>
          <AuditEventTable
            events={shown}
            nameOf={nameOf}
            openId={openId}
            onToggle={onToggle}
            onShowEvent={onShowEvent}
            onShowSession={onShowSession}
          />
          {events.hasNextPage && (
            <button
              type="button"
              className="button button-secondary"
              disabled={events.isFetchingNextPage}
              onClick={() => void events.fetchNextPage()}
            >
              {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          )}
          {events.isFetchNextPageError && (
            <ErrorPanel error={events.error} title="More events could not be loaded" />
          )}
        </>
      )}
    </section>
  );
}

/** Who a batch revert is about, in words, from the filters in effect. */
function whoseChanges(values: AuditFilterValues, nameOf: (userId: string) => string): string {
  const person = values.actorUserId ? nameOf(values.actorUserId) : null;
  const plugin = values.actorPlugin.trim() ? `plugin ${values.actorPlugin.trim()}` : null;
  const session = values.sessionId.trim() ? `session ${shortId(values.sessionId.trim())}` : null;
  const who = person && plugin ? `${person} through ${plugin}` : (person ?? plugin);
  if (who && session) return `${who} in ${session}`;
  return who ?? session ?? '';
}

export function AuditPage() {
  useDocumentTitle('Audit');
  const me = useCurrentUser();
  const nameOf = useUserNames();
  const [applied, setApplied] = useState<AuditFilterValues>(emptyFilterValues);
  const [openId, setOpenId] = useState<string | null>(null);
  const admin = me.data?.systemRole === 'admin';
  const filter = toAuditFilter(applied);
  const showEvent = (eventId: string, resource: ShownResource) => {
    setApplied(
      resource.resourceId
        ? {
            ...emptyFilterValues,
            resourceType: resource.resourceType,
            resourceId: resource.resourceId,
          }
        : { ...emptyFilterValues, resourceType: resource.resourceType },
    );
    setOpenId(eventId);
  };
  return (
    <article className="page page-wide" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Audit
        </h1>
        <p className="page-lead">
          A tamper-evident record of sign-ins, access decisions, data access and changes.{' '}
          {admin
            ? 'As an Admin you see every event.'
            : 'You see what you did, and everything in the projects you own.'}
        </p>
      </header>
      {admin && <VerifyPanel />}
      <AuditFilterForm
        applied={applied}
        onApply={(values) => {
          setApplied(values);
          setOpenId(null);
        }}
      />
      {canRevertBatch(applied) && filter.from && (
        <BatchRevertPanel
          key={JSON.stringify(filter)}
          whose={whoseChanges(applied, nameOf)}
          nameOf={nameOf}
          request={{
            actorUserId: filter.actorUserId,
            actorPlugin: filter.actorPlugin,
            sessionId: filter.sessionId,
            projectId: filter.projectId,
            from: filter.from,
            to: filter.to,
          }}
          onShowEvent={showEvent}
        />
      )}
      <EventList
        values={applied}
        openId={openId}
        onToggle={(eventId) => setOpenId((current) => (current === eventId ? null : eventId))}
        onShowEvent={showEvent}
        onShowSession={(sessionId) => {
          setApplied({ ...emptyFilterValues, sessionId });
          setOpenId(null);
        }}
      />
    </article>
  );
}

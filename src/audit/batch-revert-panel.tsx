/**
 * "Revert everything this person (or plugin) did since …": from the filters in effect, preview
 * what a batch revert would do, then do it. The server reverts newest first, each change on its
 * own, and reports every event's result, which is listed here.
 */
import { useId } from 'react';
import type { RevertBatchRequest, RevertBatchResult } from '../api/audit-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatDateTime } from '../ui/format-date-time.ts';
import { describeAction, shortId } from './event-sentence.ts';
import type { ShownResource } from './shown-resource.ts';
import { useRevertBatch } from './use-revert.ts';

const statusBadges: Record<RevertBatchResult['status'], { label: string; tone: string }> = {
  reverted: { label: 'Reverted', tone: 'badge-ok' },
  already_reverted: { label: 'Already reverted', tone: 'badge-neutral' },
  conflict: { label: 'Changed since', tone: 'badge-warn' },
  forbidden: { label: 'Not allowed', tone: 'badge-error' },
  not_revertible: { label: 'Not revertible', tone: 'badge-neutral' },
  on_device: { label: 'On a device', tone: 'badge-neutral' },
};

interface BatchRevertPanelProps {
  /** Who is reverted ("alice", "plugin stats"), for the sentences. */
  whose: string;
  request: Omit<RevertBatchRequest, 'dryRun'> & { from: string };
  nameOf: (userId: string) => string;
  onShowEvent: (eventId: string, resource: ShownResource) => void;
}

function Results({
  results,
  dryRun,
  nameOf,
  onShowEvent,
}: {
  results: readonly RevertBatchResult[];
  dryRun: boolean;
  nameOf: (userId: string) => string;
  onShowEvent: (eventId: string, resource: ShownResource) => void;
}) {
  if (results.length === 0) return <p className="empty">No recorded changes match.</p>;
  return (
    <div className="table-scroll">
      <table className="table">
        <caption className="visually-hidden">
          {dryRun ? 'What a batch revert would do' : 'What the batch revert did'}, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Change</th>
            <th scope="col">Result</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {results.map((result) => {
            const badge = statusBadges[result.status];
            return (
              <tr key={result.eventId}>
                <td>#{result.seq}</td>
                <td className="cell-text">
                  {describeAction({
                    ...result,
                    outcome: 'ok',
                    source: 'server',
                    details: null,
                    before: null,
                    after: null,
                  })}{' '}
                  {result.resourceId &&
                    (result.resourceType === 'user'
                      ? nameOf(result.resourceId)
                      : shortId(result.resourceId))}{' '}
                  <span className="note mono">{result.action}</span>
                </td>
                <td>
                  <span className={`badge ${badge.tone}`}>{badge.label}</span>
                </td>
                <td className="cell-text">
                  {result.message}
                  {result.laterEventId && (
                    <>
                      {' '}
                      <button
                        type="button"
                        className="button button-small button-secondary"
                        onClick={() =>
                          result.laterEventId && onShowEvent(result.laterEventId, result)
                        }
                      >
                        Show the later event
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * @example
 * <BatchRevertPanel whose="plugin stats" request={{ actorPlugin: 'stats', from }}
 *   nameOf={nameOf} onShowEvent={show} />
 */
export function BatchRevertPanel({ whose, request, nameOf, onShowEvent }: BatchRevertPanelProps) {
  const batch = useRevertBatch();
  const titleId = useId();
  const since = formatDateTime(request.from);
  const dryRun = batch.variables?.dryRun === true;
  return (
    <section className="panel panel-wide" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel-title">
        Revert everything {whose} did since {since}
      </h2>
      <p className="note">
        Every recorded change matching the filters’ person, plugin or session
        {request.projectId ? ', project' : ''} and time range is undone, newest first. A change made
        again since is left alone and reported.
      </p>
      <div className="actions">
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={batch.isPending}
          onClick={() => batch.mutate({ ...request, dryRun: true })}
        >
          Preview
        </button>
        <ConfirmButton
          label="Revert all"
          subject={`changes by ${whose} since ${since}`}
          question={`Revert every change ${whose} made since ${since}?`}
          confirmLabel="Revert all"
          pending={batch.isPending}
          onConfirm={() => batch.mutate({ ...request, dryRun: false })}
        />
      </div>
      {batch.isPending && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" />
          {dryRun ? 'Checking…' : 'Reverting…'}
        </p>
      )}
      {batch.isError && <ErrorPanel error={batch.error} title="The batch revert was refused" />}
      {batch.isSuccess && (
        <div className="stack" role="status">
          <p>
            {dryRun
              ? `Preview: ${batch.data.results.length} events would be considered.`
              : `Done: ${batch.data.results.filter((result) => result.status === 'reverted').length} of ${batch.data.results.length} events reverted.`}
          </p>
          <Results
            results={batch.data.results}
            dryRun={dryRun}
            nameOf={nameOf}
            onShowEvent={onShowEvent}
          />
        </div>
      )}
    </section>
  );
}

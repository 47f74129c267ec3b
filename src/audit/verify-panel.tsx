/**
 * The Admins' proof that the audit trail is intact: "Verify" re-reads every event and checks
 * each hash and link, then says "Trail intact: N events" or where the chain first breaks and
 * why. Archived events (retention) are counted when the server reports them.
 */
import { useId } from 'react';
import type { AuditVerification } from '../api/audit-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useVerifyAudit } from './use-verify-audit.ts';

function archivedCount(result: AuditVerification): { events: number; files: number } | null {
  if (!('archived' in result)) return null;
  const archived: unknown = result.archived;
  if (typeof archived !== 'object' || archived === null) return null;
  const { events, files } = archived as { events?: unknown; files?: unknown };
  return typeof events === 'number' && typeof files === 'number' ? { events, files } : null;
}

function Verdict({ result }: { result: AuditVerification }) {
  const archived = archivedCount(result);
  if (result.ok) {
    return (
      <p className="audit-verdict">
        <span className="badge badge-ok">Trail intact: {result.events} events</span>
        {archived && archived.events > 0 && (
          <span className="note">
            {' '}
            including {archived.events} archived events in {archived.files} files
          </span>
        )}
      </p>
    );
  }
  const at = result.brokenAt;
  return (
    <div className="audit-verdict" role="alert">
      <p>
        <span className="badge badge-error">
          Trail broken{at?.seq !== null && at?.seq !== undefined ? ` at event #${at.seq}` : ''}
        </span>{' '}
        <span className="note">after {result.events} intact events</span>
      </p>
      {at && (
        <p>
          {at.message} <span className="note">({at.reason})</span>
        </p>
      )}
    </div>
  );
}

/**
 * @example
 * {admin && <VerifyPanel />}
 */
export function VerifyPanel() {
  const verify = useVerifyAudit();
  const titleId = useId();
  return (
    <section className="panel panel-wide" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel-title">
        Integrity
      </h2>
      <p className="note">
        Each event carries the hash of the one before it, so any change, deletion or insertion in
        the stored trail breaks the chain. Verifying reads the whole trail and is recorded too.
      </p>
      <div className="actions" aria-live="polite">
        <button
          type="button"
          className="button button-secondary"
          disabled={verify.isPending}
          onClick={() => verify.mutate()}
        >
          {verify.data ? 'Verify again' : 'Verify the trail'}
        </button>
        {verify.isPending && (
          <span className="loading">
            <span className="spinner" aria-hidden="true" />
            Verifying…
          </span>
        )}
        {verify.data && !verify.isPending && <Verdict result={verify.data} />}
      </div>
      {verify.isError && <ErrorPanel error={verify.error} title="The trail was not verified" />}
    </section>
  );
}

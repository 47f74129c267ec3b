/**
 * "Export JSONL" and "Export CSV": download the events matching the filters in effect, all of
 * them (not only the pages shown). The export itself is recorded in the trail.
 */
import type { AuditFilter } from '../api/audit-api.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useExportAudit } from './use-export-audit.ts';

/**
 * @example
 * <ExportButtons filter={filter} />
 */
export function ExportButtons({ filter }: { filter: AuditFilter }) {
  const exportEvents = useExportAudit(filter);
  return (
    <>
      <div className="actions audit-export" role="group" aria-label="Export the filtered events">
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={exportEvents.isPending}
          onClick={() => exportEvents.mutate('jsonl')}
        >
          Export JSONL
        </button>
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={exportEvents.isPending}
          onClick={() => exportEvents.mutate('csv')}
        >
          Export CSV
        </button>
        <span className="note" role="status">
          {exportEvents.isPending && 'Preparing the file…'}
          {exportEvents.isSuccess && `Downloaded ${exportEvents.data.fileName}`}
        </span>
      </div>
      {exportEvents.isError && (
        <ErrorPanel error={exportEvents.error} title="The export did not download" />
      )}
    </>
  );
}

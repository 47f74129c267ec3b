/**
 * The before/after difference of one audit event as a table: a row per field, changed, added and
 * removed fields marked in words and colour, unchanged ones shown quietly for context.
 */
import { diffStates, formatStateValue, type FieldChange } from './state-diff.ts';

const changeLabels: Record<FieldChange, string> = {
  added: 'Added',
  removed: 'Removed',
  changed: 'Changed',
  unchanged: 'Same',
};

/**
 * @example
 * <StateDiffTable before={event.before} after={event.after} />
 */
export function StateDiffTable({ before, after }: { before: unknown; after: unknown }) {
  const fields = diffStates(before, after);
  if (fields.length === 0) return <p className="empty">No state was recorded.</p>;
  return (
    <div className="table-scroll">
      <table className="table diff-table">
        <caption className="visually-hidden">
          Each field before and after the change, with what happened to it
        </caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Change</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => (
            <tr key={field.path} className={`diff-${field.change}`}>
              <th scope="row" className="mono">
                {field.path || '(value)'}
              </th>
              <td>
                <span className="diff-change">{changeLabels[field.change]}</span>
              </td>
              <td className="diff-value mono">
                {'before' in field ? formatStateValue(field.before) : '—'}
              </td>
              <td className="diff-value mono">
                {'after' in field ? formatStateValue(field.after) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The group-by controls of the workbench: the columns to group by and what to compute per group
 * (row count, and sum, mean, min, max or distinct count of a column). The grouped table replaces
 * the rows in the grid until "Show rows".
 */
import { useId, useState } from 'react';
import type {
  Aggregate,
  AggregateOp,
  ColumnSchema,
  GroupBySpec,
} from '../../../workers/engine/protocol.ts';

const aggregateLabels: Record<AggregateOp, string> = {
  count: 'Row count',
  sum: 'Sum',
  mean: 'Mean',
  min: 'Minimum',
  max: 'Maximum',
  distinct_count: 'Distinct count',
};

const numericOnly: ReadonlySet<AggregateOp> = new Set(['sum', 'mean']);

interface AggregateRow {
  readonly id: string;
  readonly op: AggregateOp;
  readonly column: string;
}

interface GroupBuilderProps {
  readonly columns: readonly ColumnSchema[];
  readonly grouped: boolean;
  readonly busy: boolean;
  readonly onGroup: (spec: GroupBySpec | null) => void;
}

function isNumeric(column: ColumnSchema): boolean {
  return column.type === 'int' || column.type === 'float';
}

export function GroupBuilder({ columns, grouped, busy, onGroup }: GroupBuilderProps) {
  const keyCandidates = columns.filter((column) => column.type !== 'float');
  const [keys, setKeys] = useState<string[]>(() => {
    const first = columns.find((column) => column.type === 'category') ?? keyCandidates[0];
    return first ? [first.name] : [];
  });
  const [rows, setRows] = useState<AggregateRow[]>(() => {
    const numeric = columns.find(isNumeric);
    return [
      { id: 'count', op: 'count', column: '' },
      ...(numeric ? [{ id: 'mean', op: 'mean' as const, column: numeric.name }] : []),
    ];
  });
  const keyId = useId();

  const aggregates: Aggregate[] = rows.map((row) =>
    row.op === 'count' ? { op: 'count' } : { op: row.op, column: row.column },
  );
  const complete = keys.length > 0 && rows.every((row) => row.op === 'count' || row.column);

  return (
    <form
      className="panel panel-wide group-builder"
      aria-label="Group rows"
      onSubmit={(event) => {
        event.preventDefault();
        if (complete) onGroup({ keys, aggregates });
      }}
    >
      <h2 className="panel-title">Group</h2>
      <div className="field">
        <label htmlFor={keyId}>Group by</label>
        <select
          id={keyId}
          multiple
          size={Math.min(6, Math.max(2, keyCandidates.length))}
          value={keys}
          onChange={(event) =>
            setKeys(Array.from(event.target.selectedOptions, (option) => option.value).slice(0, 8))
          }
        >
          {keyCandidates.map((column) => (
            <option key={column.name} value={column.name}>
              {column.name}
            </option>
          ))}
        </select>
      </div>
      <ol className="filter-list">
        {rows.map((row, index) => {
          const choices = numericOnly.has(row.op) ? columns.filter(isNumeric) : columns;
          return (
            <li key={row.id} className="filter-row">
              <select
                aria-label={`Computation ${String(index + 1)}`}
                value={row.op}
                onChange={(event) => {
                  const op = event.target.value as AggregateOp;
                  const fits = numericOnly.has(op) ? columns.filter(isNumeric) : columns;
                  setRows((current) =>
                    current.map((other) =>
                      other.id === row.id
                        ? {
                            ...other,
                            op,
                            column: fits.some((column) => column.name === other.column)
                              ? other.column
                              : (fits[0]?.name ?? ''),
                          }
                        : other,
                    ),
                  );
                }}
              >
                {(Object.keys(aggregateLabels) as AggregateOp[]).map((op) => (
                  <option key={op} value={op}>
                    {aggregateLabels[op]}
                  </option>
                ))}
              </select>
              {row.op !== 'count' && (
                <select
                  aria-label={`Column of computation ${String(index + 1)}`}
                  value={row.column}
                  onChange={(event) =>
                    setRows((current) =>
                      current.map((other) =>
                        other.id === row.id ? { ...other, column: event.target.value } : other,
                      ),
                    )
                  }
                >
                  {choices.map((column) => (
                    <option key={column.name} value={column.name}>
                      {column.name}
                    </option>
                  ))}
                </select>
              )}
              {rows.length > 1 && (
                <button
                  type="button"
                  className="button button-small button-secondary"
                  onClick={() =>
                    setRows((current) => current.filter((other) => other.id !== row.id))
                  }
                >
                  Remove<span className="visually-hidden"> computation {index + 1}</span>
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <div className="actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={() =>
            setRows((current) => [
              ...current,
              { id: crypto.randomUUID(), op: 'max', column: columns[0]?.name ?? '' },
            ])
          }
        >
          Add computation
        </button>
        <button type="submit" className="button" disabled={!complete || busy}>
          {busy ? 'Grouping…' : 'Group'}
        </button>
        {grouped && (
          <button type="button" className="button button-secondary" onClick={() => onGroup(null)}>
            Show rows
          </button>
        )}
      </div>
    </form>
  );
}

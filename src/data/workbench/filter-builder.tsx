/**
 * The filter controls of the workbench: rows of column, operator and value, joined by "all" or
 * "any". Edits stay local until "Apply", so typing does not start a scan of millions of rows per
 * key stroke; a value that does not fit its column is named before anything runs.
 */
import { useId, useState } from 'react';
import type { ColumnSchema, Predicate } from '../../../workers/engine/protocol.ts';
import {
  ConditionError,
  opLabels,
  opsFor,
  takesValue,
  toPredicate,
  type Combinator,
  type Condition,
} from './filter-conditions.ts';

interface FilterBuilderProps {
  readonly columns: readonly ColumnSchema[];
  readonly onApply: (predicate: Predicate | undefined, summary: FilterSummary) => void;
  readonly busy: boolean;
}

/** What was applied, for the view's description and for saving it. */
export interface FilterSummary {
  readonly conditions: readonly Condition[];
  readonly combinator: Combinator;
}

function inputTypeFor(column: ColumnSchema | undefined): string {
  if (column?.type === 'int' || column?.type === 'float') return 'number';
  if (column?.type === 'date') return 'date';
  return 'text';
}

export function FilterBuilder({ columns, onApply, busy }: FilterBuilderProps) {
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [combinator, setCombinator] = useState<Combinator>('and');
  const [problem, setProblem] = useState<ConditionError | null>(null);
  const combinatorId = useId();

  const update = (id: string, change: Partial<Condition>) =>
    setConditions((current) =>
      current.map((condition) => (condition.id === id ? { ...condition, ...change } : condition)),
    );

  const add = () => {
    const first = columns[0];
    if (!first) return;
    setConditions((current) => [
      ...current,
      { id: crypto.randomUUID(), column: first.name, op: opsFor(first.type)[0] ?? 'eq', value: '' },
    ]);
  };

  const apply = (next: Condition[] = conditions) => {
    try {
      const predicate = toPredicate(next, combinator, columns);
      setProblem(null);
      onApply(predicate, { conditions: next, combinator });
    } catch (error) {
      if (error instanceof ConditionError) setProblem(error);
      else throw error;
    }
  };

  return (
    <form
      className="panel panel-wide filter-builder"
      aria-label="Filter rows"
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
    >
      <div className="filter-heading">
        <h2 className="panel-title">Filter</h2>
        {conditions.length > 1 && (
          <label htmlFor={combinatorId} className="filter-combinator">
            Rows must match{' '}
            <select
              id={combinatorId}
              value={combinator}
              onChange={(event) => setCombinator(event.target.value as Combinator)}
            >
              <option value="and">all conditions</option>
              <option value="or">any condition</option>
            </select>
          </label>
        )}
      </div>
      {conditions.length === 0 && <p className="note">All rows are shown.</p>}
      <ol className="filter-list">
        {conditions.map((condition, index) => {
          const column = columns.find((candidate) => candidate.name === condition.column);
          const ops = opsFor(column?.type ?? 'string');
          const invalid = problem?.conditionId === condition.id;
          return (
            <li key={condition.id} className="filter-row">
              <select
                aria-label={`Column of condition ${String(index + 1)}`}
                value={condition.column}
                onChange={(event) => {
                  const next = columns.find((candidate) => candidate.name === event.target.value);
                  const nextOps = opsFor(next?.type ?? 'string');
                  update(condition.id, {
                    column: event.target.value,
                    op: nextOps.includes(condition.op) ? condition.op : (nextOps[0] ?? 'eq'),
                  });
                }}
              >
                {columns.map((candidate) => (
                  <option key={candidate.name} value={candidate.name}>
                    {candidate.name}
                  </option>
                ))}
              </select>
              <select
                aria-label={`Operator of condition ${String(index + 1)}`}
                value={condition.op}
                onChange={(event) =>
                  update(condition.id, { op: event.target.value as Condition['op'] })
                }
              >
                {ops.map((op) => (
                  <option key={op} value={op}>
                    {opLabels[op]}
                  </option>
                ))}
              </select>
              {takesValue(condition.op) && (
                <input
                  aria-label={`Value of condition ${String(index + 1)}`}
                  aria-invalid={invalid}
                  type={inputTypeFor(column)}
                  step="any"
                  value={condition.value}
                  onChange={(event) => update(condition.id, { value: event.target.value })}
                />
              )}
              <button
                type="button"
                className="button button-small button-secondary"
                onClick={() => {
                  const next = conditions.filter((other) => other.id !== condition.id);
                  setConditions(next);
                  apply(next);
                }}
              >
                Remove<span className="visually-hidden"> condition {index + 1}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {problem && (
        <p className="note note-error" role="alert">
          {problem.message}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button button-secondary" onClick={add}>
          Add condition
        </button>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Filtering…' : 'Apply filter'}
        </button>
      </div>
    </form>
  );
}

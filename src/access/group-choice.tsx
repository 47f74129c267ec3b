/** A checkbox per group, to choose the groups an attribute rule leaves access to. */
import { useId } from 'react';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useGroups } from '../groups/use-groups.ts';
import { LoadingState } from '../ui/loading-state.tsx';

interface GroupChoiceProps {
  legend: string;
  selected: readonly string[];
  onChange: (groupIds: string[]) => void;
}

export function GroupChoice({ legend, selected, onChange }: GroupChoiceProps) {
  const groups = useGroups();
  const idPrefix = useId();
  if (groups.isPending) return <LoadingState label="Loading groups…" />;
  if (groups.isError) {
    return (
      <ErrorPanel
        error={groups.error}
        title="The groups could not be loaded"
        onRetry={() => void groups.refetch()}
      />
    );
  }
  return (
    <fieldset className="group-choice">
      <legend>{legend}</legend>
      {groups.data.length === 0 && <p className="empty">There are no groups yet.</p>}
      {groups.data.map((group) => {
        const id = `${idPrefix}-${group.id}`;
        return (
          <div key={group.id} className="field-checkbox">
            <input
              id={id}
              type="checkbox"
              checked={selected.includes(group.id)}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? [...selected, group.id]
                    : selected.filter((groupId) => groupId !== group.id),
                )
              }
            />
            <label htmlFor={id}>{group.name}</label>
          </div>
        );
      })}
    </fieldset>
  );
}

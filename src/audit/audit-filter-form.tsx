/**
 * The audit page's filters: person, plugin, sign-in session, project, action (exact, or a prefix ending in "."),
 * resource type and id, outcome, and a time range. Changes take effect on "Apply", so typing an
 * action does not reload the list at every key.
 */
import { useId, useState, type FormEvent } from 'react';
import { usePlugins } from '../plugins/index.ts';
import { useProjects } from '../projects/use-projects.ts';
import { useUsers } from '../users/use-users.ts';
import { userLabel } from '../users/user-label.ts';
import { emptyFilterValues, outcomes, type AuditFilterValues } from './audit-filter-values.ts';
import { resourceTypeName } from './event-sentence.ts';

const resourceTypes = [
  'project',
  'project_member',
  'dashboard',
  'dataset',
  'connection',
  'connection_grant',
  'group',
  'group_member',
  'group_nesting',
  'user',
  'plugin',
  'plugin_policy_rule',
  'access_rule',
  'audit',
  'system',
] as const;

/** Suggested action filters: whole areas (prefixes) first, then common single actions. */
const actionSuggestions = [
  ['auth.', 'sign-ins and sessions'],
  ['project.', 'projects'],
  ['dashboard.', 'dashboards'],
  ['dataset.', 'datasets'],
  ['connection.', 'connections'],
  ['group.', 'groups'],
  ['user.', 'user accounts'],
  ['plugin.', 'plugins'],
  ['access.', 'access rules and tags'],
  ['audit.', 'the audit trail itself'],
  ['project.update', 'project renamed or changed'],
  ['dataset.read', 'dataset downloads'],
  ['connection.query', 'connection queries'],
  ['audit.revert', 'reverts'],
] as const;

const outcomeLabels: Record<(typeof outcomes)[number], string> = {
  ok: 'Done',
  denied: 'Denied',
  error: 'Failed',
  allowed: 'Allowed',
};

interface AuditFilterFormProps {
  /** The filters in effect; the form starts from them and resets to them when they change. */
  applied: AuditFilterValues;
  onApply: (values: AuditFilterValues) => void;
}

/**
 * @example
 * <AuditFilterForm applied={applied} onApply={setApplied} />
 */
export function AuditFilterForm({ applied, onApply }: AuditFilterFormProps) {
  const [values, setValues] = useState(applied);
  const [shown, setShown] = useState(applied);
  // The page changes the filters too ("Show the later event"); the form follows.
  if (shown !== applied) {
    setShown(applied);
    setValues(applied);
  }
  const id = useId();
  const users = useUsers();
  const projects = useProjects();
  const plugins = usePlugins();
  const set = (field: keyof AuditFilterValues) => (value: string) =>
    setValues((current) => ({ ...current, [field]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(values);
  };
  return (
    <form className="panel panel-wide form" aria-label="Filter events" onSubmit={submit}>
      <div className="fields audit-filters">
        <div className="field">
          <label htmlFor={`${id}-person`}>Person</label>
          <select
            id={`${id}-person`}
            value={values.actorUserId}
            onChange={(event) => set('actorUserId')(event.target.value)}
            aria-busy={users.isPending}
          >
            <option value="">Anyone</option>
            {users.data?.map((user) => (
              <option key={user.id} value={user.id}>
                {userLabel(user)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-plugin`}>Plugin</label>
          <input
            id={`${id}-plugin`}
            list={`${id}-plugins`}
            value={values.actorPlugin}
            placeholder="Any plugin"
            autoComplete="off"
            onChange={(event) => set('actorPlugin')(event.target.value)}
          />
          <datalist id={`${id}-plugins`}>
            {plugins.data?.map((plugin) => (
              <option key={plugin.id} value={plugin.id}>
                {plugin.name}
              </option>
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor={`${id}-session`}>Session</label>
          <input
            id={`${id}-session`}
            value={values.sessionId}
            placeholder="Any session"
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => set('sessionId')(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-project`}>Project</label>
          <select
            id={`${id}-project`}
            value={values.projectId}
            onChange={(event) => set('projectId')(event.target.value)}
            aria-busy={projects.isPending}
          >
            <option value="">Any project</option>
            {projects.data?.map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-action`}>Action</label>
          <input
            id={`${id}-action`}
            list={`${id}-actions`}
            value={values.action}
            placeholder="e.g. project."
            autoComplete="off"
            aria-describedby={`${id}-action-note`}
            onChange={(event) => set('action')(event.target.value)}
          />
          <span id={`${id}-action-note`} className="field-note">
            Exact, or a prefix ending in “.”
          </span>
          <datalist id={`${id}-actions`}>
            {actionSuggestions.map(([action, label]) => (
              <option key={action} value={action}>
                {label}
              </option>
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>Resource type</label>
          <select
            id={`${id}-type`}
            value={values.resourceType}
            onChange={(event) => set('resourceType')(event.target.value)}
          >
            <option value="">Any resource</option>
            {resourceTypes.map((type) => (
              <option key={type} value={type}>
                {resourceTypeName(type)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-resource`}>Resource id</label>
          <input
            id={`${id}-resource`}
            value={values.resourceId}
            disabled={!values.resourceType}
            placeholder={values.resourceType ? 'Any' : 'Choose a type first'}
            autoComplete="off"
            onChange={(event) => set('resourceId')(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-outcome`}>Outcome</label>
          <select
            id={`${id}-outcome`}
            value={values.outcome}
            onChange={(event) => set('outcome')(event.target.value)}
          >
            <option value="">Any outcome</option>
            {outcomes.map((outcome) => (
              <option key={outcome} value={outcome}>
                {outcomeLabels[outcome]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="datetime-local"
            value={values.from}
            onChange={(event) => set('from')(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            type="datetime-local"
            value={values.to}
            onChange={(event) => set('to')(event.target.value)}
          />
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="button">
          Apply filters
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            setValues(emptyFilterValues);
            onApply(emptyFilterValues);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/**
 * The attribute rules on the Access page: resources tagged `key=value` are open only to members
 * of the rule's groups. Everyone who reaches the page reads them; Admins create rules, change a
 * rule's groups and delete rules.
 */
import { useId, useState } from 'react';
import type { AccessRule } from '../api/access-api.ts';
import { useSystemPermissions } from '../auth/use-system-permissions.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { LoadingState } from '../ui/loading-state.tsx';
import { GroupChoice } from './group-choice.tsx';
import { ruleText } from './rule-text.ts';
import { tagProblem } from './tag-problem.ts';
import { useAccessRuleChanges } from './use-access-rule-changes.ts';
import { useAccessRules } from './use-access-rules.ts';

function CreateRuleForm() {
  const { create } = useAccessRuleChanges();
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [checked, setChecked] = useState(false);
  const keyId = useId();
  const valueId = useId();
  const problemId = useId();
  const problem = tagProblem({}, tagKey.trim(), tagValue.trim());
  const showProblem = checked && problem !== null;
  return (
    <form
      className="form rule-form"
      aria-labelledby="create-rule-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setChecked(true);
        if (problem) return;
        create.mutate(
          { tagKey: tagKey.trim(), tagValue: tagValue.trim(), groupIds },
          {
            onSuccess: () => {
              setChecked(false);
              setTagKey('');
              setTagValue('');
              setGroupIds([]);
            },
          },
        );
      }}
    >
      <h3 id="create-rule-title" className="list-title">
        Create a rule
      </h3>
      <div className="fields">
        <div className="field">
          <label htmlFor={keyId}>Tag key</label>
          <input
            id={keyId}
            value={tagKey}
            onChange={(event) => setTagKey(event.target.value)}
            maxLength={64}
            spellCheck={false}
            autoComplete="off"
            placeholder="sensitivity"
            aria-invalid={showProblem}
            aria-describedby={showProblem ? problemId : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={valueId}>Tag value</label>
          <input
            id={valueId}
            value={tagValue}
            onChange={(event) => setTagValue(event.target.value)}
            maxLength={64}
            spellCheck={false}
            autoComplete="off"
            placeholder="restricted"
            aria-invalid={showProblem}
            aria-describedby={showProblem ? problemId : undefined}
          />
        </div>
      </div>
      <GroupChoice legend="Open only to" selected={groupIds} onChange={setGroupIds} />
      {showProblem && (
        <p id={problemId} className="note note-error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create rule'}
        </button>
      </div>
      {create.isError && <ErrorPanel error={create.error} title="The rule was not created" />}
    </form>
  );
}

function EditRuleGroupsForm({ rule, onDone }: { rule: AccessRule; onDone: () => void }) {
  const { update } = useAccessRuleChanges();
  const [groupIds, setGroupIds] = useState(rule.groups.map((group) => group.id));
  const tag = `${rule.tagKey}=${rule.tagValue}`;
  return (
    <form
      className="form rule-form"
      aria-label={`Groups of the rule for ${tag}`}
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate({ id: rule.id, groupIds }, { onSuccess: onDone });
      }}
    >
      <GroupChoice legend={`${tag} open only to`} selected={groupIds} onChange={setGroupIds} />
      <div className="actions">
        <button type="submit" className="button button-small" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save groups'}
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      {update.isError && <ErrorPanel error={update.error} title="The groups were not saved" />}
    </form>
  );
}

function RuleRow({ rule, mayManage }: { rule: AccessRule; mayManage: boolean }) {
  const { remove } = useAccessRuleChanges();
  const [editing, setEditing] = useState(false);
  const tag = `${rule.tagKey}=${rule.tagValue}`;
  return (
    <li className="plain-list-row rule-row">
      <span>{ruleText(rule)}</span>
      {mayManage && (
        <span className="actions">
          {!editing && (
            <button
              type="button"
              className="button button-small button-secondary"
              onClick={() => setEditing(true)}
            >
              Change groups<span className="visually-hidden"> of the rule for {tag}</span>
            </button>
          )}
          <ConfirmButton
            label="Delete rule"
            subject={tag}
            question={`Delete the rule for ${tag}?`}
            confirmLabel="Yes, delete it"
            pending={remove.isPending}
            onConfirm={() => remove.mutate(rule.id)}
          />
        </span>
      )}
      {editing && <EditRuleGroupsForm rule={rule} onDone={() => setEditing(false)} />}
      {remove.isError && <ErrorPanel error={remove.error} title="The rule was not deleted" />}
    </li>
  );
}

function RuleList({ mayManage }: { mayManage: boolean }) {
  const rules = useAccessRules();
  if (rules.isPending) return <LoadingState label="Loading the rules…" />;
  if (rules.isError) {
    return (
      <ErrorPanel
        error={rules.error}
        title="The rules could not be loaded"
        onRetry={() => void rules.refetch()}
      />
    );
  }
  if (rules.data.length === 0) return <p className="empty">There are no attribute rules.</p>;
  return (
    <ul className="plain-list" aria-label="Attribute rules">
      {rules.data.map((rule) => (
        <RuleRow key={rule.id} rule={rule} mayManage={mayManage} />
      ))}
    </ul>
  );
}

export function AttributeRulesSection() {
  const { administer } = useSystemPermissions();
  return (
    <section className="panel panel-wide" aria-labelledby="attribute-rules-title">
      <h2 id="attribute-rules-title" className="panel-title">
        Attribute rules
      </h2>
      <p className="note">
        A rule only ever narrows access: a project, dashboard, dataset or connection with the tag is
        open only to people who have a grant and are in one of the rule’s groups; everyone else gets
        “not found”, as if it did not exist.
      </p>
      <RuleList mayManage={administer} />
      {administer && <CreateRuleForm />}
    </section>
  );
}

/**
 * The access explainer: pick a user, a resource and an action, and see whether the user may take
 * it, why, and the chain of grants that allows it. For Admins (anything) and project owners (what
 * lives in their projects). The question lives in the address, so it can be linked to. Below it,
 * the attribute rules that narrow access to tagged resources.
 */
import { useNavigate } from '@tanstack/react-router';
import { useId, useState } from 'react';
import type { AccessExplanation } from '../api/access-api.ts';
import { useSystemPermissions } from '../auth/use-system-permissions.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { UserSelect } from '../users/user-select.tsx';
import { AttributeRulesSection } from './attribute-rules-section.tsx';
import {
  actionLabels,
  actionsByResourceType,
  adminResourceTypes,
  isActionOf,
  ownerResourceTypes,
  resourceTypeLabels,
  type ExplainableType,
} from './explainable-actions.ts';
import { completeQuestion, type ExplainerSearch } from './explainer-search.ts';
import { grantStepText } from './grant-step-text.ts';
import { ResourcePicker } from './resource-picker.tsx';
import { useAccessExplanation } from './use-access-explanation.ts';

function ExplanationPanel({ explanation }: { explanation: AccessExplanation }) {
  const allowed = explanation.decision === 'allow';
  return (
    <section
      className={`panel panel-wide ${allowed ? 'panel-allow' : 'panel-deny'}`}
      aria-labelledby="decision-title"
      aria-live="polite"
    >
      <h2 id="decision-title" className="panel-title">
        {allowed ? (
          <span className="badge badge-ok">Allowed</span>
        ) : (
          <span className="badge badge-error">Denied</span>
        )}
      </h2>
      <p data-testid="decision-reason">{explanation.reason}</p>
      {!allowed && (
        <p className="note">
          {explanation.status === 404
            ? 'The user would be told that no such resource exists (404), so its existence does not leak.'
            : 'The user would be refused with this reason (403).'}
          {explanation.rule && (
            <>
              {' '}
              Denied by the attribute rule for <code>{explanation.rule.tag}</code>.
            </>
          )}
        </p>
      )}
      {explanation.grantChain.length > 0 && (
        <>
          <h3 className="list-title">How the grant reaches the user</h3>
          <ol className="grant-chain" aria-label="Grant chain">
            {explanation.grantChain.map((step, index) => (
              <li key={index}>{grantStepText(step)}</li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function Explanation({ search }: { search: ExplainerSearch }) {
  const question = completeQuestion(search);
  const explanation = useAccessExplanation(question);
  if (!question) return null;
  if (explanation.isPending) return <LoadingState label="Asking the policy…" />;
  if (explanation.isError) {
    return (
      <ErrorPanel
        error={explanation.error}
        title="The question could not be answered"
        onRetry={() => void explanation.refetch()}
      />
    );
  }
  return <ExplanationPanel explanation={explanation.data} />;
}

export function AccessExplainerPage({ initial }: { initial: ExplainerSearch }) {
  useDocumentTitle('Access');
  const navigate = useNavigate();
  const { administer } = useSystemPermissions();
  const [userId, setUserId] = useState(initial.userId ?? '');
  const [resourceType, setResourceType] = useState<ExplainableType>(
    initial.resourceType ?? 'project',
  );
  const [projectId, setProjectId] = useState('');
  const [resourceId, setResourceId] = useState(initial.resourceId ?? '');
  const [action, setAction] = useState(initial.action ?? '');
  const typeId = useId();
  const userFieldId = useId();
  const actionId = useId();
  const types = administer ? adminResourceTypes : ownerResourceTypes;
  const draft: ExplainerSearch = {
    userId,
    action,
    resourceType,
    ...(resourceType === 'system' ? {} : { resourceId }),
  };
  return (
    <article className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Access explainer
        </h1>
        <p className="page-lead">
          Ask why someone may or may not do something. The answer comes from the same policy that
          decides every request, with the chain of grants that leads to it.
          {!administer && ' You may ask about the projects you own and what is in them.'}
        </p>
      </header>
      <form
        className="panel panel-wide form"
        aria-labelledby="question-title"
        onSubmit={(event) => {
          event.preventDefault();
          void navigate({ to: '/access', search: draft, replace: true });
        }}
      >
        <h2 id="question-title" className="panel-title">
          Question
        </h2>
        <div className="fields">
          <div className="field">
            <label htmlFor={userFieldId}>User</label>
            <UserSelect id={userFieldId} value={userId} onChange={setUserId} />
          </div>
          <div className="field">
            <label htmlFor={typeId}>Kind of resource</label>
            <select
              id={typeId}
              value={resourceType}
              onChange={(event) => {
                const type = event.target.value as ExplainableType;
                setResourceType(type);
                setProjectId('');
                setResourceId('');
                if (!isActionOf(type, action)) setAction('');
              }}
            >
              {types.map((type) => (
                <option key={type} value={type}>
                  {resourceTypeLabels[type]}
                </option>
              ))}
            </select>
          </div>
          <ResourcePicker
            type={resourceType}
            resourceId={resourceId}
            onResourceChange={setResourceId}
            projectId={projectId}
            onProjectChange={(id) => {
              setProjectId(id);
              setResourceId('');
            }}
          />
          <div className="field">
            <label htmlFor={actionId}>Action</label>
            <select
              id={actionId}
              value={action}
              onChange={(event) => setAction(event.target.value)}
            >
              <option value="">Choose…</option>
              {actionsByResourceType[resourceType].map((candidate) => (
                <option key={candidate} value={candidate}>
                  {actionLabels[candidate]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="button" disabled={!completeQuestion(draft)}>
          Explain
        </button>
      </form>
      <Explanation search={initial} />
      <AttributeRulesSection />
    </article>
  );
}

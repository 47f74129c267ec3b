/**
 * The Plugins page (`/plugins`): the plugins the signed-in user may run, each with its
 * permissions in plain words and whether the user approved them (with "Revoke"). Admins also see
 * the plugins blocked for them or others, upload a plugin archive, remove uploaded plugins and
 * keep the allow/block rules (everyone or groups, optionally from/until a time). Hiding the admin
 * parts only tidies the page; the server refuses them to anyone else.
 */
import { useId, useRef, useState } from 'react';
import type { PluginPolicyRule, PluginSummary } from '../api/plugins-api.ts';
import { GroupChoice } from '../access/group-choice.tsx';
import { useSystemPermissions } from '../auth/use-system-permissions.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { useGroups } from '../groups/use-groups.ts';
import { useDocumentTitle } from '../layout/use-document-title.ts';
import { ConfirmButton } from '../ui/confirm-button.tsx';
import { formatByteSize } from '../ui/format-byte-size.ts';
import { formatDateTime } from '../ui/format-date-time.ts';
import { LoadingState } from '../ui/loading-state.tsx';
import { permissionText } from './permission-text.ts';
import {
  useCreatePluginPolicy,
  useDeletePlugin,
  useDeletePluginPolicy,
  usePluginPolicies,
  useUploadPlugin,
} from './use-plugin-admin.ts';
import { usePlugins, useRevokeConsent } from './use-plugins.ts';

function PluginCard({ plugin, admin }: { plugin: PluginSummary; admin: boolean }) {
  const revoke = useRevokeConsent();
  const remove = useDeletePlugin();
  return (
    <li className="card plugin-card">
      <h3 className="card-title">{plugin.name}</h3>
      <p className="note">
        {plugin.version} · <span className="mono">{plugin.id}</span>
        {admin && ` · ${plugin.source === 'bundled' ? 'built in' : 'uploaded'}`}
      </p>
      <p>{plugin.description}</p>
      <p>
        {plugin.runnable ? (
          <span className="badge badge-ok">Available</span>
        ) : (
          <span className="badge badge-error">Blocked</span>
        )}{' '}
        {plugin.blockedReason && <span className="note">{plugin.blockedReason}</span>}
      </p>
      <h4 className="list-title">It may</h4>
      <ul className="plugin-permissions" aria-label={`What ${plugin.name} may do`}>
        {plugin.permissions.map((permission) => (
          <li key={permission}>{permissionText(permission)}</li>
        ))}
      </ul>
      <div className="actions">
        {plugin.consent ? (
          <>
            <span className="note">
              You approved this on {formatDateTime(plugin.consent.grantedAt)}.
            </span>
            <button
              type="button"
              className="button button-small button-secondary"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate(plugin.id)}
            >
              Revoke<span className="visually-hidden"> the approval of {plugin.name}</span>
            </button>
          </>
        ) : (
          <span className="note">It asks for your approval when you first run it.</span>
        )}
        {admin && plugin.source === 'uploaded' && (
          <ConfirmButton
            label="Remove"
            subject={plugin.name}
            question={`Remove ${plugin.name} for everyone?`}
            confirmLabel="Remove"
            pending={remove.isPending}
            onConfirm={() => remove.mutate(plugin.id)}
          />
        )}
      </div>
      {revoke.isError && <ErrorPanel error={revoke.error} title="The approval stays" />}
      {remove.isError && <ErrorPanel error={remove.error} title="It was not removed" />}
    </li>
  );
}

function PluginList({ admin }: { admin: boolean }) {
  const plugins = usePlugins();
  if (plugins.isPending) return <LoadingState label="Loading plugins…" />;
  if (plugins.isError) {
    return (
      <ErrorPanel
        error={plugins.error}
        title="The plugins could not be loaded"
        onRetry={() => void plugins.refetch()}
      />
    );
  }
  if (plugins.data.length === 0) return <p className="empty">No plugin is available to you.</p>;
  return (
    <ul className="cards plugin-cards" aria-label="Plugins">
      {plugins.data.map((plugin) => (
        <PluginCard key={plugin.id} plugin={plugin} admin={admin} />
      ))}
    </ul>
  );
}

function UploadPluginForm() {
  const upload = useUploadPlugin();
  const [file, setFile] = useState<File | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const fileId = useId();
  return (
    <form
      className="form"
      aria-label="Upload a plugin"
      onSubmit={(event) => {
        event.preventDefault();
        if (!file) return;
        upload.mutate(file, {
          onSuccess: () => {
            setFile(null);
            if (inputRef.current) inputRef.current.value = '';
          },
        });
      }}
    >
      <div className="field">
        <label htmlFor={fileId}>Plugin archive (.zip with manifest.json)</label>
        <input
          ref={inputRef}
          id={fileId}
          type="file"
          accept=".zip,application/zip"
          disabled={upload.isPending}
          onChange={(event) => {
            upload.reset();
            setFile(event.target.files?.[0] ?? null);
          }}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={!file || upload.isPending}>
          {upload.isPending ? 'Uploading…' : 'Upload plugin'}
        </button>
        {upload.isSuccess && (
          <span className="note" role="status">
            {upload.data.name} {upload.data.version} installed.
          </span>
        )}
      </div>
      {upload.progress && (
        <div className="upload-progress" role="status">
          <progress
            value={upload.progress.sent}
            max={Math.max(upload.progress.total, 1)}
            aria-label="Upload progress"
          />
          <span className="note">
            {upload.progress.sent >= upload.progress.total
              ? 'Sent; the server is checking the manifest and every file’s hash…'
              : `${formatByteSize(upload.progress.sent)} of ${formatByteSize(upload.progress.total)} sent`}
          </span>
        </div>
      )}
      {upload.isError && <ErrorPanel error={upload.error} title="The plugin was not installed" />}
    </form>
  );
}

/** A `datetime-local` value as an ISO instant, or null when empty. */
function isoOrNull(local: string): string | null {
  return local ? new Date(local).toISOString() : null;
}

function NewRuleForm({ plugins }: { plugins: readonly PluginSummary[] }) {
  const create = useCreatePluginPolicy();
  const [pluginId, setPluginId] = useState('');
  const [effect, setEffect] = useState<'allow' | 'block'>('block');
  const [everyone, setEveryone] = useState(true);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const id = useId();
  return (
    <form
      className="form"
      aria-label="New rule"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(
          {
            pluginId,
            effect,
            groupIds: everyone ? null : groupIds,
            startsAt: isoOrNull(startsAt),
            endsAt: isoOrNull(endsAt),
          },
          { onSuccess: () => setGroupIds([]) },
        );
      }}
    >
      <div className="fields">
        <div className="field">
          <label htmlFor={`${id}-plugin`}>Plugin</label>
          <select
            id={`${id}-plugin`}
            value={pluginId}
            onChange={(event) => setPluginId(event.target.value)}
          >
            <option value="">Choose a plugin…</option>
            {plugins.map((plugin) => (
              <option key={plugin.id} value={plugin.id}>
                {plugin.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-effect`}>Rule</label>
          <select
            id={`${id}-effect`}
            value={effect}
            onChange={(event) => setEffect(event.target.value as 'allow' | 'block')}
          >
            <option value="block">Block</option>
            <option value="allow">Allow (only those it covers may run it)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>
            From <span className="optional">(optional)</span>
          </label>
          <input
            id={`${id}-from`}
            type="datetime-local"
            value={startsAt}
            onChange={(event) => setStartsAt(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-until`}>
            Until <span className="optional">(optional)</span>
          </label>
          <input
            id={`${id}-until`}
            type="datetime-local"
            value={endsAt}
            onChange={(event) => setEndsAt(event.target.value)}
          />
        </div>
      </div>
      <div className="field-checkbox">
        <input
          id={`${id}-everyone`}
          type="checkbox"
          checked={everyone}
          onChange={(event) => setEveryone(event.target.checked)}
        />
        <label htmlFor={`${id}-everyone`}>Everyone</label>
      </div>
      {!everyone && (
        <GroupChoice legend="For these groups" selected={groupIds} onChange={setGroupIds} />
      )}
      <div className="actions">
        <button
          type="submit"
          className="button"
          disabled={!pluginId || (!everyone && groupIds.length === 0) || create.isPending}
        >
          Add rule
        </button>
      </div>
      {create.isError && <ErrorPanel error={create.error} title="The rule was not added" />}
    </form>
  );
}

function when(rule: PluginPolicyRule): string {
  if (!rule.startsAt && !rule.endsAt) return 'Always';
  const from = rule.startsAt ? `from ${formatDateTime(rule.startsAt)}` : '';
  const until = rule.endsAt ? `until ${formatDateTime(rule.endsAt)}` : '';
  return [from, until].filter(Boolean).join(' ');
}

function PolicySection() {
  const rules = usePluginPolicies(true);
  const plugins = usePlugins();
  const groups = useGroups();
  const remove = useDeletePluginPolicy();
  const pluginName = (id: string) => plugins.data?.find((plugin) => plugin.id === id)?.name ?? id;
  const groupName = (id: string) => groups.data?.find((group) => group.id === id)?.name ?? id;
  return (
    <section className="panel panel-wide" aria-labelledby="rules-title">
      <h2 id="rules-title" className="panel-title">
        Rules
      </h2>
      <p className="note">
        A block that covers a user wins. When a plugin has an allow rule in force, only the users it
        covers may run it. A block stops running instances within seconds.
      </p>
      {rules.isPending && <LoadingState label="Loading rules…" />}
      {rules.isError && <ErrorPanel error={rules.error} title="The rules could not be loaded" />}
      {rules.isSuccess && rules.data.length === 0 && <p className="empty">No rules yet.</p>}
      {rules.isSuccess && rules.data.length > 0 && (
        <div className="table-scroll">
          <table className="table" aria-label="Plugin rules">
            <thead>
              <tr>
                <th scope="col">Plugin</th>
                <th scope="col">Rule</th>
                <th scope="col">For</th>
                <th scope="col">When</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.data.map((rule) => (
                <tr key={rule.id}>
                  <td>{pluginName(rule.pluginId)}</td>
                  <td>
                    <span
                      className={rule.effect === 'block' ? 'badge badge-error' : 'badge badge-ok'}
                    >
                      {rule.effect === 'block' ? 'Block' : 'Allow'}
                    </span>
                  </td>
                  <td>
                    {rule.groupIds === null ? 'Everyone' : rule.groupIds.map(groupName).join(', ')}
                  </td>
                  <td>{when(rule)}</td>
                  <td className="cell-actions">
                    <ConfirmButton
                      label="Delete"
                      subject={`the rule for ${pluginName(rule.pluginId)}`}
                      question="Delete this rule?"
                      confirmLabel="Delete"
                      pending={remove.isPending}
                      onConfirm={() => remove.mutate(rule.id)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {remove.isError && <ErrorPanel error={remove.error} title="The rule was not deleted" />}
      <h3 className="list-title">Add a rule</h3>
      <NewRuleForm plugins={plugins.data ?? []} />
    </section>
  );
}

export function PluginsPage() {
  useDocumentTitle('Plugins');
  const { administer } = useSystemPermissions();
  return (
    <article className="page page-wide" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          Plugins
        </h1>
        <p className="page-lead">
          Plugins run in a sandbox on a separate site with no network access. Each sees only the
          columns you hand it, and asks before it first runs. Run one from a dataset’s workbench.
        </p>
      </header>
      <section aria-labelledby="plugins-title">
        <h2 id="plugins-title" className="section-title">
          {administer ? 'All plugins' : 'Plugins you can run'}
        </h2>
        <PluginList admin={administer} />
      </section>
      {administer && (
        <>
          <section className="panel panel-wide" aria-labelledby="upload-title">
            <h2 id="upload-title" className="panel-title">
              Upload a plugin
            </h2>
            <UploadPluginForm />
          </section>
          <PolicySection />
        </>
      )}
    </article>
  );
}

/**
 * "Run plugin" on the workbench: choose a plugin, choose the columns to hand it (none are checked
 * at first: a plugin reads only what the user picks), approve its permissions in plain words the
 * first time (or when it asks for more than was approved), then launch it. The launch makes the
 * plugin its own copy of the rows on screen, so a later filter does not change what it reads.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ColumnSchema, TableInfo } from '../../workers/engine/protocol.ts';
import type { PluginSummary } from '../api/plugins-api.ts';
import { engine } from '../engine/engine-client.ts';
import { ErrorPanel } from '../errors/error-panel.tsx';
import { LoadingState } from '../ui/loading-state.tsx';
import { permissionText } from './permission-text.ts';
import type { RunningPlugin } from './running-plugin.ts';
import { useLaunchPlugin } from './use-plugin-instance.ts';
import { useGrantConsent, usePlugins } from './use-plugins.ts';

interface RunPluginDialogProps {
  readonly table: TableInfo;
  /** The view the grid shows (its rows, in its order, are what the plugin gets). */
  readonly viewId: string;
  readonly viewRowCount: number;
  readonly onLaunched: (running: RunningPlugin) => void;
}

function consentCovers(plugin: PluginSummary): boolean {
  const granted = new Set(plugin.consent?.permissions ?? []);
  return plugin.permissions.every((permission) => granted.has(permission));
}

function ColumnChoice({
  columns,
  picked,
  onChange,
}: {
  columns: readonly ColumnSchema[];
  picked: readonly string[];
  onChange: (picked: string[]) => void;
}) {
  const idPrefix = useId();
  return (
    <fieldset className="group-choice">
      <legend>Columns to hand it</legend>
      {columns.map((column, index) => {
        const id = `${idPrefix}-${index}`;
        return (
          <div key={column.name} className="field-checkbox">
            <input
              id={id}
              type="checkbox"
              checked={picked.includes(column.name)}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? [...picked, column.name]
                    : picked.filter((name) => name !== column.name),
                )
              }
            />
            <label htmlFor={id}>{column.name}</label>
          </div>
        );
      })}
    </fieldset>
  );
}

export function RunPluginDialog({ table, viewId, viewRowCount, onLaunched }: RunPluginDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [pluginId, setPluginId] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [asking, setAsking] = useState(false);
  const plugins = usePlugins();
  const grant = useGrantConsent();
  const launch = useLaunchPlugin();
  const [failure, setFailure] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const selectId = useId();
  const titleId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const runnable = plugins.data?.filter((plugin) => plugin.runnable) ?? [];
  const plugin = runnable.find((candidate) => candidate.id === pluginId);
  const reads = plugin?.permissions.includes('data:read') ?? false;
  const handed = reads ? table.columns.filter((column) => picked.includes(column.name)) : [];

  const close = () => {
    setOpen(false);
    setAsking(false);
    setFailure(null);
  };

  const start = async (chosen: PluginSummary) => {
    setStarting(true);
    setFailure(null);
    let sourceId: string | undefined;
    try {
      if (!consentCovers(chosen)) await grant.mutateAsync(chosen);
      const columns = handed.map((column) => column.name);
      const launched = await launch.mutateAsync({
        pluginId: chosen.id,
        tableName: table.name,
        columns,
      });
      // The plugin's own copy of the rows on screen, in their order.
      const copy = await engine().query(viewId, {});
      sourceId = copy.viewId;
      onLaunched({
        launch: launched,
        sourceId: copy.viewId,
        sourceColumnCount: table.columns.length,
        shownViewId: viewId,
        session: {
          pluginId: chosen.id,
          instanceId: launched.instanceId,
          permissions: launched.permissions,
          table: {
            name: table.name,
            rowCount: copy.rowCount,
            columns: handed.map((column) => ({ name: column.name, type: column.type })),
          },
        },
      });
      setPicked([]);
      close();
    } catch (error) {
      if (sourceId) void engine().drop(sourceId);
      setFailure(error);
    } finally {
      setStarting(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => {
          // Fresh: a block or a revoked consent since the page loaded must show.
          void plugins.refetch();
          setOpen(true);
        }}
      >
        Run plugin
      </button>
      <dialog
        ref={dialogRef}
        className="dialog"
        aria-labelledby={titleId}
        onClose={() => setOpen(false)}
      >
        <h2 id={titleId} className="panel-title">
          {asking && plugin ? `Allow ${plugin.name} to…` : 'Run a plugin'}
        </h2>
        {plugins.isPending && <LoadingState label="Loading plugins…" />}
        {plugins.isError && (
          <ErrorPanel error={plugins.error} title="The plugins could not be loaded" />
        )}
        {plugins.isSuccess && runnable.length === 0 && (
          <p className="empty">No plugin is available to you.</p>
        )}
        {plugins.isSuccess && runnable.length > 0 && !asking && (
          <form
            className="form"
            onSubmit={(event) => {
              event.preventDefault();
              if (!plugin) return;
              if (consentCovers(plugin)) void start(plugin);
              else setAsking(true);
            }}
          >
            <div className="field">
              <label htmlFor={selectId}>Plugin</label>
              <select
                id={selectId}
                value={pluginId}
                onChange={(event) => setPluginId(event.target.value)}
              >
                <option value="">Choose a plugin…</option>
                {runnable.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name} {candidate.version}
                  </option>
                ))}
              </select>
              {plugin && <p className="field-note">{plugin.description}</p>}
            </div>
            {reads && <ColumnChoice columns={table.columns} picked={picked} onChange={setPicked} />}
            {plugin && (
              <p className="note">
                It gets {viewRowCount.toLocaleString()} rows
                {reads ? ` of ${handed.length} ${handed.length === 1 ? 'column' : 'columns'}` : ''},
                in a sandbox with no network access.
              </p>
            )}
            <div className="actions">
              <button type="submit" className="button" disabled={!plugin || starting}>
                {starting ? 'Starting…' : 'Run'}
              </button>
              <button type="button" className="button button-secondary" onClick={close}>
                Cancel
              </button>
            </div>
          </form>
        )}
        {asking && plugin && (
          <div className="stack">
            <p>{plugin.name} asks to:</p>
            <ul className="plain-list" aria-label="Permissions">
              {plugin.permissions.map((permission) => (
                <li key={permission} className="plain-list-row">
                  {permissionText(
                    permission,
                    handed.map((column) => column.name),
                  )}
                </li>
              ))}
            </ul>
            <p className="note">You can revoke this on the Plugins page.</p>
            <div className="actions">
              <button
                type="button"
                className="button"
                disabled={starting}
                onClick={() => void start(plugin)}
              >
                {starting ? 'Starting…' : 'Approve'}
              </button>
              <button type="button" className="button button-secondary" onClick={close}>
                Cancel
              </button>
            </div>
          </div>
        )}
        {failure !== null && <ErrorPanel error={failure} title="The plugin could not start" />}
      </dialog>
    </>
  );
}

/**
 * The panel of one running plugin beside the grid: its name (and the title it set, never in
 * place of its name, so a plugin cannot pass itself off as another), a close button, and the
 * frame. When the host stops it, the panel says which plugin and why, in place of the frame.
 */
import { useId, useMemo, useState } from 'react';
import type { TableInfo } from '../../workers/engine/protocol.ts';
import type { PluginTermination } from './broker/index.ts';
import { stoppedText } from './permission-text.ts';
import { PluginFrame } from './plugin-frame.tsx';
import { pluginStorage } from './plugin-storage.ts';
import type { RunningPlugin } from './running-plugin.ts';
import { workbenchPluginData } from './workbench-plugin-data.ts';

interface PluginPanelProps {
  readonly userId: string;
  readonly running: RunningPlugin;
  /** The rows selected in the launch view, or null while the grid shows other rows. */
  readonly selection: readonly number[] | null;
  /** Must be stable (the panel keeps the first ones). */
  readonly onColumnsAdded: (table: TableInfo) => void;
  readonly onTableMade: (table: TableInfo) => void;
  readonly onClose: () => void;
}

export function PluginPanel({
  userId,
  running,
  selection,
  onColumnsAdded,
  onTableMade,
  onClose,
}: PluginPanelProps) {
  const { launch } = running;
  const [title, setTitle] = useState<string | null>(null);
  const [stopped, setStopped] = useState<PluginTermination | null>(null);
  // Made once per instance: it remembers the table its last result made. The page's callbacks
  // are stable (they only set state).
  const [data] = useState(() =>
    workbenchPluginData({
      sourceId: running.sourceId,
      sourceColumnCount: running.sourceColumnCount,
      pluginId: launch.plugin.id,
      pluginName: launch.plugin.name,
      onColumnsAdded,
      onTableMade,
    }),
  );
  const handlers = useMemo(() => {
    const storage = pluginStorage(userId, launch.plugin.id);
    return {
      ...data,
      storageGet: storage.get,
      storageSet: storage.set,
      selection: () => selection ?? [],
    };
  }, [data, userId, launch.plugin.id, selection]);

  const headingId = useId();
  return (
    <section className="panel panel-wide plugin-panel" aria-labelledby={headingId}>
      <header className="plugin-panel-header">
        <h2 id={headingId} className="panel-title">
          {launch.plugin.name}
          {title && <span className="plugin-panel-subtitle"> · {title}</span>}
        </h2>
        <span className="badge badge-neutral">Plugin</span>
        <button type="button" className="button button-small button-secondary" onClick={onClose}>
          {stopped ? 'Dismiss' : 'Close'}
          <span className="visually-hidden"> {launch.plugin.name}</span>
        </button>
      </header>
      {stopped ? (
        <p className="note note-error" role="alert">
          {stoppedText(launch.plugin.name, stopped)}
        </p>
      ) : (
        <PluginFrame
          launch={launch}
          session={running.session}
          handlers={handlers}
          selection={selection}
          onTitle={setTitle}
          onStopped={setStopped}
        />
      )}
    </section>
  );
}

/**
 * A plugin running on the workbench, as the page keeps it: the server's launch answer, the
 * session the broker describes to the plugin (only the columns the user handed it), and the
 * engine view made for it at launch (a copy of the rows the user saw, so a later filter does not
 * change what the plugin reads).
 */
import type { SessionInfo } from '../../sdk/src/protocol.ts';
import type { PluginLaunch } from '../api/plugins-api.ts';

export interface RunningPlugin {
  readonly launch: PluginLaunch;
  readonly session: SessionInfo;
  /** The engine view the plugin reads (its own copy; dropped when it closes). */
  readonly sourceId: string;
  readonly sourceColumnCount: number;
  /** The grid's view when it was launched: its selection is the plugin's. */
  readonly shownViewId: string;
}

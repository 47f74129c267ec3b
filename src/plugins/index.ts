/**
 * The plugin host's contract for the rest of the app: the workbench's "Run plugin" dialog and
 * panels, the Plugins page, and the types they pass around. The broker is its pure core
 * (`broker/index.ts`).
 *
 * @example
 * import { PluginPanel, RunPluginDialog, type RunningPlugin } from '../plugins/index.ts';
 */
export { PluginPanel } from './plugin-panel.tsx';
export { PluginsPage } from './plugins-page.tsx';
export { RunPluginDialog } from './run-plugin-dialog.tsx';
export type { RunningPlugin } from './running-plugin.ts';
export { usePluginName, usePlugins } from './use-plugins.ts';

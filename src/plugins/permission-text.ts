/**
 * A plugin's permissions in plain words, for the consent dialog (with the columns the user is
 * about to hand it) and the Plugins page (before any columns are picked), and the sentence that
 * tells the user a plugin was stopped and why.
 */
import type { PluginPermission } from '../../sdk/src/protocol.ts';

/**
 * @example
 * permissionText('data:read', ['dose', 'label']); // 'Read the columns you pick: dose, label'
 * permissionText('data:read'); // 'Read the columns you pick when you run it'
 */
export function permissionText(permission: PluginPermission, columns?: readonly string[]): string {
  switch (permission) {
    case 'data:read':
      if (!columns) return 'Read the columns you pick when you run it';
      return columns.length === 0
        ? 'Read the columns you pick (none picked: it reads nothing)'
        : `Read the columns you pick: ${columns.join(', ')}`;
    case 'data:write':
      return 'Add result columns to this table, or make a new table (never change your columns)';
    case 'selection:read':
      return 'See which rows you select';
    case 'ui:panel':
      return 'Show a panel beside your data';
    case 'storage:own':
      return 'Keep a small store of its own on this device';
  }
}

/**
 * @example
 * stoppedText('Chart', { message: 'it stopped answering' }); // 'Chart was stopped: it stopped answering.'
 */
export function stoppedText(
  pluginName: string,
  termination: { readonly message: string; readonly detail?: string },
): string {
  const detail = termination.detail ? ` ${termination.detail}` : '';
  return `${pluginName} was stopped: ${termination.message}.${detail}`;
}

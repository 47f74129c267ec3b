/** The words a user reads before approving a plugin. */
import { describe, expect, it } from 'vitest';
import type { PluginPermission } from '../../sdk/src/protocol.ts';
import { permissionText, stoppedText } from './permission-text.ts';

describe('permissionText', () => {
  it('names the columns the user is handing over', () => {
    expect(permissionText('data:read', ['dose', 'label'])).toBe(
      'Read the columns you pick: dose, label',
    );
    expect(permissionText('data:read', [])).toContain('reads nothing');
    expect(permissionText('data:read')).toBe('Read the columns you pick when you run it');
  });

  it('has words for every permission', () => {
    const all: PluginPermission[] = [
      'data:read',
      'data:write',
      'selection:read',
      'ui:panel',
      'storage:own',
    ];
    const texts = all.map((permission) => permissionText(permission));
    expect(new Set(texts).size).toBe(all.length);
    expect(permissionText('data:write')).toContain('Add result columns to this table');
  });
});

describe('stoppedText', () => {
  it('says which plugin and why, with what the server said', () => {
    expect(stoppedText('Chart', { message: 'it stopped answering' })).toBe(
      'Chart was stopped: it stopped answering.',
    );
    expect(
      stoppedText('Chart', {
        message: 'an administrator blocked it',
        detail: 'An administrator blocked this plugin for everyone.',
      }),
    ).toBe(
      'Chart was stopped: an administrator blocked it. An administrator blocked this plugin for everyone.',
    );
  });
});

/** Unit tests of what each system role may do beyond single resources. */
import { describe, expect, it } from 'vitest';
import { systemPermissions } from './system-permissions.ts';

describe('systemPermissions', () => {
  it('lets admins do everything', () => {
    expect(Object.values(systemPermissions('admin')).every(Boolean)).toBe(true);
  });

  it('lets users create projects and connections, not groups or users', () => {
    expect(systemPermissions('user')).toEqual({
      createProjects: true,
      createConnections: true,
      createGroups: false,
      manageUsers: false,
      administer: false,
    });
  });

  it('keeps viewers, and a user not known yet, read-only', () => {
    for (const role of ['viewer', undefined] as const) {
      expect(Object.values(systemPermissions(role)).some(Boolean)).toBe(false);
    }
  });
});

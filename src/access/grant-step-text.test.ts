/** Unit tests of putting grant chains into words. */
import { describe, expect, it } from 'vitest';
import { grantStepText } from './grant-step-text.ts';

const project = { id: 'p1', name: 'Kinase screening' };

describe('grantStepText', () => {
  it('words each kind of link', () => {
    expect(grantStepText({ step: 'user', id: 'u1', name: 'bob' })).toBe(
      'bob (the user asked about)',
    );
    expect(grantStepText({ step: 'system-role', role: 'admin' })).toBe('has the system role Admin');
    expect(grantStepText({ step: 'member-of', group: { id: 'g1', name: 'oncology' } })).toBe(
      'is a member of the group oncology',
    );
    expect(grantStepText({ step: 'project-grant', project, role: 'owner' })).toBe(
      'holds the role Owner on the project Kinase screening',
    );
    expect(
      grantStepText({
        step: 'connection-grant',
        connection: { id: 'c1', name: 'LIMS' },
        permission: 'use',
      }),
    ).toBe('holds a “use” grant on the connection LIMS');
    expect(grantStepText({ step: 'inherits-from-project', project })).toBe(
      'which the resource inherits from its project Kinase screening',
    );
  });

  it('names a link it does not know instead of dropping it', () => {
    expect(grantStepText({ step: 'delegated', from: 'x' })).toBe('a step of the kind “delegated”');
    expect(grantStepText(null)).toBe('a step of the kind “unknown”');
  });
});

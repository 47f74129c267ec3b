import { describe, expect, it } from 'vitest';
import {
  canRevertBatch,
  emptyFilterValues,
  localTimeToIso,
  toAuditFilter,
} from './audit-filter-values.ts';

describe('toAuditFilter', () => {
  it('leaves empty fields out', () => {
    expect(toAuditFilter(emptyFilterValues)).toEqual({});
  });

  it('keeps set fields, trimmed', () => {
    expect(
      toAuditFilter({
        ...emptyFilterValues,
        actorUserId: 'u1',
        actorPlugin: ' stats ',
        sessionId: ' s-1 ',
        projectId: 'p1',
        action: ' plugin. ',
        resourceType: 'project',
        resourceId: ' p1 ',
        outcome: 'denied',
      }),
    ).toEqual({
      actorUserId: 'u1',
      actorPlugin: 'stats',
      sessionId: 's-1',
      projectId: 'p1',
      action: 'plugin.',
      resourceType: 'project',
      resourceId: 'p1',
      outcome: 'denied',
    });
  });

  it('drops a resource id without a resource type, which the server refuses', () => {
    expect(toAuditFilter({ ...emptyFilterValues, resourceId: 'p1' })).toEqual({});
  });

  it('drops an outcome the server does not know', () => {
    expect(toAuditFilter({ ...emptyFilterValues, outcome: 'maybe' })).toEqual({});
  });

  it('turns local times into ISO instants, "to" through the end of its minute', () => {
    const filter = toAuditFilter({
      ...emptyFilterValues,
      from: '2026-03-01T10:30',
      to: '2026-03-01T11:00',
    });
    expect(filter.from).toBe(new Date('2026-03-01T10:30').toISOString());
    expect(filter.to).toBe(new Date('2026-03-01T11:00:59.999').toISOString());
  });
});

describe('localTimeToIso', () => {
  it('ignores empty and unreadable values', () => {
    expect(localTimeToIso('')).toBeUndefined();
    expect(localTimeToIso('yesterday')).toBeUndefined();
  });

  it('keeps given seconds for the end', () => {
    expect(localTimeToIso('2026-03-01T11:00:10', true)).toBe(
      new Date('2026-03-01T11:00:10').toISOString(),
    );
  });
});

describe('canRevertBatch', () => {
  it('needs a person, a plugin or a session, and a start time', () => {
    expect(
      canRevertBatch({ ...emptyFilterValues, sessionId: 's-1', from: '2026-03-01T10:00' }),
    ).toBe(true);
    expect(canRevertBatch({ ...emptyFilterValues, from: '2026-03-01T10:00' })).toBe(false);
    expect(canRevertBatch({ ...emptyFilterValues, actorPlugin: 'stats' })).toBe(false);
    expect(
      canRevertBatch({ ...emptyFilterValues, actorPlugin: 'stats', from: '2026-03-01T10:00' }),
    ).toBe(true);
    expect(
      canRevertBatch({ ...emptyFilterValues, actorUserId: 'u1', from: '2026-03-01T10:00' }),
    ).toBe(true);
  });
});

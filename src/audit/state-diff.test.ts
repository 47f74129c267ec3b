import { describe, expect, it } from 'vitest';
import { canonicalJson, diffStates, formatStateValue } from './state-diff.ts';

describe('diffStates', () => {
  it('marks the changed field and keeps the unchanged ones', () => {
    expect(diffStates({ name: 'A', description: 'x' }, { name: 'B', description: 'x' })).toEqual([
      { path: 'description', change: 'unchanged', before: 'x', after: 'x' },
      { path: 'name', change: 'changed', before: 'A', after: 'B' },
    ]);
  });

  it('lists added and removed fields', () => {
    expect(diffStates({ old: 1, kept: true }, { kept: true, fresh: 2 })).toEqual([
      { path: 'fresh', change: 'added', after: 2 },
      { path: 'kept', change: 'unchanged', before: true, after: true },
      { path: 'old', change: 'removed', before: 1 },
    ]);
  });

  it('walks nested objects with dotted paths', () => {
    expect(
      diffStates(
        { settings: { colour: 'red', size: 2 } },
        { settings: { colour: 'blue', size: 2 } },
      ),
    ).toEqual([
      { path: 'settings.colour', change: 'changed', before: 'red', after: 'blue' },
      { path: 'settings.size', change: 'unchanged', before: 2, after: 2 },
    ]);
  });

  it('compares arrays whole, ignoring key order inside their objects', () => {
    const members = [{ id: 'u1', role: 'owner' }];
    expect(diffStates({ members }, { members: [{ role: 'owner', id: 'u1' }] })).toEqual([
      {
        path: 'members',
        change: 'unchanged',
        before: members,
        after: [{ role: 'owner', id: 'u1' }],
      },
    ]);
    expect(
      diffStates({ members }, { members: [...members, { id: 'u2', role: 'viewer' }] })[0]?.change,
    ).toBe('changed');
  });

  it('shows a creation as every field added and a deletion as every field removed', () => {
    expect(diffStates(null, { name: 'A', tags: ['x'] })).toEqual([
      { path: 'name', change: 'added', after: 'A' },
      { path: 'tags', change: 'added', after: ['x'] },
    ]);
    expect(diffStates({ name: 'A' }, null)).toEqual([
      { path: 'name', change: 'removed', before: 'A' },
    ]);
  });

  it('handles states that are not objects', () => {
    expect(diffStates('on', 'off')).toEqual([
      { path: '', change: 'changed', before: 'on', after: 'off' },
    ]);
    expect(diffStates(null, 3)).toEqual([{ path: '', change: 'added', after: 3 }]);
    expect(diffStates(null, null)).toEqual([]);
    expect(diffStates({ a: 1 }, [1])).toEqual([
      { path: '', change: 'changed', before: { a: 1 }, after: [1] },
    ]);
  });

  it('treats a field that became null as changed, not removed', () => {
    expect(diffStates({ description: 'x' }, { description: null })).toEqual([
      { path: 'description', change: 'changed', before: 'x', after: null },
    ]);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: [{ z: 1, y: 2 }] })).toBe(
      '{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}',
    );
  });
});

describe('formatStateValue', () => {
  it('shows strings as they are and the rest as JSON', () => {
    expect(formatStateValue('Kinase')).toBe('Kinase');
    expect(formatStateValue(null)).toBe('null');
    expect(formatStateValue({ a: [1] })).toBe('{"a":[1]}');
    expect(formatStateValue(undefined)).toBe('');
    expect(formatStateValue('')).toBe('(empty)');
  });
});

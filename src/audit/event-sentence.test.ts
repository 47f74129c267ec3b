import { describe, expect, it } from 'vitest';
import {
  clientName,
  describeAction,
  describeTarget,
  isRevertible,
  resourceName,
  resourceTypeName,
  shortId,
  type DescribedEvent,
} from './event-sentence.ts';

function event(overrides: Partial<DescribedEvent>): DescribedEvent {
  return {
    action: 'project.update',
    resourceType: 'project',
    resourceId: '0b5c9f7e-1111-4222-8333-944445555666',
    outcome: 'ok',
    source: 'server',
    details: null,
    before: null,
    after: null,
    ...overrides,
  };
}

describe('describeAction', () => {
  it('says "renamed" when an update changed the name', () => {
    expect(describeAction(event({ before: { name: 'A' }, after: { name: 'B' } }))).toBe(
      'renamed project',
    );
  });

  it('says "changed" when an update kept the name', () => {
    expect(
      describeAction(
        event({ before: { name: 'A', description: 'x' }, after: { name: 'A', description: 'y' } }),
      ),
    ).toBe('changed project');
  });

  it('builds the sentence from the verb and the resource type', () => {
    expect(describeAction(event({ action: 'dashboard.create', resourceType: 'dashboard' }))).toBe(
      'created dashboard',
    );
    expect(describeAction(event({ action: 'group.delete', resourceType: 'group' }))).toBe(
      'deleted group',
    );
    expect(
      describeAction(event({ action: 'project.members.update', resourceType: 'project_member' })),
    ).toBe('gave a project role');
  });

  it('uses whole phrases for actions that are not verb and resource', () => {
    expect(describeAction(event({ action: 'auth.login', resourceType: 'user' }))).toBe('signed in');
    expect(describeAction(event({ action: 'dataset.read', resourceType: 'dataset' }))).toBe(
      'downloaded dataset',
    );
  });

  it('says what was tried when it was refused or failed', () => {
    expect(
      describeAction(
        event({ action: 'dashboard.delete', resourceType: 'dashboard', outcome: 'denied' }),
      ),
    ).toBe('was refused: delete dashboard');
    expect(describeAction(event({ action: 'auth.login', outcome: 'denied' }))).toBe(
      'was refused: sign in',
    );
    expect(
      describeAction(
        event({ action: 'connection.query', resourceType: 'connection', outcome: 'error' }),
      ),
    ).toBe('failed to query connection');
  });

  it('names the change a revert undid', () => {
    expect(
      describeAction(
        event({
          action: 'audit.revert',
          details: { revertedAction: 'project.update', revertedEventId: 'e1', revertedSeq: 4 },
          before: { name: 'B' },
          after: { name: 'A' },
        }),
      ),
    ).toBe('reverted “rename project”');
    expect(
      describeAction(event({ action: 'audit.revert', details: { revertedAction: 'x.unknown' } })),
    ).toBe('reverted “x.unknown”');
  });

  it('falls back to the action itself for actions it has no words for', () => {
    expect(describeAction(event({ action: 'telescope.point', resourceType: 'telescope' }))).toBe(
      'telescope.point',
    );
    expect(describeAction(event({ action: 'telescope.point', outcome: 'denied' }))).toBe(
      'was refused: telescope.point',
    );
  });
});

describe('describeTarget', () => {
  it('names the resource from its later state first', () => {
    expect(describeTarget(event({ before: { name: 'Old' }, after: { name: 'New' } }))).toBe(
      'project New',
    );
  });

  it('names a deleted resource from its earlier state', () => {
    expect(describeTarget(event({ before: { name: 'Gone' } }))).toBe('project Gone');
  });

  it('falls back to a short id, or the type alone', () => {
    expect(describeTarget(event({}))).toBe('project 0b5c9f7e…');
    expect(describeTarget(event({ resourceType: 'system', resourceId: null }))).toBe('system');
  });

  it('names a user through the given lookup', () => {
    const user = event({ resourceType: 'user', resourceId: 'u-1234567890' });
    expect(describeTarget(user, (id) => (id === 'u-1234567890' ? 'carol' : id))).toBe('user carol');
    expect(describeTarget(user)).toBe('user u-123456…');
  });

  it('reads usernames and titles too', () => {
    expect(resourceName({ before: null, after: { username: 'dave' } })).toBe('dave');
    expect(resourceName({ before: null, after: { title: 'Yield' } })).toBe('Yield');
    expect(resourceName({ before: null, after: { name: '' } })).toBeUndefined();
    expect(resourceName({ before: 'text', after: [1] })).toBeUndefined();
  });
});

describe('resourceTypeName and shortId', () => {
  it('turns types into words', () => {
    expect(resourceTypeName('project_member')).toBe('project member');
    expect(resourceTypeName('plugin_policy_rule')).toBe('plugin rule');
    expect(resourceTypeName('some_new-type')).toBe('some new type');
  });

  it('cuts long ids only', () => {
    expect(shortId('0b5c9f7e-1111-4222-8333-944445555666')).toBe('0b5c9f7e…');
    expect(shortId('stats')).toBe('stats');
  });
});

describe('isRevertible', () => {
  it('allows a recorded server change with a state', () => {
    expect(isRevertible(event({ before: { name: 'A' }, after: { name: 'B' } }))).toBe(true);
    expect(isRevertible(event({ before: null, after: { name: 'B' } }))).toBe(true);
    expect(isRevertible(event({ before: { name: 'A' }, after: null }))).toBe(true);
  });

  it('refuses denials, failures, browser reports and events without states', () => {
    const states = { before: { name: 'A' }, after: { name: 'B' } };
    expect(isRevertible(event({ ...states, outcome: 'denied' }))).toBe(false);
    expect(isRevertible(event({ ...states, outcome: 'error' }))).toBe(false);
    expect(isRevertible(event({ ...states, source: 'client' }))).toBe(false);
    expect(isRevertible(event({}))).toBe(false);
  });
});

describe('clientName', () => {
  it('names the web app, keeps other client ids and says "server" for none', () => {
    expect(clientName('enclave-web')).toBe('web app');
    expect(clientName('lab-notebook')).toBe('lab-notebook');
    expect(clientName(null)).toBe('server');
  });
});

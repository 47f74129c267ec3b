import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  authorize,
  isReadAction,
  projectRoleOf,
  type AccessRule,
  type Action,
  type ProjectFacts,
  type ProjectRole,
  type ResourceFacts,
  type Subject,
  type SystemRole,
} from './policy.ts';

const ids = {
  user: '00000000-0000-4000-8000-000000000001',
  other: '00000000-0000-4000-8000-000000000002',
  chemists: '00000000-0000-4000-8000-0000000000a1',
  research: '00000000-0000-4000-8000-0000000000a2',
  oncology: '00000000-0000-4000-8000-0000000000a3',
  project: '00000000-0000-4000-8000-0000000000b1',
  dashboard: '00000000-0000-4000-8000-0000000000c1',
  dataset: '00000000-0000-4000-8000-0000000000d1',
  connection: '00000000-0000-4000-8000-0000000000e1',
};

function subject(systemRole: SystemRole, extra: Partial<Subject> = {}): Subject {
  return { userId: ids.user, username: 'bob', systemRole, groups: [], groupAdminOf: [], ...extra };
}

function project(
  grants: ProjectFacts['grants'] = [],
  tags: Record<string, string> = {},
): ProjectFacts {
  return { id: ids.project, name: 'Screening', tags, grants };
}

function userGrant(role: ProjectRole, userId = ids.user): ProjectFacts['grants'][number] {
  return { grantee: { type: 'user', id: userId, name: 'bob' }, role };
}

function groupGrant(
  role: ProjectRole,
  groupId: string,
  name: string,
): ProjectFacts['grants'][number] {
  return { grantee: { type: 'group', id: groupId, name }, role };
}

const asProject = (facts: ProjectFacts): ResourceFacts => ({ type: 'project', ...facts });
const asDashboard = (facts: ProjectFacts, tags: Record<string, string> = {}): ResourceFacts => ({
  type: 'dashboard',
  id: ids.dashboard,
  name: 'Hits',
  tags,
  project: facts,
});
const asDataset = (facts: ProjectFacts): ResourceFacts => ({
  type: 'dataset',
  id: ids.dataset,
  name: 'Plates',
  tags: {},
  project: facts,
});

/** DESIGN §4's table, written out independently of the policy's own map. */
const expectedByRole: Record<
  ProjectRole,
  { project: Action[]; dashboard: Action[]; dataset: Action[] }
> = {
  viewer: {
    project: ['project.view', 'project.members.view'],
    dashboard: ['dashboard.view'],
    dataset: ['dataset.view'],
  },
  editor: {
    project: ['project.view', 'project.members.view', 'dashboard.create', 'dataset.create'],
    dashboard: ['dashboard.view', 'dashboard.update'],
    dataset: ['dataset.view', 'dataset.upload'],
  },
  owner: {
    project: [
      'project.view',
      'project.members.view',
      'dashboard.create',
      'dataset.create',
      'project.update',
      'project.delete',
      'project.members.manage',
      'access.explain',
    ],
    dashboard: ['dashboard.view', 'dashboard.update', 'dashboard.delete', 'access.explain'],
    dataset: ['dataset.view', 'dataset.upload', 'dataset.delete', 'access.explain'],
  },
};

function allowedOn(who: Subject, resource: ResourceFacts, rules: AccessRule[] = []): Action[] {
  return ACTIONS.filter((action) => authorize(who, action, resource, rules).allowed);
}

describe('authorize: deny by default', () => {
  it('a user with no grant may take no action on a project, its dashboards or datasets, and learns nothing', () => {
    const facts = project([userGrant('owner', ids.other)]);
    for (const resource of [asProject(facts), asDashboard(facts), asDataset(facts)]) {
      for (const action of ACTIONS) {
        const decision = authorize(subject('user'), action, resource);
        expect(decision.allowed, `${action} on ${resource.type}`).toBe(false);
      }
      const view = authorize(subject('user'), `${resource.type}.view` as Action, resource);
      expect(view).toMatchObject({ allowed: false, conceal: true });
    }
  });

  it('an action on the wrong kind of resource is denied even for a project owner', () => {
    const facts = project([userGrant('owner')]);
    expect(authorize(subject('user'), 'dashboard.delete', asProject(facts)).allowed).toBe(false);
    expect(authorize(subject('user'), 'project.delete', asDashboard(facts)).allowed).toBe(false);
    expect(authorize(subject('user'), 'connection.query', asDataset(facts)).allowed).toBe(false);
  });

  it('a user may not manage users, create groups or manage rules', () => {
    for (const action of ['user.manage', 'group.create', 'access.rules.manage'] as Action[]) {
      expect(authorize(subject('user'), action, { type: 'system' }).allowed).toBe(false);
    }
    expect(authorize(subject('user'), 'project.create', { type: 'system' }).allowed).toBe(true);
  });
});

describe('authorize: the action table of DESIGN §4', () => {
  for (const role of ['viewer', 'editor', 'owner'] as ProjectRole[]) {
    it(`a project ${role} may do exactly what the table says`, () => {
      const facts = project([userGrant(role)]);
      expect(allowedOn(subject('user'), asProject(facts)).sort()).toEqual(
        [...expectedByRole[role].project].sort(),
      );
      expect(allowedOn(subject('user'), asDashboard(facts)).sort()).toEqual(
        [...expectedByRole[role].dashboard].sort(),
      );
      expect(allowedOn(subject('user'), asDataset(facts)).sort()).toEqual(
        [...expectedByRole[role].dataset].sort(),
      );
    });
  }

  it('the effective role is the most permissive grant, reached through nested groups', () => {
    const nested = subject('user', {
      groups: [
        { id: ids.chemists, name: 'chemists', path: [{ id: ids.chemists, name: 'chemists' }] },
        {
          id: ids.research,
          name: 'research',
          path: [
            { id: ids.chemists, name: 'chemists' },
            { id: ids.research, name: 'research' },
          ],
        },
      ],
    });
    const facts = project([userGrant('viewer'), groupGrant('owner', ids.research, 'research')]);
    expect(projectRoleOf(nested, facts)).toBe('owner');
    const decision = authorize(nested, 'dashboard.delete', asDashboard(facts));
    expect(decision.allowed).toBe(true);
    if (decision.allowed) {
      expect(decision.chain).toEqual([
        { step: 'user', id: ids.user, name: 'bob' },
        { step: 'member-of', group: { id: ids.chemists, name: 'chemists' } },
        { step: 'member-of', group: { id: ids.research, name: 'research' } },
        { step: 'project-grant', project: { id: ids.project, name: 'Screening' }, role: 'owner' },
        { step: 'inherits-from-project', project: { id: ids.project, name: 'Screening' } },
      ]);
    }
  });

  it('a role below what the action needs is a 403 with the reason, not a 404', () => {
    const decision = authorize(
      subject('user'),
      'project.delete',
      asProject(project([userGrant('editor')])),
    );
    expect(decision).toMatchObject({ allowed: false, conceal: false });
    if (!decision.allowed) expect(decision.reason).toMatch(/editor.*needs owner/);
  });
});

describe('authorize: the Viewer system role is read-only whatever is granted', () => {
  it('a system Viewer who owns a project may only read', () => {
    const facts = project([userGrant('owner')]);
    for (const resource of [asProject(facts), asDashboard(facts), asDataset(facts)]) {
      for (const action of allowedOn(subject('viewer'), resource)) {
        expect(isReadAction(action), action).toBe(true);
      }
    }
    expect(authorize(subject('viewer'), 'project.delete', asProject(facts))).toMatchObject({
      allowed: false,
      conceal: false,
    });
    expect(authorize(subject('viewer'), 'project.create', { type: 'system' }).allowed).toBe(false);
  });

  it('a system Viewer who is a group admin may not manage the group', () => {
    const viewer = subject('viewer', { groupAdminOf: [ids.chemists] });
    const group: ResourceFacts = {
      type: 'group',
      id: ids.chemists,
      name: 'chemists',
      source: 'local',
    };
    expect(authorize(viewer, 'group.members.manage', group).allowed).toBe(false);
    expect(
      authorize(subject('user', { groupAdminOf: [ids.chemists] }), 'group.members.manage', group)
        .allowed,
    ).toBe(true);
  });
});

describe('authorize: attribute rules only narrow', () => {
  const oncologyMember = (role: SystemRole = 'user') =>
    subject(role, {
      groups: [
        { id: ids.oncology, name: 'oncology', path: [{ id: ids.oncology, name: 'oncology' }] },
      ],
    });
  const restricted: AccessRule = {
    id: 'rule-1',
    tagKey: 'sensitivity',
    tagValue: 'restricted',
    groups: [{ id: ids.oncology, name: 'oncology' }],
  };

  it('hides a restricted project and everything in it from an owner outside the group, as a 404', () => {
    const facts = project([userGrant('owner')], { sensitivity: 'restricted' });
    for (const resource of [asProject(facts), asDashboard(facts), asDataset(facts)]) {
      expect(allowedOn(subject('user'), resource, [restricted])).toEqual([]);
      const decision = authorize(subject('user'), `${resource.type}.view` as Action, resource, [
        restricted,
      ]);
      expect(decision).toMatchObject({ allowed: false, conceal: true, rule: { id: 'rule-1' } });
    }
    expect(allowedOn(oncologyMember(), asProject(facts), [restricted])).toContain('project.delete');
  });

  it("a resource's own tag of the same key cannot mask its project's tag", () => {
    const facts = project([userGrant('owner')], { sensitivity: 'restricted' });
    const dashboard = asDashboard(facts, { sensitivity: 'public' });
    expect(authorize(subject('user'), 'dashboard.view', dashboard, [restricted]).allowed).toBe(
      false,
    );
  });

  it('a rule never allows what the grants alone deny, for any role and action', () => {
    const rules: AccessRule[] = [restricted, { ...restricted, id: 'rule-2', tagValue: 'open' }];
    for (const systemRole of ['user', 'viewer'] as SystemRole[]) {
      for (const role of [null, 'viewer', 'editor', 'owner'] as (ProjectRole | null)[]) {
        for (const tags of [{}, { sensitivity: 'restricted' }, { sensitivity: 'open' }] as Record<
          string,
          string
        >[]) {
          const facts = project(role ? [userGrant(role)] : [], tags);
          for (const who of [subject(systemRole), oncologyMember(systemRole)]) {
            for (const resource of [asProject(facts), asDashboard(facts), asDataset(facts)]) {
              const withRules = allowedOn(who, resource, rules);
              const without = allowedOn(who, resource);
              expect(without).toEqual(expect.arrayContaining(withRules));
            }
          }
        }
      }
    }
  });

  it('a rule with no groups left closes the resource to everyone but admins', () => {
    const closed = { ...restricted, groups: [] };
    const facts = project([userGrant('owner')], { sensitivity: 'restricted' });
    expect(authorize(oncologyMember(), 'project.view', asProject(facts), [closed]).allowed).toBe(
      false,
    );
    expect(authorize(subject('admin'), 'project.view', asProject(facts), [closed]).allowed).toBe(
      true,
    );
  });
});

describe('authorize: connections carry their own grants', () => {
  const connection = (permission: 'use' | 'edit' | null, tags = {}): ResourceFacts => ({
    type: 'connection',
    id: ids.connection,
    name: 'LIMS',
    tags,
    grants: permission
      ? [{ grantee: { type: 'user', id: ids.user, name: 'bob' }, permission }]
      : [],
  });

  it('use may view and query; edit may also change, delete and grant', () => {
    expect(allowedOn(subject('user'), connection('use')).sort()).toEqual([
      'connection.query',
      'connection.view',
    ]);
    expect(allowedOn(subject('user'), connection('edit')).sort()).toEqual([
      'access.explain',
      'connection.delete',
      'connection.grants.manage',
      'connection.query',
      'connection.update',
      'connection.view',
    ]);
  });

  it('no grant is a 404, and a project grant does not reach a connection', () => {
    expect(authorize(subject('user'), 'connection.query', connection(null))).toMatchObject({
      allowed: false,
      conceal: true,
    });
  });

  it('a system Viewer with an edit grant may query but not edit', () => {
    expect(allowedOn(subject('viewer'), connection('edit')).sort()).toEqual([
      'access.explain',
      'connection.query',
      'connection.view',
    ]);
  });
});

describe('authorize: admins', () => {
  it('may take every action on every resource, rules notwithstanding', () => {
    const facts = project([], { sensitivity: 'restricted' });
    const rule: AccessRule = { id: 'r', tagKey: 'sensitivity', tagValue: 'restricted', groups: [] };
    for (const resource of [asProject(facts), asDashboard(facts), asDataset(facts)]) {
      expect(allowedOn(subject('admin'), resource, [rule]).length).toBeGreaterThan(3);
      expect(
        authorize(subject('admin'), `${resource.type}.delete` as Action, resource, [rule]).allowed,
      ).toBe(true);
    }
    expect(authorize(subject('admin'), 'user.manage', { type: 'system' }).allowed).toBe(true);
  });
});

describe('authorize: reasons read as plain sentences', () => {
  const chemists: ResourceFacts = {
    type: 'group',
    id: ids.chemists,
    name: 'chemists',
    source: 'local',
  };
  const reason = (who: Subject, action: Action, resource: ResourceFacts) =>
    authorize(who, action, resource).reason;

  it("names the group's admins and what they may do with their group", () => {
    const groupAdmin = subject('user', { groupAdminOf: [ids.chemists] });
    expect(reason(groupAdmin, 'group.update', chemists)).toBe(
      'Group admins may rename their group.',
    );
    expect(reason(groupAdmin, 'group.delete', chemists)).toBe(
      'Group admins may delete their group.',
    );
    expect(reason(groupAdmin, 'group.members.manage', chemists)).toBe(
      'Group admins may manage the members of their group.',
    );
    expect(reason(subject('user'), 'group.update', chemists)).toBe(
      "Only admins and this group's admins may rename this group.",
    );
    expect(reason(subject('user'), 'group.members.manage', chemists)).toBe(
      "Only admins and this group's admins may manage the members of this group.",
    );
  });

  it('says where only admins explain access or tag', () => {
    const groupAdmin = subject('user', { groupAdminOf: [ids.chemists] });
    for (const resource of [chemists, { type: 'system' } as const]) {
      expect(reason(groupAdmin, 'access.explain', resource)).toBe(
        'Only admins may explain access outside projects and connections.',
      );
      expect(reason(groupAdmin, 'access.tags.manage', resource)).toBe(
        'Only admins may tag resources.',
      );
    }
  });

  it('says what a connection grant lets its holder do', () => {
    const connection: ResourceFacts = {
      type: 'connection',
      id: ids.connection,
      name: 'LIMS',
      tags: {},
      grants: [{ grantee: { type: 'user', id: ids.user, name: 'bob' }, permission: 'use' }],
    };
    expect(reason(subject('user'), 'connection.query', connection)).toBe(
      'Holders of a "use" grant may run queries.',
    );
  });
});

describe('plugin actions', () => {
  const person = (systemRole: 'admin' | 'user' | 'viewer', userId = 'u-1'): Subject => ({
    userId,
    username: userId,
    systemRole,
    groups: [],
    groupAdminOf: [],
  });
  const runnable = {
    type: 'plugin',
    id: 'enclave.chart',
    name: 'Chart',
    blockedReason: null,
  } as const;
  const blocked = {
    ...runnable,
    blockedReason: 'An administrator blocked this plugin for everyone.',
  };
  const instance = {
    type: 'pluginInstance',
    id: 'ref',
    pluginId: 'enclave.chart',
    userId: 'u-1',
  } as const;

  it('lets anyone run a runnable plugin, Viewers included, and only Admins manage plugins', () => {
    for (const role of ['admin', 'user', 'viewer'] as const) {
      for (const action of ['plugin.view', 'plugin.consent', 'plugin.launch'] as const) {
        expect(authorize(person(role), action, runnable).allowed, `${role} ${action}`).toBe(true);
      }
      expect(authorize(person(role), 'plugin.list', { type: 'system' }).allowed).toBe(true);
      for (const action of [
        'plugin.upload',
        'plugin.policy.view',
        'plugin.policy.manage',
      ] as const) {
        expect(authorize(person(role), action, { type: 'system' }).allowed).toBe(role === 'admin');
      }
      expect(authorize(person(role), 'plugin.delete', runnable).allowed).toBe(role === 'admin');
    }
  });

  it('hides a blocked plugin from non-admins and binds Admins too', () => {
    expect(authorize(person('user'), 'plugin.view', blocked)).toMatchObject({
      allowed: false,
      conceal: true,
    });
    expect(authorize(person('user'), 'plugin.delete', blocked)).toMatchObject({
      allowed: false,
      conceal: true,
    });
    expect(authorize(person('admin'), 'plugin.view', blocked).allowed).toBe(true);
    expect(authorize(person('admin'), 'plugin.launch', blocked)).toEqual({
      allowed: false,
      reason: blocked.blockedReason,
      conceal: false,
    });
    expect(authorize(person('admin'), 'plugin.delete', blocked).allowed).toBe(true);
  });

  it('keeps an instance to its launcher, Admins included', () => {
    expect(authorize(person('viewer'), 'plugin.instance.use', instance).allowed).toBe(true);
    expect(authorize(person('admin', 'u-2'), 'plugin.instance.use', instance)).toMatchObject({
      allowed: false,
      conceal: true,
    });
    expect(authorize(person('user'), 'plugin.launch', instance).allowed).toBe(false);
  });
});

describe('audit actions', () => {
  it('lets only Admins read the whole trail or verify it', () => {
    for (const action of ['audit.view_all', 'audit.verify'] as const) {
      expect(authorize(subject('admin'), action, { type: 'system' }).allowed).toBe(true);
      expect(authorize(subject('user'), action, { type: 'system' }).allowed).toBe(false);
      expect(authorize(subject('viewer'), action, { type: 'system' }).allowed).toBe(false);
    }
  });

  it("lets project owners, and no lesser role, read their project's events", () => {
    const decide = (role: ProjectRole, systemRole: SystemRole = 'user') =>
      authorize(subject(systemRole), 'audit.view_project', asProject(project([userGrant(role)])))
        .allowed;
    expect(decide('owner')).toBe(true);
    expect(decide('owner', 'viewer')).toBe(true);
    expect(decide('editor')).toBe(false);
    expect(decide('viewer')).toBe(false);
    expect(authorize(subject('user'), 'audit.view_project', asProject(project())).allowed).toBe(
      false,
    );
  });

  it('does not let a project owner past an attribute rule', () => {
    const rule: AccessRule = { id: 'r1', tagKey: 'class', tagValue: 'secret', groups: [] };
    const tagged = asProject(project([userGrant('owner')], { class: 'secret' }));
    expect(authorize(subject('user'), 'audit.view_project', tagged, [rule]).allowed).toBe(false);
  });
});

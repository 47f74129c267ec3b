/**
 * The policy: one pure function that decides whether a subject may take an action on a
 * resource, from facts already loaded (the subject's effective groups, the resource's grants and
 * tags, the attribute rules). It knows nothing of HTTP or the database, so every rule of access
 * is here, in one place, and testable on its own.
 *
 * Deny by default: an action is allowed only when a row of the table below grants it. Then two
 * narrowing steps that no grant can override: attribute rules (a tagged resource is open only to
 * the rule's groups) and the Viewer system role (read-only, whatever is granted).
 */

export type SystemRole = 'admin' | 'user' | 'viewer';
export type ProjectRole = 'owner' | 'editor' | 'viewer';
export type ConnectionPermission = 'use' | 'edit';
export type ResourceTags = Record<string, string>;

/** A named user or group, as it appears in grants and in the explanation of a decision. */
export interface Named {
  id: string;
  name: string;
}

/** A group the subject belongs to, directly or through nesting. */
export interface EffectiveGroup extends Named {
  /** From the group the subject is a direct member of up to this one (both included). */
  path: Named[];
}

/** Who is asking. */
export interface Subject {
  userId: string;
  username: string;
  systemRole: SystemRole;
  groups: EffectiveGroup[];
  /** Groups whose admin flag the subject holds (directly). */
  groupAdminOf: string[];
}

export type UserGrantee = { type: 'user' } & Named;
export type GroupGrantee = { type: 'group' } & Named;
/** Who holds a grant: one user or one group. */
export type Grantee = UserGrantee | GroupGrantee;

export interface ProjectGrant {
  grantee: Grantee;
  role: ProjectRole;
}

export interface ConnectionGrant {
  grantee: Grantee;
  permission: ConnectionPermission;
}

export interface ProjectFacts extends Named {
  tags: ResourceTags;
  grants: ProjectGrant[];
}

/** What the policy needs to know of the resource an action is about. */
export type ResourceFacts =
  | { type: 'system' }
  | ({ type: 'user' } & Named)
  | ({ type: 'group' } & Named & { source: 'local' | 'ldap' | 'oidc' })
  | ({ type: 'project' } & ProjectFacts)
  | ({ type: 'dashboard' | 'dataset' } & Named & { tags: ResourceTags; project: ProjectFacts })
  | ({ type: 'connection' } & Named & { tags: ResourceTags; grants: ConnectionGrant[] })
  | ({ type: 'plugin' } & Named & PluginFacts)
  | { type: 'pluginInstance'; id: string; pluginId: string; userId: string };

/**
 * What the policy needs to know of a plugin. `blockedReason` is the admins' plugin policy
 * (server/plugins, `pluginRunnability`) evaluated for the subject asking, at the time of the
 * request: null when it may run the plugin, else why not (a block, no allow rule for it, broken
 * files). Admins are not exempt.
 */
export interface PluginFacts {
  blockedReason: string | null;
}

/** The kinds of resource the explainer and tags name (plugins are decided on their own facts). */
export type ResourceType = Exclude<ResourceFacts['type'], 'plugin' | 'pluginInstance'>;

/** An attribute rule: resources tagged `tagKey=tagValue` are open only to these groups. */
export interface AccessRule {
  id: string;
  tagKey: string;
  tagValue: string;
  groups: Named[];
}

const systemActions = [
  'user.list',
  'user.manage',
  'group.list',
  'group.create',
  'project.list',
  'project.create',
  'connection.list',
  'connection.create',
  'access.rules.view',
  'access.rules.manage',
] as const;
const groupActions = [
  'group.update',
  'group.delete',
  'group.members.manage',
  'group.admins.manage',
] as const;
const projectActions = [
  'project.view',
  'project.members.view',
  'project.update',
  'project.delete',
  'project.members.manage',
  'dashboard.create',
  'dataset.create',
] as const;
const dashboardActions = ['dashboard.view', 'dashboard.update', 'dashboard.delete'] as const;
const datasetActions = ['dataset.view', 'dataset.upload', 'dataset.delete'] as const;
const connectionActions = [
  'connection.view',
  'connection.query',
  'connection.update',
  'connection.delete',
  'connection.grants.manage',
] as const;
const pluginSystemActions = [
  'plugin.list',
  'plugin.upload',
  'plugin.policy.view',
  'plugin.policy.manage',
] as const;
const pluginActions = ['plugin.view', 'plugin.consent', 'plugin.launch', 'plugin.delete'] as const;
const pluginInstanceActions = ['plugin.instance.use'] as const;
/** Reading the whole audit trail and proving it intact are Admin business. */
const auditSystemActions = ['audit.view_all', 'audit.verify'] as const;
/** A project owner reads the audit events of their project. */
const auditProjectActions = ['audit.view_project'] as const;
/** Explaining a decision on a resource, and tagging it, are actions on that resource. */
const metaActions = ['access.explain', 'access.tags.manage'] as const;

/** The actions on the resources the explainer and tags know (`ACTIONS`). */
export type Action =
  | (typeof systemActions)[number]
  | (typeof groupActions)[number]
  | (typeof projectActions)[number]
  | (typeof dashboardActions)[number]
  | (typeof datasetActions)[number]
  | (typeof connectionActions)[number]
  | (typeof metaActions)[number];

export const ACTIONS: readonly Action[] = [
  ...systemActions,
  ...groupActions,
  ...projectActions,
  ...dashboardActions,
  ...datasetActions,
  ...connectionActions,
  ...metaActions,
];

/**
 * The actions of the plugin platform. Their facts come from the plugin registry and the plugin
 * policy (server/plugins), so the explainer does not offer them; the policy decides them here
 * all the same.
 */
export type PluginAction =
  | (typeof pluginSystemActions)[number]
  | (typeof pluginActions)[number]
  | (typeof pluginInstanceActions)[number];

/**
 * The actions of the audit trail's read API (server/audit). Like the plugin actions they are
 * decided here but not offered by the explainer.
 */
export type AuditAction =
  (typeof auditSystemActions)[number] | (typeof auditProjectActions)[number];

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  ...auditSystemActions,
  ...auditProjectActions,
];

/** Every action the policy decides. */
export type PolicyAction = Action | PluginAction | AuditAction;

export const PLUGIN_ACTIONS: readonly PluginAction[] = [
  ...pluginSystemActions,
  ...pluginActions,
  ...pluginInstanceActions,
];

/** The actions that only read; a Viewer (system role) may take nothing else. */
const readActions: ReadonlySet<PolicyAction> = new Set<PolicyAction>([
  'user.list',
  'group.list',
  'project.list',
  'connection.list',
  'access.rules.view',
  'project.view',
  'project.members.view',
  'dashboard.view',
  'dataset.view',
  'connection.view',
  'connection.query',
  'access.explain',
  'plugin.list',
  'plugin.view',
  'audit.view_all',
  'audit.view_project',
  'audit.verify',
]);

/**
 * Actions that change only the caller's own things (their consents, their plugin instances);
 * a Viewer may take them, since a plugin writes nothing but the user's local table.
 */
const ownActions: ReadonlySet<PolicyAction> = new Set<PolicyAction>([
  'plugin.consent',
  'plugin.launch',
  'plugin.instance.use',
]);

export function isReadAction(action: PolicyAction): boolean {
  return readActions.has(action);
}

/** The action table of DESIGN §4: the least project role each project-scoped action needs. */
const projectRoleNeeded: Partial<Record<PolicyAction, ProjectRole>> = {
  'project.view': 'viewer',
  'project.members.view': 'viewer',
  'dashboard.view': 'viewer',
  'dataset.view': 'viewer',
  'dashboard.create': 'editor',
  'dashboard.update': 'editor',
  'dataset.create': 'editor',
  'dataset.upload': 'editor',
  'dashboard.delete': 'owner',
  'dataset.delete': 'owner',
  'project.update': 'owner',
  'project.delete': 'owner',
  'project.members.manage': 'owner',
  'audit.view_project': 'owner',
};

const connectionPermissionNeeded: Partial<Record<PolicyAction, ConnectionPermission>> = {
  'connection.view': 'use',
  'connection.query': 'use',
  'connection.update': 'edit',
  'connection.delete': 'edit',
  'connection.grants.manage': 'edit',
};

/** Which resource type each action is about. */
function resourceTypeOf(action: PolicyAction): ResourceFacts['type'] {
  if ((systemActions as readonly PolicyAction[]).includes(action)) return 'system';
  if ((pluginSystemActions as readonly PolicyAction[]).includes(action)) return 'system';
  if ((auditSystemActions as readonly PolicyAction[]).includes(action)) return 'system';
  if ((auditProjectActions as readonly PolicyAction[]).includes(action)) return 'project';
  if ((pluginActions as readonly PolicyAction[]).includes(action)) return 'plugin';
  if ((pluginInstanceActions as readonly PolicyAction[]).includes(action)) return 'pluginInstance';
  if ((groupActions as readonly PolicyAction[]).includes(action)) return 'group';
  if ((projectActions as readonly PolicyAction[]).includes(action)) return 'project';
  if ((dashboardActions as readonly PolicyAction[]).includes(action)) return 'dashboard';
  if ((datasetActions as readonly PolicyAction[]).includes(action)) return 'dataset';
  return 'connection';
}

const projectRoleRank: Record<ProjectRole, number> = { viewer: 1, editor: 2, owner: 3 };
const connectionPermissionRank: Record<ConnectionPermission, number> = { use: 1, edit: 2 };

/** One step of the explanation of how the subject reaches a grant. */
export type GrantStep =
  | { step: 'system-role'; role: SystemRole }
  | { step: 'user'; id: string; name: string }
  | { step: 'member-of'; group: Named }
  | { step: 'group-admin'; group: Named }
  | { step: 'project-grant'; project: Named; role: ProjectRole }
  | { step: 'connection-grant'; connection: Named; permission: ConnectionPermission }
  | { step: 'inherits-from-project'; project: Named }
  | { step: 'signed-in' };

export type Decision =
  | { allowed: true; reason: string; chain: GrantStep[] }
  | {
      allowed: false;
      reason: string;
      /** True when the caller should not learn that the resource exists (answer 404). */
      conceal: boolean;
      /** The attribute rule that denied, if one did. */
      rule?: { id: string; tag: string };
    };

interface Reach<Level> {
  level: Level;
  chain: GrantStep[];
}

/** The subject's strongest grant among `grants`, with the path that leads to it. */
function strongestGrant<Level extends string>(
  subject: Subject,
  grants: { grantee: Grantee; level: Level }[],
  rank: Record<Level, number>,
): Reach<Level> | null {
  let best: Reach<Level> | null = null;
  const consider = (level: Level, chain: GrantStep[]) => {
    if (!best || rank[level] > rank[best.level]) best = { level, chain };
  };
  for (const grant of grants) {
    if (grant.grantee.type === 'user') {
      if (grant.grantee.id === subject.userId) consider(grant.level, []);
      continue;
    }
    const group = subject.groups.find((candidate) => candidate.id === grant.grantee.id);
    if (group) {
      consider(
        grant.level,
        group.path.map((step) => ({ step: 'member-of', group: step })),
      );
    }
  }
  return best;
}

function projectReach(subject: Subject, project: ProjectFacts): Reach<ProjectRole> | null {
  const reach = strongestGrant(
    subject,
    project.grants.map((grant) => ({ grantee: grant.grantee, level: grant.role })),
    projectRoleRank,
  );
  if (!reach) return null;
  return {
    level: reach.level,
    chain: [
      ...reach.chain,
      { step: 'project-grant', project: { id: project.id, name: project.name }, role: reach.level },
    ],
  };
}

/**
 * The subject's effective role on a project (the most permissive of its grants), or null.
 *
 * @example
 * projectRoleOf(subject, facts.project); // 'editor'
 */
export function projectRoleOf(subject: Subject, project: ProjectFacts): ProjectRole | null {
  return projectReach(subject, project)?.level ?? null;
}

/**
 * The project a project-scoped resource is (or lives in), for routes that hold its facts.
 *
 * @example
 * const project = projectOf(facts); // the dashboard's project
 */
export function projectOf(facts: ResourceFacts): ProjectFacts {
  if (facts.type === 'project') {
    return { id: facts.id, name: facts.name, tags: facts.tags, grants: facts.grants };
  }
  if (facts.type === 'dashboard' || facts.type === 'dataset') return facts.project;
  throw new Error(`a ${facts.type} has no project`);
}

/**
 * Every tag that applies to the resource: its own and, for what lives in a project, the
 * project's. Kept as pairs rather than merged, so a resource's own tag can never mask the
 * project's tag of the same key and so widen access.
 */
function tagsThatApply(resource: ResourceFacts): [string, string][] {
  switch (resource.type) {
    case 'project':
    case 'connection':
      return Object.entries(resource.tags);
    case 'dashboard':
    case 'dataset':
      return [...Object.entries(resource.project.tags), ...Object.entries(resource.tags)];
    default:
      return [];
  }
}

/** The first rule that the resource's tags match and the subject's groups do not satisfy. */
function violatedRule(
  subject: Subject,
  resource: ResourceFacts,
  rules: readonly AccessRule[],
): AccessRule | undefined {
  const tags = tagsThatApply(resource);
  return rules.find((rule) => {
    const tagged = tags.some(([key, value]) => key === rule.tagKey && value === rule.tagValue);
    if (!tagged) return false;
    return !rule.groups.some((allowed) => subject.groups.some((group) => group.id === allowed.id));
  });
}

function userStep(subject: Subject): GrantStep {
  return { step: 'user', id: subject.userId, name: subject.username };
}

function allow(subject: Subject, reason: string, chain: GrantStep[]): Decision {
  return { allowed: true, reason, chain: [userStep(subject), ...chain] };
}

function deny(reason: string, conceal = false): Decision {
  return { allowed: false, reason, conceal };
}

/** Where only Admins may explain access or tag: the system, users and groups. */
function denyExplainingOrTagging(action: PolicyAction): Decision {
  return deny(
    action === 'access.explain'
      ? 'Only admins may explain access outside projects and connections.'
      : 'Only admins may tag resources.',
  );
}

/** What a group admin may do with their own group, as the verb of "… their group". */
const groupAdminVerbs = {
  'group.update': 'rename',
  'group.delete': 'delete',
  'group.members.manage': 'manage the members of',
} as const satisfies Partial<Record<PolicyAction, string>>;

function isGroupAdminAction(action: PolicyAction): action is keyof typeof groupAdminVerbs {
  return action in groupAdminVerbs;
}

/**
 * What the subject's grants alone would allow, before rules and the Viewer cap narrow it.
 * `conceal` marks denials where the subject holds nothing on the resource at all.
 */
function decideByGrants(subject: Subject, action: PolicyAction, resource: ResourceFacts): Decision {
  if (resource.type === 'pluginInstance') return decideOnPluginInstance(subject, resource);
  if (resource.type === 'plugin' && action !== 'plugin.delete') {
    const decided = decideOnRunnablePlugin(subject, action, resource);
    if (decided) return decided;
  }
  if (subject.systemRole === 'admin') {
    return allow(subject, 'Admins may do everything.', [{ step: 'system-role', role: 'admin' }]);
  }
  switch (resource.type) {
    case 'system': {
      const everyone: PolicyAction[] = [
        'plugin.list',
        'user.list',
        'group.list',
        'project.list',
        'connection.list',
        'access.rules.view',
      ];
      if (everyone.includes(action)) {
        return allow(subject, 'Every signed-in user may do this.', [{ step: 'signed-in' }]);
      }
      if (action === 'project.create' || action === 'connection.create') {
        return allow(
          subject,
          `Users may ${action === 'project.create' ? 'create projects' : 'create connections'}.`,
          [{ step: 'system-role', role: subject.systemRole }],
        );
      }
      return deny(`Only admins may ${describe(action)}.`);
    }
    case 'user':
      return deny(`Only admins may ${describe(action)}.`);
    case 'group': {
      if (action === 'access.explain' || action === 'access.tags.manage') {
        return denyExplainingOrTagging(action);
      }
      // A group admin runs their own group, to the point of deleting it (the group routes refuse
      // a deletion that would leave a project without an owner). Granting the admin flag hands
      // out these very powers, so it stays with Admins.
      if (isGroupAdminAction(action)) {
        const verb = groupAdminVerbs[action];
        if (subject.groupAdminOf.includes(resource.id)) {
          return allow(subject, `Group admins may ${verb} their group.`, [
            { step: 'group-admin', group: { id: resource.id, name: resource.name } },
          ]);
        }
        return deny(`Only admins and this group's admins may ${verb} this group.`);
      }
      return deny(`Only admins may ${describe(action)}.`);
    }
    case 'project':
    case 'dashboard':
    case 'dataset': {
      const project = resource.type === 'project' ? resource : resource.project;
      const reach = projectReach(subject, project);
      if (!reach) return deny(`You hold no role on the project "${project.name}".`, true);
      const inherits: GrantStep[] =
        resource.type === 'project'
          ? []
          : [{ step: 'inherits-from-project', project: { id: project.id, name: project.name } }];
      if (action === 'access.tags.manage') {
        return deny('Only admins may tag resources.');
      }
      const needed = action === 'access.explain' ? 'owner' : projectRoleNeeded[action];
      if (!needed) return deny(`"${action}" does not apply to a ${resource.type}.`);
      if (projectRoleRank[reach.level] >= projectRoleRank[needed]) {
        return allow(subject, `Project ${reach.level}s may ${describe(action)}.`, [
          ...reach.chain,
          ...inherits,
        ]);
      }
      return deny(
        `Your role on the project "${project.name}" is ${reach.level}; ${describe(action)} needs ${needed}.`,
      );
    }
    case 'connection': {
      const reach = strongestGrant(
        subject,
        resource.grants.map((grant) => ({ grantee: grant.grantee, level: grant.permission })),
        connectionPermissionRank,
      );
      if (!reach) return deny(`You hold no grant on the connection "${resource.name}".`, true);
      if (action === 'access.tags.manage') return deny('Only admins may tag resources.');
      const needed = action === 'access.explain' ? 'edit' : connectionPermissionNeeded[action];
      if (!needed) return deny(`"${action}" does not apply to a connection.`);
      const chain: GrantStep[] = [
        ...reach.chain,
        {
          step: 'connection-grant',
          connection: { id: resource.id, name: resource.name },
          permission: reach.level,
        },
      ];
      if (connectionPermissionRank[reach.level] >= connectionPermissionRank[needed]) {
        return allow(
          subject,
          `Holders of a "${reach.level}" grant may ${describe(action)}.`,
          chain,
        );
      }
      return deny(
        `Your grant on the connection is "${reach.level}"; ${describe(action)} needs "${needed}".`,
      );
    }
    case 'plugin':
      return deny(`Only admins may ${describe(action)}.`, resource.blockedReason !== null);
  }
}

/**
 * A plugin instance is its launcher's alone, Admins included: nobody else may even learn that
 * it exists, let alone read its state, report events for it or end it.
 */
function decideOnPluginInstance(
  subject: Subject,
  resource: Extract<ResourceFacts, { type: 'pluginInstance' }>,
): Decision {
  if (resource.userId !== subject.userId) {
    return deny('Only the user who launched a plugin instance may use it.', true);
  }
  return allow(subject, 'Users may use the plugin instances they launched.', [
    { step: 'signed-in' },
  ]);
}

/**
 * Seeing, consenting to and launching a plugin follow the admins' plugin policy for the subject.
 * A plugin the subject may not run is hidden from non-admins; Admins still see it (to manage
 * it) but may not consent to or launch it while it is blocked for them.
 */
function decideOnRunnablePlugin(
  subject: Subject,
  action: PolicyAction,
  resource: Extract<ResourceFacts, { type: 'plugin' }>,
): Decision | null {
  if (action === 'access.explain' || action === 'access.tags.manage') {
    return subject.systemRole === 'admin' ? null : denyExplainingOrTagging(action);
  }
  if (resource.blockedReason !== null) {
    if (subject.systemRole === 'admin' && action === 'plugin.view') return null;
    return deny(resource.blockedReason, subject.systemRole !== 'admin');
  }
  return allow(subject, `Users may ${describe(action)} that the plugin policy lets them run.`, [
    { step: 'signed-in' },
  ]);
}

/**
 * Decides one request. Deny by default; attribute rules and the Viewer system role only narrow.
 *
 * @example
 * const decision = authorize(subject, 'dashboard.delete', dashboardFacts, rules);
 * if (!decision.allowed) throw decision.conceal ? notFound() : forbidden(decision.reason);
 */
export function authorize(
  subject: Subject,
  action: PolicyAction,
  resource: ResourceFacts,
  rules: readonly AccessRule[] = [],
): Decision {
  const expected = resourceTypeOf(action);
  const meta = action === 'access.explain' || action === 'access.tags.manage';
  if (!meta && expected !== resource.type) {
    return deny(`"${action}" does not apply to a ${resource.type}.`);
  }
  if (meta && (resource.type === 'system' || resource.type === 'user')) {
    if (subject.systemRole === 'admin') {
      return allow(subject, 'Admins may do everything.', [{ step: 'system-role', role: 'admin' }]);
    }
    return denyExplainingOrTagging(action);
  }
  // Admins write the rules and could rewrite them at any time, so rules do not bind them.
  if (subject.systemRole !== 'admin') {
    const rule = violatedRule(subject, resource, rules);
    if (rule) {
      return {
        allowed: false,
        reason: `Resources tagged ${rule.tagKey}=${rule.tagValue} are open only to members of ${rule.groups.map((group) => group.name).join(', ') || 'no group'}.`,
        conceal: true,
        rule: { id: rule.id, tag: `${rule.tagKey}=${rule.tagValue}` },
      };
    }
  }
  const decision = decideByGrants(subject, action, resource);
  if (
    decision.allowed &&
    subject.systemRole === 'viewer' &&
    !isReadAction(action) &&
    !ownActions.has(action)
  ) {
    return deny('Viewers are read-only, whatever else they are granted.');
  }
  return decision;
}

const descriptions: Record<PolicyAction, string> = {
  'user.list': 'list users',
  'user.manage': 'manage users',
  'group.list': 'list groups',
  'group.create': 'create groups',
  'group.update': 'rename groups',
  'group.delete': 'delete groups',
  'group.members.manage': 'manage the members',
  'group.admins.manage': 'grant or revoke group admin',
  'project.list': 'list projects',
  'project.create': 'create projects',
  'project.view': 'open the project',
  'project.members.view': 'see the members',
  'project.update': 'change project settings',
  'project.delete': 'delete the project',
  'project.members.manage': 'manage members',
  'dashboard.create': 'create dashboards',
  'dashboard.view': 'open dashboards',
  'dashboard.update': 'edit dashboards',
  'dashboard.delete': 'delete dashboards',
  'dataset.create': 'create datasets',
  'dataset.view': 'read datasets',
  'dataset.upload': 'upload dataset versions',
  'dataset.delete': 'delete datasets',
  'connection.list': 'list connections',
  'connection.create': 'create connections',
  'connection.view': 'see the connection',
  'connection.query': 'run queries',
  'connection.update': 'change the connection',
  'connection.delete': 'delete the connection',
  'connection.grants.manage': 'manage its grants',
  'access.rules.view': 'see attribute rules',
  'access.rules.manage': 'manage attribute rules',
  'access.explain': 'explain access',
  'access.tags.manage': 'tag resources',
  'plugin.list': 'list plugins',
  'plugin.upload': 'upload plugins',
  'plugin.policy.view': 'see plugin policy rules',
  'plugin.policy.manage': 'manage plugin policy rules',
  'plugin.view': 'see plugins',
  'plugin.consent': 'grant or revoke consent to plugins',
  'plugin.launch': 'launch plugins',
  'plugin.delete': 'delete plugins',
  'plugin.instance.use': 'use plugin instances',
  'audit.view_all': 'read the whole audit trail',
  'audit.view_project': "read the project's audit trail",
  'audit.verify': 'verify the audit trail',
};

function describe(action: PolicyAction): string {
  return descriptions[action];
}

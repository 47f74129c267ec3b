/**
 * Audit events in plain words: what was done ("renamed project", "was refused: delete
 * dashboard"), to what ("project Kinase screening"), and whether it can be reverted. A stored
 * action the app has no words for is shown as it is, so a new kind of event is never hidden.
 */

/** The fields of an event the sentence is made from. */
export interface DescribedEvent {
  action: string;
  resourceType: string;
  resourceId: string | null;
  outcome: string;
  source: 'server' | 'client';
  details: unknown;
  before: unknown;
  after: unknown;
}

/** Whole actions whose words are not "verb + resource" (past tense, and what was tried). */
const phrases: Record<string, readonly [done: string, tried: string]> = {
  'auth.login': ['signed in', 'sign in'],
  'auth.lockout': ['was locked out after failed sign-ins', 'sign in'],
  'auth.session_start': ['started a session', 'start a session'],
  'auth.refresh': ['renewed their session', 'renew their session'],
  'auth.revocation': ['signed out', 'sign out'],
  'auth.password_change': ['changed their password', 'change their password'],
  'audit.export': ['exported the audit trail', 'export the audit trail'],
  'audit.verify': ['verified the audit trail', 'verify the audit trail'],
  'audit.view_all': ['read the whole audit trail', 'read the whole audit trail'],
  'audit.revert': ['reverted a change', 'revert a change'],
  'audit.archive': ['archived old audit events', 'archive old audit events'],
  'project.archive': ['archived project', 'archive project'],
  'access.explain': ['asked why access is decided', 'explain access'],
  'access.tags.update': ['changed tags', 'change tags'],
  'access.tags.manage': ['changed tags', 'change tags'],
  'access.rule.create': ['created an access rule', 'create an access rule'],
  'access.rule.update': ['changed an access rule', 'change an access rule'],
  'access.rule.delete': ['deleted an access rule', 'delete an access rule'],
  'access.rules.manage': ['changed the access rules', 'change the access rules'],
  'project.members.update': ['gave a project role', 'give a project role'],
  'project.members.remove': ['removed a project member', 'remove a project member'],
  'project.members.manage': ['changed project members', 'change project members'],
  'group.members.update': ['added a group member', 'add a group member'],
  'group.members.remove': ['removed a group member', 'remove a group member'],
  'group.members.manage': ['changed group members', 'change group members'],
  'group.admins.manage': ['changed group admins', 'change group admins'],
  'group.subgroups.add': ['nested a group', 'nest a group'],
  'group.subgroups.remove': ['un-nested a group', 'un-nest a group'],
  'dataset.upload': ['uploaded a dataset version', 'upload a dataset version'],
  'dataset.read': ['downloaded dataset', 'download dataset'],
  'connection.query': ['queried connection', 'query connection'],
  'connection.query.result': ['received query results', 'receive query results'],
  'connection.grants.manage': ['changed connection grants', 'change connection grants'],
  'user.create': ['created user account', 'create user account'],
  'user.update': ['changed user account', 'change user account'],
  'user.manage': ['changed user account', 'change user account'],
  'user.password.reset': ['reset a password', 'reset a password'],
  'user.sign-ins.end': ['ended a user’s sessions', 'end a user’s sessions'],
  'user.groups.sync': ['synced directory groups', 'sync directory groups'],
  'plugin.launch': ['launched plugin', 'launch plugin'],
  'plugin.end': ['closed plugin', 'close plugin'],
  'plugin.started': ['had a plugin start', 'start a plugin'],
  'plugin.consent.grant': ['approved plugin', 'approve plugin'],
  'plugin.consent.revoke': ['withdrew approval of plugin', 'withdraw approval of plugin'],
  'plugin.consent': ['approved plugin', 'approve plugin'],
  'plugin.upload': ['installed plugin', 'install plugin'],
  'plugin.replace': ['replaced plugin', 'replace plugin'],
  'plugin.policy.create': ['added a plugin rule', 'add a plugin rule'],
  'plugin.policy.delete': ['removed a plugin rule', 'remove a plugin rule'],
  'plugin.policy.manage': ['changed the plugin rules', 'change the plugin rules'],
  'plugin.data_read': ['let a plugin read data', 'let a plugin read data'],
  'plugin.data_write': ['let a plugin write a table', 'let a plugin write a table'],
  'plugin.selection_read': ['let a plugin read the selection', 'let a plugin read the selection'],
  'plugin.storage_write': ['let a plugin store data', 'let a plugin store data'],
  'plugin.denied': ['had a plugin request refused', 'use a plugin'],
  'plugin.terminated': ['had a plugin stopped', 'run a plugin'],
  'plugin.egress_blocked': ['had a plugin’s network request blocked', 'let a plugin connect'],
  'system.start': ['started the server', 'start the server'],
  'system.stop': ['stopped the server', 'stop the server'],
  'persist.check': ['checked the browser storage', 'check the browser storage'],
};

/** The last word of an action ("update" in `project.update`), past tense and as tried. */
const verbs: Record<string, readonly [done: string, tried: string]> = {
  create: ['created', 'create'],
  update: ['changed', 'change'],
  delete: ['deleted', 'delete'],
  view: ['viewed', 'view'],
  list: ['listed', 'list'],
  upload: ['uploaded', 'upload'],
  query: ['queried', 'query'],
  launch: ['launched', 'launch'],
  manage: ['managed', 'manage'],
  use: ['used', 'use'],
};

const resourceNames: Record<string, string> = {
  access_rule: 'access rule',
  connection_grant: 'connection grant',
  group_member: 'group member',
  group_nesting: 'group nesting',
  plugin_policy_rule: 'plugin rule',
  plugin_instance: 'plugin run',
  project_member: 'project member',
};

/** A resource type as words: `project_member` → "project member". */
export function resourceTypeName(resourceType: string): string {
  return resourceNames[resourceType] ?? resourceType.replace(/[_-]+/g, ' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textField(state: unknown, key: string): string | undefined {
  if (!isRecord(state)) return undefined;
  const value = state[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Whether an update changed the resource's name and nothing else that is shown as a name. */
function renamed(event: DescribedEvent): boolean {
  const before = textField(event.before, 'name');
  const after = textField(event.after, 'name');
  return before !== undefined && after !== undefined && before !== after;
}

/** Past tense and as tried, both with their object ("renamed project", "rename project"). */
function phraseFor(action: string, event: DescribedEvent): readonly [string, string] | undefined {
  const whole = phrases[action];
  if (whole) return whole;
  const type = resourceTypeName(event.resourceType);
  if (action.endsWith('.update') && renamed(event)) return [`renamed ${type}`, `rename ${type}`];
  const verb = verbs[action.split('.').at(-1) ?? ''];
  return verb && [`${verb[0]} ${type}`, `${verb[1]} ${type}`];
}

/**
 * What the event says was done, as a sentence without its subject.
 *
 * @example
 * describeAction({ action: 'project.update', resourceType: 'project', outcome: 'ok',
 *   before: { name: 'A' }, after: { name: 'B' }, … }); // "renamed project"
 * describeAction({ action: 'dashboard.delete', resourceType: 'dashboard', outcome: 'denied', … });
 * // "was refused: delete dashboard"
 */
export function describeAction(event: DescribedEvent): string {
  const revertedAction =
    event.action === 'audit.revert' && isRecord(event.details)
      ? event.details['revertedAction']
      : undefined;
  if (typeof revertedAction === 'string') {
    // The revert's states run the other way round from the change it undid.
    const undone = phraseFor(revertedAction, {
      ...event,
      before: event.after,
      after: event.before,
    });
    return `reverted “${undone ? undone[1] : revertedAction}”`;
  }
  const phrase = phraseFor(event.action, event);
  if (!phrase) return event.outcome === 'denied' ? `was refused: ${event.action}` : event.action;
  const [done, tried] = phrase;
  if (event.outcome === 'denied') return `was refused: ${tried}`;
  if (event.outcome === 'error') return `failed to ${tried}`;
  return done;
}

/**
 * The name of the resource the event is about, taken from its recorded states (the later one
 * first), or undefined when neither names it.
 *
 * @example
 * resourceName({ before: { name: 'A' }, after: { name: 'B' }, … }); // "B"
 */
export function resourceName(event: Pick<DescribedEvent, 'before' | 'after'>): string | undefined {
  for (const state of [event.after, event.before]) {
    for (const key of ['name', 'title', 'username', 'displayName']) {
      const value = textField(state, key);
      if (value) return value;
    }
  }
  return undefined;
}

/** A long id cut to its first characters, enough to tell ids apart on screen. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/**
 * What the event acted on, in words: type and name, or type and a short id. A user is named by
 * `nameOfUser` when given (the states of sign-in events do not name them).
 *
 * @example
 * describeTarget({ resourceType: 'project', resourceId: '5b0c…', after: { name: 'Screening' } });
 * // "project Screening"
 */
export function describeTarget(
  event: Pick<DescribedEvent, 'resourceType' | 'resourceId' | 'before' | 'after'>,
  nameOfUser?: (userId: string) => string,
): string {
  const type = resourceTypeName(event.resourceType);
  const name = resourceName(event);
  if (name) return `${type} ${name}`;
  if (event.resourceId && event.resourceType === 'user' && nameOfUser) {
    return `${type} ${nameOfUser(event.resourceId)}`;
  }
  if (event.resourceId) return `${type} ${shortId(event.resourceId)}`;
  return type;
}

/**
 * Whether the server could revert the event: a change it recorded itself, with a state to go
 * back to, that was not refused. The server still decides (policy, conflicts, reverters).
 *
 * @example
 * isRevertible({ outcome: 'ok', source: 'server', before: { name: 'A' }, after: { name: 'B' }, … });
 * // true
 */
export function isRevertible(event: DescribedEvent): boolean {
  return (
    event.outcome === 'ok' &&
    event.source === 'server' &&
    (event.before !== null || event.after !== null)
  );
}

/** Client ids the app knows by a name people recognise. */
const clientNames: Record<string, string> = { 'enclave-web': 'web app' };

/**
 * The app or client an event came through, in words: the web app, another client by its id, or
 * the server itself when no client made the request.
 *
 * @example
 * clientName('enclave-web'); // "web app"
 * clientName(null); // "server"
 */
export function clientName(actorClient: string | null): string {
  if (actorClient === null) return 'server';
  return clientNames[actorClient] ?? actorClient;
}

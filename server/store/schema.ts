/**
 * The PostgreSQL schema, one table per concept. Migrations in `migrations/` are generated from
 * this file with `npm run db:generate` and applied at start; never edit an applied migration.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** Raw bytes (sealed secrets, wrapped keys, dataset contents) as a Node buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

/** `key=value` labels admins put on resources; attribute rules match on them. */
export type ResourceTags = Record<string, string>;

/**
 * Append-only, hash-chained audit events. `seq` is the event's place in the one chain; the
 * triggers in the migrations refuse UPDATE and DELETE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    actorUserId: text('actor_user_id'),
    actorClient: text('actor_client'),
    actorPlugin: text('actor_plugin'),
    source: text('source').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    projectId: text('project_id'),
    outcome: text('outcome').notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
    sessionId: text('session_id'),
    details: jsonb('details'),
    before: jsonb('before'),
    after: jsonb('after'),
    prevHash: text('prev_hash').notNull().unique(),
    hash: text('hash').notNull().unique(),
  },
  (table) => [
    check(
      'audit_events_outcome_check',
      sql`${table.outcome} in ('allowed', 'denied', 'error', 'ok')`,
    ),
    check('audit_events_source_check', sql`${table.source} in ('server', 'client')`),
    index('audit_events_occurred_at_idx').on(table.occurredAt),
    index('audit_events_actor_user_idx').on(table.actorUserId),
    index('audit_events_resource_idx').on(table.resourceType, table.resourceId),
    index('audit_events_session_idx').on(table.sessionId),
  ],
);

/**
 * The one row that names the newest event of the chain. Writers lock it (`SELECT … FOR UPDATE`)
 * so that concurrent writers, in any number of server processes, append one after the other.
 */
export const auditChainHead = pgTable(
  'audit_chain_head',
  {
    id: smallint('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  (table) => [check('audit_chain_head_single_row', sql`${table.id} = 1`)],
);

/** People who can sign in. `username` is stored lower-cased; local users have a password hash. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    username: text('username').notNull().unique(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    systemRole: text('system_role').notNull(),
    source: text('source').notNull(),
    passwordHash: text('password_hash'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    disabled: boolean('disabled').notNull().default(false),
    /** For users of an external issuer: `<issuer> <sub>`, the identity the issuer vouches for. */
    externalSubject: text('external_subject').unique(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    check('users_system_role_check', sql`${table.systemRole} in ('admin', 'user', 'viewer')`),
    check('users_source_check', sql`${table.source} in ('local', 'ldap', 'oidc')`),
    check('users_username_lower_check', sql`${table.username} = lower(${table.username})`),
  ],
);

/** Groups of users; `source` says whether a directory (LDAP, issuer claim) manages the members. */
export const groups = pgTable(
  'groups',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull().unique(),
    source: text('source').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [check('groups_source_check', sql`${table.source} in ('local', 'ldap', 'oidc')`)],
);

export const groupMembers = pgTable(
  'group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** A group admin may rename the group and manage its members. */
    admin: boolean('admin').notNull().default(false),
  },
  (table) => [primaryKey({ columns: [table.groupId, table.userId] })],
);

/**
 * Nested groups: every member of the child group is also a member of the parent. The routes
 * refuse an edge that would close a cycle.
 */
export const groupNesting = pgTable(
  'group_nesting',
  {
    parentGroupId: uuid('parent_group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    childGroupId: uuid('child_group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.parentGroupId, table.childGroupId] }),
    check('group_nesting_not_self', sql`${table.parentGroupId} <> ${table.childGroupId}`),
    index('group_nesting_child_idx').on(table.childGroupId),
  ],
);

/**
 * DPoP proof ids already seen, until their acceptance window has passed. The primary key makes
 * "first use wins" hold across every server instance.
 */
export const dpopSeenProofs = pgTable(
  'dpop_seen_proofs',
  {
    key: text('key').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('dpop_seen_proofs_expires_at_idx').on(table.expiresAt)],
);

/**
 * What the OpenID provider keeps (sessions, grants, codes, tokens, interactions), one row per
 * model instance, so that sign-ins survive a restart and work across instances.
 */
export const oidcModels = pgTable(
  'oidc_models',
  {
    kind: text('kind').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').notNull(),
    grantId: text('grant_id'),
    userCode: text('user_code'),
    uid: text('uid'),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    consumedAt: timestamp('consumed_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    primaryKey({ columns: [table.kind, table.id] }),
    index('oidc_models_grant_id_idx').on(table.grantId),
    index('oidc_models_uid_idx').on(table.kind, table.uid),
    index('oidc_models_user_code_idx').on(table.kind, table.userCode),
    index('oidc_models_expires_at_idx').on(table.expiresAt),
  ],
);

/**
 * Sign-in attempts per account (`account:<username>`) and per address (`address:<ip>`): how many
 * in the current window, how many failed in a row, and until when the key is locked out. One
 * atomic upsert per attempt counts it before the password is checked, so a burst of parallel
 * guesses, on any number of instances, cannot slip past the limit.
 */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true, mode: 'date' }).notNull(),
  attempts: bigint('attempts', { mode: 'number' }).notNull(),
  consecutiveFailures: bigint('consecutive_failures', { mode: 'number' }).notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
});

/** A project: the unit of sharing. Dashboards and datasets belong to one and inherit its grants. */
export const projects = pgTable('projects', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  tags: jsonb('tags').$type<ResourceTags>().notNull().default({}),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** A project role granted to one user or one group (exactly one of the two is set). */
export const projectMembers = pgTable(
  'project_members',
  {
    id: uuid('id').primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    check('project_members_role_check', sql`${table.role} in ('owner', 'editor', 'viewer')`),
    check(
      'project_members_one_principal',
      sql`(${table.userId} is null) <> (${table.groupId} is null)`,
    ),
    uniqueIndex('project_members_user_idx')
      .on(table.projectId, table.userId)
      .where(sql`${table.userId} is not null`),
    uniqueIndex('project_members_group_idx')
      .on(table.projectId, table.groupId)
      .where(sql`${table.groupId} is not null`),
  ],
);

/** A dashboard: a title and a validated JSON spec of views over datasets and connections. */
export const dashboards = pgTable(
  'dashboards',
  {
    id: uuid('id').primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    spec: jsonb('spec').notNull(),
    tags: jsonb('tags').$type<ResourceTags>().notNull().default({}),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('dashboards_project_idx').on(table.projectId)],
);

/**
 * A shared dataset. Its versions are sealed under the dataset's own data key, which is kept
 * wrapped by the master key.
 */
export const datasets = pgTable(
  'datasets',
  {
    id: uuid('id').primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    tags: jsonb('tags').$type<ResourceTags>().notNull().default({}),
    wrappedKey: bytea('wrapped_key').notNull(),
    latestVersion: integer('latest_version').notNull().default(0),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('datasets_project_idx').on(table.projectId)],
);

/** One immutable version of a dataset: an Arrow IPC stream, sealed (a trigger refuses UPDATE). */
export const datasetVersions = pgTable(
  'dataset_versions',
  {
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    /** Copied from the dataset so row-level security can decide on the row alone. */
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    sourceFormat: text('source_format').notNull(),
    byteSize: bigint('byte_size', { mode: 'number' }).notNull(),
    rowCount: bigint('row_count', { mode: 'number' }).notNull(),
    columns: jsonb('columns').$type<{ name: string; type: string }[]>().notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.datasetId, table.version] }),
    check('dataset_versions_format_check', sql`${table.sourceFormat} in ('arrow', 'csv')`),
    check('dataset_versions_version_check', sql`${table.version} > 0`),
  ],
);

/**
 * A connection to an external database. `settings` holds what may be shown (host, port,
 * database, user); the password is only ever stored sealed in `secret`.
 */
export const connections = pgTable('connections', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  settings: jsonb('settings').notNull(),
  wrappedKey: bytea('wrapped_key').notNull(),
  secret: bytea('secret').notNull(),
  tags: jsonb('tags').$type<ResourceTags>().notNull().default({}),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** `use` (run queries) or `edit` (change it and its credential; includes use) for a user or group. */
export const connectionGrants = pgTable(
  'connection_grants',
  {
    id: uuid('id').primaryKey(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    permission: text('permission').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    check('connection_grants_permission_check', sql`${table.permission} in ('use', 'edit')`),
    check(
      'connection_grants_one_principal',
      sql`(${table.userId} is null) <> (${table.groupId} is null)`,
    ),
    uniqueIndex('connection_grants_user_idx')
      .on(table.connectionId, table.userId)
      .where(sql`${table.userId} is not null`),
    uniqueIndex('connection_grants_group_idx')
      .on(table.connectionId, table.groupId)
      .where(sql`${table.groupId} is not null`),
  ],
);

/**
 * An attribute rule: resources tagged `tag_key=tag_value` are open only to members of the rule's
 * groups, on top of every grant. Rules only narrow access.
 */
export const accessRules = pgTable(
  'access_rules',
  {
    id: uuid('id').primaryKey(),
    tagKey: text('tag_key').notNull(),
    tagValue: text('tag_value').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [uniqueIndex('access_rules_tag_idx').on(table.tagKey, table.tagValue)],
);

export const accessRuleGroups = pgTable(
  'access_rule_groups',
  {
    ruleId: uuid('rule_id')
      .notNull()
      .references(() => accessRules.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
  },
  (table) => [primaryKey({ columns: [table.ruleId, table.groupId] })],
);

/**
 * A plugin an admin uploaded (bundled plugins live in `PLUGINS_DIR` and are not stored). The
 * manifest is kept as validated; `manifest_sha256` names this exact upload, so an instance
 * launched on an earlier upload of the same id stops when the plugin is replaced.
 */
export const plugins = pgTable('plugins', {
  id: text('id').primaryKey(),
  manifest: jsonb('manifest').notNull(),
  manifestSha256: text('manifest_sha256').notNull(),
  uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
  uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** The files of an uploaded plugin, with the SHA-256 they had when the manifest was checked. */
export const pluginFiles = pgTable(
  'plugin_files',
  {
    pluginId: text('plugin_id')
      .notNull()
      .references(() => plugins.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
  },
  (table) => [primaryKey({ columns: [table.pluginId, table.path] })],
);

/**
 * Plugins whose files stopped matching their manifest when served (bundled or uploaded): they
 * are refused until replaced (an upload) or re-verified at start (bundled).
 */
export const brokenPlugins = pgTable('broken_plugins', {
  pluginId: text('plugin_id').primaryKey(),
  manifestSha256: text('manifest_sha256').notNull(),
  path: text('path').notNull(),
  detectedAt: timestamp('detected_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** The permissions a user approved for a plugin; launching needs all the manifest asks for. */
export const pluginConsents = pgTable(
  'plugin_consents',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    pluginId: text('plugin_id').notNull(),
    permissions: jsonb('permissions').$type<string[]>().notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.pluginId] })],
);

/**
 * One launch of a plugin by a user: the id is the unguessable part of the frame's URL. The frame
 * document is served once (`document_served_at`), within a minute of the launch; files while the
 * instance is neither ended nor expired.
 */
export const pluginInstances = pgTable(
  'plugin_instances',
  {
    id: text('id').primaryKey(),
    pluginId: text('plugin_id').notNull(),
    manifestSha256: text('manifest_sha256').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    permissions: jsonb('permissions').$type<string[]>().notNull(),
    tableName: text('table_name'),
    columns: jsonb('columns').$type<string[]>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    documentServedAt: timestamp('document_served_at', { withTimezone: true, mode: 'date' }),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    endReason: text('end_reason'),
  },
  (table) => [
    index('plugin_instances_user_idx').on(table.userId),
    index('plugin_instances_expires_at_idx').on(table.expiresAt),
  ],
);

/**
 * An admin's rule on a plugin: `allow` or `block`, for everyone (`group_ids` null) or members of
 * these groups (nesting included), while now ∈ [starts_at, ends_at).
 */
export const pluginPolicyRules = pgTable(
  'plugin_policy_rules',
  {
    id: uuid('id').primaryKey(),
    pluginId: text('plugin_id').notNull(),
    effect: text('effect').notNull(),
    groupIds: jsonb('group_ids').$type<string[] | null>(),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    check('plugin_policy_rules_effect_check', sql`${table.effect} in ('allow', 'block')`),
    check(
      'plugin_policy_rules_window_check',
      sql`${table.startsAt} is null or ${table.endsAt} is null or ${table.startsAt} < ${table.endsAt}`,
    ),
    index('plugin_policy_rules_plugin_idx').on(table.pluginId),
  ],
);

/**
 * Rows a deletion removed, kept so that reverting it restores them with their ids. The deletion's
 * audit event names the snapshot (`details.snapshotId`). See `server/audit/snapshots.ts`.
 */
export const revertSnapshotRows = pgTable(
  'revert_snapshot_rows',
  {
    snapshotId: uuid('snapshot_id').notNull(),
    position: integer('position').notNull(),
    tableName: text('table_name').notNull(),
    rowData: jsonb('row_data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.snapshotId, table.position] }),
    index('revert_snapshot_rows_created_at_idx').on(table.createdAt),
  ],
);

/** A PostgreSQL full transaction id (`xid8`), read as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => 'xid8',
});

/**
 * One archive of old audit events (retention): the chain positions and hashes it runs from and
 * to, and its JSON Lines file. The latest row is the anchor the table's events chain on from.
 * Insert-only; a trigger holds each row to the chain. See `server/audit/retention.ts`.
 */
export const auditArchives = pgTable(
  'audit_archives',
  {
    toSeq: bigint('to_seq', { mode: 'number' }).primaryKey(),
    fromSeq: bigint('from_seq', { mode: 'number' }).notNull().unique(),
    fromHash: text('from_hash').notNull(),
    toHash: text('to_hash').notNull(),
    events: bigint('events', { mode: 'number' }).notNull(),
    filePath: text('file_path').notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .defaultNow(),
    archivedIn: xid8('archived_in')
      .notNull()
      .default(sql`pg_current_xact_id()`),
  },
  (table) => [
    check(
      'audit_archives_range_check',
      sql`${table.fromSeq} >= 0 and ${table.toSeq} > ${table.fromSeq} and ${table.events} = ${table.toSeq} - ${table.fromSeq}`,
    ),
  ],
);

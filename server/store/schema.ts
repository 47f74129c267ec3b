/**
 * The PostgreSQL schema, one table per concept. Migrations in `migrations/` are generated from
 * this file with `npm run db:generate` and applied at start; never edit an applied migration.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

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
  },
  (table) => [primaryKey({ columns: [table.groupId, table.userId] })],
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

/**
 * How the audit trail undoes the plugin changes it recorded: the admins' policy rules
 * (`plugin_policy_rule`), uploaded plugins (`plugin`: upload, replacement, removal, their bytes
 * kept in snapshots) and users' consents (`plugin_consent`).
 *
 * A consent is its user's own decision, so: withdrawing one by revert is for that user or an
 * Admin (an Admin undoing what a plugin was let do), but granting one again is for that user
 * alone, and only while the plugin policy lets them run the plugin. Nobody consents on another's
 * behalf.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import {
  captureRevertedRows,
  restoreRows,
  type Reverter,
  type RevertibleChange,
} from '../audit/index.ts';
import { currentSubject, requestActor, requireDecision } from '../authz/index.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import type { PluginManifest } from './manifest.ts';
import { pluginRunnability, type PluginPolicyRule } from './plugin-policy.ts';
import { consentState, pluginSnapshotParts, pluginState, ruleState } from './plugin-routes.ts';

const { plugins, brokenPlugins, pluginConsents, pluginPolicyRules } = schema;

type RuleState = ReturnType<typeof ruleState>;
type ConsentState = NonNullable<ReturnType<typeof consentState>>;
type PluginState = ReturnType<typeof pluginState>;

/** `plugin_policy_rule`: only who may manage the plugin policy now undoes a rule's change. */
const policyRuleReverter: Reverter = {
  resourceType: 'plugin_policy_rule',
  actions: ['plugin.policy.create', 'plugin.policy.delete'],
  async authorize(c) {
    await requireDecision(c, 'plugin.policy.manage', { type: 'system' });
  },
  async current(db, change) {
    const [row] = await db
      .select()
      .from(pluginPolicyRules)
      .where(eq(pluginPolicyRules.id, change.resourceId))
      .for('update');
    return row ? ruleState(row) : null;
  },
  async restore(db, change, c) {
    const id = change.resourceId;
    const target = change.before as RuleState | null;
    if (target === null) {
      await captureRevertedRows(db, change, [
        { table: 'plugin_policy_rules', where: sql`id = ${id}` },
      ]);
      await db.delete(pluginPolicyRules).where(eq(pluginPolicyRules.id, id));
      return null;
    }
    const restored = change.snapshotId ? await restoreRows(db, change.snapshotId) : 0;
    if (restored === 0) {
      await db.insert(pluginPolicyRules).values({
        id,
        pluginId: target.pluginId,
        effect: target.effect,
        groupIds: target.groupIds,
        startsAt: target.startsAt ? new Date(target.startsAt) : null,
        endsAt: target.endsAt ? new Date(target.endsAt) : null,
        createdBy: c.var.principal.userId,
        createdAt: new Date(),
      });
    }
    const [row] = await db.select().from(pluginPolicyRules).where(eq(pluginPolicyRules.id, id));
    return row ? ruleState(row) : null;
  },
};

async function storedPluginState(db: Database, id: string): Promise<PluginState | null> {
  const [row] = await db.select().from(plugins).where(eq(plugins.id, id)).for('update');
  return row
    ? pluginState({
        manifest: row.manifest as PluginManifest,
        manifestSha256: row.manifestSha256,
        source: 'uploaded',
      })
    : null;
}

/**
 * `plugin` (uploaded plugins): undoing an upload removes it (`plugin.delete`), undoing a removal
 * or a replacement puts the earlier upload back from its snapshot (`plugin.upload`). Instances
 * launched on the upload that goes end, as they do when a plugin is replaced.
 */
const uploadedPluginReverter: Reverter = {
  resourceType: 'plugin',
  actions: ['plugin.upload', 'plugin.replace', 'plugin.delete'],
  async authorize(c, change) {
    if (change.before !== null) {
      await requireDecision(c, 'plugin.upload', { type: 'system' });
      return;
    }
    const state = change.after as PluginState | null;
    await requireDecision(c, 'plugin.delete', {
      type: 'plugin',
      id: change.resourceId,
      name: state?.name ?? change.resourceId,
      blockedReason: null,
    });
  },
  async current(db, change) {
    return storedPluginState(db, change.resourceId);
  },
  async restore(db, change) {
    const id = change.resourceId;
    const target = change.before as PluginState | null;
    if (target !== null && !change.snapshotId) {
      throw new ConflictError(
        `The event kept no copy of the plugin ${id} as it was, so it cannot be put back; upload it again.`,
        'revert_blocked',
      );
    }
    if ((await storedPluginState(db, id)) !== null) {
      await captureRevertedRows(db, change, pluginSnapshotParts(id));
      await db.delete(plugins).where(eq(plugins.id, id));
    }
    await db.delete(brokenPlugins).where(eq(brokenPlugins.pluginId, id));
    if (target !== null && change.snapshotId) await restoreRows(db, change.snapshotId);
    return storedPluginState(db, id);
  },
};

function consentOf(change: RevertibleChange): ConsentState {
  return (change.before ?? change.after) as ConsentState;
}

/** Records a refused consent revert as the policy's denials are recorded, and answers it. */
async function refuseConsent(
  c: Context<AppEnv>,
  change: RevertibleChange,
  reason: string,
  conceal: boolean,
): Promise<never> {
  await c.var.audit.record({
    ...requestActor(c),
    action: 'plugin.consent',
    resourceType: change.resourceType,
    resourceId: change.resourceId,
    outcome: 'denied',
    details: { reason },
  });
  throw conceal
    ? new NotFoundError('No such consent, or you may not see it.')
    : new ForbiddenError(reason);
}

/**
 * Whether the plugin policy lets the caller run the plugin now (the admins' rules for their
 * groups), as the facts `plugin.consent` is decided on. The plugin's files are not checked here:
 * a consent to a broken or removed plugin lets nothing run.
 */
async function consentFacts(c: Context<AppEnv>, pluginId: string) {
  const subject = await currentSubject(c);
  const rows = await c.var.store.db
    .select()
    .from(pluginPolicyRules)
    .where(eq(pluginPolicyRules.pluginId, pluginId));
  const rules: PluginPolicyRule[] = rows.map((row) => ({
    id: row.id,
    pluginId: row.pluginId,
    effect: row.effect as PluginPolicyRule['effect'],
    groupIds: row.groupIds ?? null,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
  }));
  const runnability = pluginRunnability({
    pluginId,
    rules,
    groupIds: subject.groups.map((group) => group.id),
    now: new Date(),
  });
  return {
    type: 'plugin' as const,
    id: pluginId,
    name: pluginId,
    blockedReason: runnability.runnable ? null : runnability.reason,
  };
}

/** `plugin_consent`: a user's consent to a plugin, granted or revoked (see the module comment). */
const consentReverter: Reverter = {
  resourceType: 'plugin_consent',
  actions: ['plugin.consent.grant', 'plugin.consent.revoke'],
  async authorize(c, change) {
    const { userId, pluginId } = consentOf(change);
    const own = userId === c.var.principal.userId;
    if (change.before !== null) {
      if (!own) {
        await refuseConsent(
          c,
          change,
          'Only the user a consent belongs to may grant it again; nobody consents for another.',
          (await currentSubject(c)).systemRole !== 'admin',
        );
      }
      await requireDecision(c, 'plugin.consent', await consentFacts(c, pluginId));
      return;
    }
    if (own) return;
    if ((await currentSubject(c)).systemRole !== 'admin') {
      await refuseConsent(c, change, 'Only its user or an Admin may withdraw a consent.', true);
    }
  },
  async current(db, change) {
    const { userId, pluginId } = consentOf(change);
    const [row] = await db
      .select()
      .from(pluginConsents)
      .where(and(eq(pluginConsents.userId, userId), eq(pluginConsents.pluginId, pluginId)))
      .for('update');
    return consentState(userId, pluginId, row);
  },
  async restore(db, change) {
    const { userId, pluginId } = consentOf(change);
    const target = change.before as ConsentState | null;
    if (target === null) {
      await db
        .delete(pluginConsents)
        .where(and(eq(pluginConsents.userId, userId), eq(pluginConsents.pluginId, pluginId)));
      return null;
    }
    const values = {
      userId,
      pluginId,
      permissions: target.permissions,
      grantedAt: new Date(target.grantedAt),
    };
    await db
      .insert(pluginConsents)
      .values(values)
      .onConflictDoUpdate({
        target: [pluginConsents.userId, pluginConsents.pluginId],
        set: { permissions: values.permissions, grantedAt: values.grantedAt },
      });
    return consentState(userId, pluginId, values);
  },
};

/**
 * The reverters of the plugin folder, for the revert engine (server/audit).
 *
 * @example
 * createRevertEngine([...pluginReverters]);
 */
export const pluginReverters: readonly Reverter[] = [
  policyRuleReverter,
  uploadedPluginReverter,
  consentReverter,
];

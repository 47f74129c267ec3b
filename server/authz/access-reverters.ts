/**
 * How the audit trail undoes the access model's recorded changes: attribute rules
 * (`access_rule`: created, regrouped, deleted) and resource tags (`access.tags.update`, recorded
 * on the tagged project, dashboard, dataset or connection). Both are Admin business, so undoing
 * needs the same permission as making the change (`access.rules.manage`, `access.tags.manage`).
 */
import { eq, inArray, sql } from 'drizzle-orm';
import {
  captureRevertedRows,
  restoreRows,
  type Reverter,
  type RevertibleChange,
} from '../audit/index.ts';
import { ConflictError } from '../errors/index.ts';
import { schema, type Database } from '../store/index.ts';
import { ruleState, taggedTables } from './access-routes.ts';
import { requireAccess } from './guard.ts';
import type { AccessRule, ResourceTags } from './policy.ts';

const { accessRules, accessRuleGroups, groups } = schema;

/** Refuses groups that are gone: the rule would open to fewer groups than it recorded. */
async function ensureGroupsStill(db: Database, rule: AccessRule) {
  const ids = rule.groups.map((group) => group.id);
  if (ids.length === 0) return;
  const found = await db.select({ id: groups.id }).from(groups).where(inArray(groups.id, ids));
  const missing = rule.groups.filter((group) => !found.some((row) => row.id === group.id));
  if (missing.length > 0) {
    throw new ConflictError(
      `The rule named the group(s) ${missing.map((group) => `"${group.name}"`).join(', ')}, which no longer exist; restore them first.`,
      'revert_blocked',
    );
  }
}

async function lockedRuleState(db: Database, id: string) {
  await db
    .select({ id: accessRules.id })
    .from(accessRules)
    .where(eq(accessRules.id, id))
    .for('update');
  return ruleState(db, id);
}

/** Puts a removed rule back with its id: from its deletion's snapshot, else from the state. */
async function recreateRule(
  db: Database,
  change: RevertibleChange,
  target: AccessRule,
  callerId: string,
) {
  await ensureGroupsStill(db, target);
  const [clash] = await db
    .select({ id: accessRules.id })
    .from(accessRules)
    .where(
      sql`${accessRules.tagKey} = ${target.tagKey} and ${accessRules.tagValue} = ${target.tagValue}`,
    );
  if (clash) {
    throw new ConflictError(
      `Another rule for ${target.tagKey}=${target.tagValue} exists by now (${clash.id}); change or remove it first.`,
      'rule_exists',
    );
  }
  if (change.snapshotId && (await restoreRows(db, change.snapshotId)) > 0) return;
  await db.insert(accessRules).values({
    id: target.id,
    tagKey: target.tagKey,
    tagValue: target.tagValue,
    createdBy: callerId,
    createdAt: new Date(),
  });
  await setRuleGroups(db, target);
}

async function setRuleGroups(db: Database, target: AccessRule) {
  await db.delete(accessRuleGroups).where(eq(accessRuleGroups.ruleId, target.id));
  if (target.groups.length > 0) {
    await db
      .insert(accessRuleGroups)
      .values(target.groups.map((group) => ({ ruleId: target.id, groupId: group.id })));
  }
}

/**
 * `access_rule`: undoing a creation removes the rule (kept for the revert of the revert),
 * undoing a deletion puts it back with its id and groups, undoing a regrouping regroups it.
 */
const ruleReverter: Reverter = {
  resourceType: 'access_rule',
  actions: ['access.rule.create', 'access.rule.update', 'access.rule.delete'],
  async authorize(c) {
    await requireAccess(c, 'access.rules.manage', { type: 'system' });
  },
  async current(db, change) {
    return lockedRuleState(db, change.resourceId) as Promise<RevertibleChange['after']>;
  },
  async restore(db, change, c) {
    const id = change.resourceId;
    const target = change.before as unknown as AccessRule | null;
    if (target === null) {
      await captureRevertedRows(db, change, [
        { table: 'access_rules', where: sql`id = ${id}` },
        { table: 'access_rule_groups', where: sql`rule_id = ${id}` },
      ]);
      await db.delete(accessRules).where(eq(accessRules.id, id));
      return null;
    }
    if ((await ruleState(db, id)) === null) {
      await recreateRule(db, change, target, c.var.principal.userId);
    } else {
      await ensureGroupsStill(db, target);
      await setRuleGroups(db, target);
    }
    return ruleState(db, id) as Promise<RevertibleChange['after']>;
  },
};

type TaggedType = keyof typeof taggedTables;

/** `access.tags.update` on one kind of tagged resource: the tags go back to what they were. */
function tagsReverter(resourceType: TaggedType): Reverter {
  const table = taggedTables[resourceType];
  return {
    resourceType,
    actions: ['access.tags.update'],
    async authorize(c, change) {
      await requireAccess(c, 'access.tags.manage', { type: resourceType, id: change.resourceId });
    },
    async current(db, change) {
      const [row] = await db
        .select({ tags: table.tags })
        .from(table)
        .where(eq(table.id, change.resourceId))
        .for('update');
      return row ? { tags: row.tags } : null;
    },
    async restore(db, change) {
      const target = change.before as { tags: ResourceTags } | null;
      if (target === null) return null;
      const [row] = await db
        .update(table)
        .set({ tags: target.tags })
        .where(eq(table.id, change.resourceId))
        .returning({ tags: table.tags });
      return row ? { tags: row.tags } : null;
    },
  };
}

/**
 * The reverters of the access model, for the revert engine (server/audit).
 *
 * @example
 * createRevertEngine([...accessReverters]);
 */
export const accessReverters: readonly Reverter[] = [
  ruleReverter,
  ...(Object.keys(taggedTables) as TaggedType[]).map(tagsReverter),
];

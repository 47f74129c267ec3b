/**
 * The admins' plugin policy as one pure function: may this user run this plugin now? Rules allow
 * or block a plugin for everyone or for groups (a member of a nested group is a member of every
 * group above it), optionally only within a window [startsAt, endsAt). A block that covers the
 * user wins; when any allow rule is active for the plugin, only those it covers may run it.
 * Admins are not exempt. No I/O: the routes and the plugin site load the facts and ask.
 */

/** One admin rule, as stored. */
export interface PluginPolicyRule {
  id: string;
  pluginId: string;
  effect: 'allow' | 'block';
  /** null: everyone. */
  groupIds: readonly string[] | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

export type PluginRunnability =
  { runnable: true; reason: null } | { runnable: false; reason: string; ruleId: string | null };

export interface PluginRunnabilityInput {
  pluginId: string;
  /** Every rule (those of other plugins are ignored). */
  rules: readonly PluginPolicyRule[];
  /** The user's effective groups: direct ones and every group they reach through nesting. */
  groupIds: readonly string[];
  now: Date;
}

/**
 * Whether a rule is in force at `now`: from `startsAt` (included) to `endsAt` (excluded).
 *
 * @example
 * isRuleActive({ startsAt: new Date('2026-12-01'), endsAt: new Date('2026-12-02') }, now);
 */
export function isRuleActive(
  rule: Pick<PluginPolicyRule, 'startsAt' | 'endsAt'>,
  now: Date,
): boolean {
  const time = now.getTime();
  if (rule.startsAt && time < rule.startsAt.getTime()) return false;
  if (rule.endsAt && time >= rule.endsAt.getTime()) return false;
  return true;
}

function covers(rule: PluginPolicyRule, groupIds: ReadonlySet<string>): boolean {
  return rule.groupIds === null || rule.groupIds.some((id) => groupIds.has(id));
}

function until(rule: PluginPolicyRule): string {
  return rule.endsAt ? ` until ${rule.endsAt.toISOString()}` : '';
}

/**
 * Decides whether the user may run the plugin now, and if not, why.
 *
 * @example
 * pluginRunnability({ pluginId: 'enclave.chart', rules, groupIds: ['g-lab'], now: new Date() });
 * // { runnable: false, reason: 'An administrator blocked this plugin for everyone until …', ruleId }
 */
export function pluginRunnability(input: PluginRunnabilityInput): PluginRunnability {
  const groupIds = new Set(input.groupIds);
  const active = input.rules.filter(
    (rule) => rule.pluginId === input.pluginId && isRuleActive(rule, input.now),
  );
  const block = active.find((rule) => rule.effect === 'block' && covers(rule, groupIds));
  if (block) {
    return {
      runnable: false,
      reason: `An administrator blocked this plugin for ${block.groupIds === null ? 'everyone' : 'a group you belong to'}${until(block)}.`,
      ruleId: block.id,
    };
  }
  const allows = active.filter((rule) => rule.effect === 'allow');
  if (allows.length > 0 && !allows.some((rule) => covers(rule, groupIds))) {
    return {
      runnable: false,
      reason: 'An administrator allowed this plugin only for groups you do not belong to.',
      ruleId: allows[0]?.id ?? null,
    };
  }
  return { runnable: true, reason: null };
}

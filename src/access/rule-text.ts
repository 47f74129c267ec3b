/** An attribute rule in one line, as the Access page lists it. */
import type { AccessRule } from '../api/access-api.ts';

/**
 * @example
 * ruleText(rule); // 'sensitivity=restricted → only oncology, chemists'
 */
export function ruleText(rule: Pick<AccessRule, 'tagKey' | 'tagValue' | 'groups'>): string {
  const who =
    rule.groups.length === 0
      ? 'only Admins (the rule has no groups)'
      : `only ${rule.groups.map((group) => group.name).join(', ')}`;
  return `${rule.tagKey}=${rule.tagValue} → ${who}`;
}

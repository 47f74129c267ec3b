import { describe, expect, it } from 'vitest';
import { isRuleActive, pluginRunnability, type PluginPolicyRule } from './plugin-policy.ts';

const chart = 'enclave.chart';
let next = 0;
function rule(fields: Partial<PluginPolicyRule>): PluginPolicyRule {
  next += 1;
  return {
    id: `rule-${String(next)}`,
    pluginId: chart,
    effect: 'block',
    groupIds: null,
    startsAt: null,
    endsAt: null,
    ...fields,
  };
}

const now = new Date('2026-11-15T12:00:00Z');

function runnable(rules: PluginPolicyRule[], groupIds: string[] = [], at = now) {
  return pluginRunnability({ pluginId: chart, rules, groupIds, now: at }).runnable;
}

describe('pluginRunnability', () => {
  it('lets everyone run a plugin no rule names', () => {
    expect(runnable([])).toBe(true);
    expect(runnable([rule({ pluginId: 'enclave.other' })])).toBe(true);
  });

  it('blocks for everyone, admins included (the function knows no roles)', () => {
    const block = rule({});
    expect(
      pluginRunnability({ pluginId: chart, rules: [block], groupIds: ['admins'], now }),
    ).toEqual({
      runnable: false,
      reason: 'An administrator blocked this plugin for everyone.',
      ruleId: block.id,
    });
  });

  it('blocks only the groups a rule names, nested groups through the effective groups', () => {
    const rules = [rule({ groupIds: ['oncology'] })];
    expect(runnable(rules, ['chemistry'])).toBe(true);
    // A member of "oncology-interns", nested in "oncology", has both as effective groups.
    expect(runnable(rules, ['oncology-interns', 'oncology'])).toBe(false);
  });

  it('with allow rules active, runs only for the groups they cover', () => {
    const rules = [rule({ effect: 'allow', groupIds: ['chemistry'] })];
    expect(runnable(rules, ['chemistry'])).toBe(true);
    expect(runnable(rules, ['oncology'])).toBe(false);
    expect(runnable(rules, [])).toBe(false);
    expect(runnable([rule({ effect: 'allow', groupIds: null })], [])).toBe(true);
  });

  it('lets a block win over an allow', () => {
    const rules = [rule({ effect: 'allow', groupIds: null }), rule({ groupIds: ['oncology'] })];
    expect(runnable(rules, ['oncology'])).toBe(false);
    expect(runnable(rules, ['chemistry'])).toBe(true);
  });

  it('blocks for all users on 1 December only: [start, end)', () => {
    const december = rule({
      startsAt: new Date('2026-12-01T00:00:00Z'),
      endsAt: new Date('2026-12-02T00:00:00Z'),
    });
    expect(runnable([december], [], new Date('2026-11-30T23:59:59.999Z'))).toBe(true);
    expect(runnable([december], [], new Date('2026-12-01T00:00:00Z'))).toBe(false);
    expect(runnable([december], [], new Date('2026-12-01T23:59:59.999Z'))).toBe(false);
    expect(runnable([december], [], new Date('2026-12-02T00:00:00Z'))).toBe(true);
    expect(
      pluginRunnability({
        pluginId: chart,
        rules: [december],
        groupIds: [],
        now: new Date('2026-12-01T08:00:00Z'),
      }).reason,
    ).toBe('An administrator blocked this plugin for everyone until 2026-12-02T00:00:00.000Z.');
  });

  it('treats open-ended windows as open on that side', () => {
    expect(isRuleActive({ startsAt: new Date('2026-01-01'), endsAt: null }, now)).toBe(true);
    expect(isRuleActive({ startsAt: new Date('2027-01-01'), endsAt: null }, now)).toBe(false);
    expect(isRuleActive({ startsAt: null, endsAt: new Date('2026-01-01') }, now)).toBe(false);
    // An allow rule that has not started yet does not restrict anyone.
    expect(
      runnable([rule({ effect: 'allow', groupIds: ['x'], startsAt: new Date('2027-01-01') })]),
    ).toBe(true);
  });
});

/** Unit tests of putting an attribute rule into one line. */
import { describe, expect, it } from 'vitest';
import { ruleText } from './rule-text.ts';

describe('ruleText', () => {
  it('names the tag and the groups the rule leaves access to', () => {
    expect(
      ruleText({
        tagKey: 'sensitivity',
        tagValue: 'restricted',
        groups: [
          { id: 'g1', name: 'oncology' },
          { id: 'g2', name: 'chemists' },
        ],
      }),
    ).toBe('sensitivity=restricted → only oncology, chemists');
  });

  it('says that a rule without groups leaves only Admins', () => {
    expect(ruleText({ tagKey: 'phase', tagValue: 'embargo', groups: [] })).toBe(
      'phase=embargo → only Admins (the rule has no groups)',
    );
  });
});

/** The stored options come from storage the plugin wrote earlier, possibly by an older version. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseStatsOptions, roundTo } from './stats-options.ts';

describe('parseStatsOptions', () => {
  it('reads what the plugin stored', () => {
    expect(parseStatsOptions(JSON.stringify({ decimals: 2, skipped: ['age'] }))).toEqual({
      decimals: 2,
      skipped: ['age'],
    });
  });

  it('falls back to defaults for nothing stored, bad JSON or wrong shapes', () => {
    for (const stored of [null, 'not json', '42', 'null', '[]']) {
      expect(parseStatsOptions(stored)).toEqual(DEFAULT_OPTIONS);
    }
  });

  it('refuses decimals outside the choices and non-text column names', () => {
    expect(parseStatsOptions('{"decimals":1e9,"skipped":["a",1,null,{"x":1}]}')).toEqual({
      decimals: DEFAULT_OPTIONS.decimals,
      skipped: ['a'],
    });
  });

  it('does not let a stored __proto__ key reach the options', () => {
    const options = parseStatsOptions('{"__proto__":{"decimals":6},"skipped":[]}');
    expect(options.decimals).toBe(DEFAULT_OPTIONS.decimals);
    expect(Object.getPrototypeOf(options)).toBe(Object.prototype);
  });
});

describe('roundTo', () => {
  it('rounds for display and keeps null', () => {
    expect(roundTo(3.14159, 2)).toBe(3.14);
    expect(roundTo(null, 2)).toBeNull();
  });
});

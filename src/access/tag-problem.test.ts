/** Unit tests of the client-side check of a new tag. */
import { describe, expect, it } from 'vitest';
import { tagProblem } from './tag-problem.ts';

describe('tagProblem', () => {
  it('accepts keys and values from the safe alphabet', () => {
    expect(tagProblem({}, 'sensitivity', 'restricted')).toBeNull();
    expect(tagProblem({}, 'a', 'b')).toBeNull();
    expect(tagProblem({}, 'site.eu-1', 'level:2_b')).toBeNull();
    expect(tagProblem({}, '9lives', 'x'.repeat(64))).toBeNull();
  });

  it('asks for a key and a value', () => {
    expect(tagProblem({}, '', 'restricted')).toBe('Enter a key.');
    expect(tagProblem({}, 'sensitivity', '')).toBe('Enter a value.');
  });

  it('refuses other characters, a leading symbol and overlong parts', () => {
    expect(tagProblem({}, 'needs review', 'yes')).toMatch(/^The key may hold only letters/);
    expect(tagProblem({}, '_private', 'yes')).toMatch(/^The key may hold only letters/);
    expect(tagProblem({}, 'team', 'onco=logy')).toMatch(/^The value may hold only letters/);
    expect(tagProblem({}, 'team', '-x')).toMatch(/^The value may hold only letters/);
    expect(tagProblem({}, 'ü', 'x')).toMatch(/^The key may hold only letters/);
    expect(tagProblem({}, 'k'.repeat(65), 'x')).toBe('The key is longer than 64 characters.');
    expect(tagProblem({}, 'k', 'v'.repeat(65))).toBe('The value is longer than 64 characters.');
  });

  it('refuses a 21st tag but lets an existing key change its value', () => {
    const full = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`k${index}`, 'v']));
    expect(tagProblem(full, 'another', 'v')).toBe(
      'A resource carries at most 20 tags; remove one first.',
    );
    expect(tagProblem(full, 'k3', 'changed')).toBeNull();
  });
});

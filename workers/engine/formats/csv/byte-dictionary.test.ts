/**
 * Tests of the byte dictionary against a plain Map: codes in order of first appearance, found
 * again through the hash table and through the cache of recent values, whose slots many values
 * share (same length, same last two bytes), without ever answering another value's code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteDictionary, fnv1a } from './byte-dictionary.ts';

const encoder = new TextEncoder();

/** Values alike at their end, so that they share the recent cache's slots. */
const alike = fc
  .tuple(
    fc.constantFrom('', 'a', 'b', 'ab', 'é', '😀x'),
    fc.constantFrom('_00', '_10', 'zz', '', 'q'),
  )
  .map(([head, tail]) => head + tail);

describe('ByteDictionary', () => {
  it('codes values as a Map would, by first appearance, however they are looked up', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(alike, fc.string({ maxLength: 40 })), { maxLength: 300 }),
        (values) => {
          const dictionary = new ByteDictionary();
          const expected = new Map<string, number>();
          for (const value of values) {
            if (!expected.has(value)) expected.set(value, expected.size);
            const bytes = encoder.encode(`,${value},`);
            const start = 1;
            const end = bytes.length - 1;
            let code = dictionary.recentCode(bytes, start, end);
            if (code < 0) {
              code = dictionary.codeOf(bytes, start, end, fnv1a(bytes, start, end));
              dictionary.remember(bytes, start, end, code);
            }
            expect([value, code]).toEqual([value, expected.get(value)]);
          }
          expect(dictionary.size).toBe(expected.size);
          expect(dictionary.strings()).toEqual([...expected.keys()]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('grows past its first table and arena', () => {
    const dictionary = new ByteDictionary();
    const long = 'x'.repeat(5_000);
    for (let value = 0; value < 3_000; value++) {
      const bytes = encoder.encode(value % 1_000 === 0 ? `${long}${value}` : `v${value}`);
      expect(dictionary.codeOf(bytes, 0, bytes.length, fnv1a(bytes, 0, bytes.length))).toBe(value);
    }
    const again = encoder.encode('v2999');
    expect(dictionary.find(again, 0, again.length, fnv1a(again, 0, again.length))).toBe(2_999);
    expect(dictionary.strings()[1_000]).toBe(`${long}1000`);
  });
});

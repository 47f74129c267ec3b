/**
 * The radix sorts against a stable comparator sort, and the key transforms against the order
 * of the numbers they encode (NaN above +Infinity, -0 equal to 0, descending inverted).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NumericArray } from '../columns/column-data.ts';
import { floatSortKeys, integerSortKeys, radixSortByU32, radixSortByU64 } from './radix-sort.ts';
import { comparePlain } from './test-tables.ts';

function identity(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => i);
}

/** Keys spread over all digits, or confined to a few (so that passes get skipped). */
const u32 = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 40 }));

describe('radixSortByU32', () => {
  it('sorts stably by unsigned key', () => {
    fc.assert(
      fc.property(fc.array(u32, { maxLength: 300 }), (keys) => {
        const got = radixSortByU32(identity(keys.length), Uint32Array.from(keys));
        const want = keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
        expect([...got]).toEqual(want);
      }),
    );
  });
});

describe('radixSortByU64', () => {
  it('sorts stably by high word, then low word', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(u32, u32), { maxLength: 300 }), (pairs) => {
        const got = radixSortByU64(
          identity(pairs.length),
          Uint32Array.from(pairs.map((pair) => pair[0])),
          Uint32Array.from(pairs.map((pair) => pair[1])),
        );
        const want = pairs
          .map((_, i) => i)
          .sort((a, b) => pairs[a]![0] - pairs[b]![0] || pairs[a]![1] - pairs[b]![1]);
        expect([...got]).toEqual(want);
      }),
    );
  });
});

/** The order of two sort keys as unsigned 64-bit numbers. */
function compareKeys(high: Uint32Array, low: Uint32Array, a: number, b: number): number {
  return Math.sign(high[a]! - high[b]! || low[a]! - low[b]!);
}

describe('floatSortKeys', () => {
  it('orders keys as the numbers (NaN last, -0 = 0), inverted when descending', () => {
    const number = fc.oneof(fc.double(), fc.constantFrom(NaN, -NaN, 0, -0, Infinity, -Infinity));
    fc.assert(
      fc.property(
        fc.array(number, { minLength: 2, maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        (values, descending, wide) => {
          const numbers: NumericArray = wide
            ? Float64Array.from(values)
            : Float32Array.from(values);
          const rows = identity(values.length).reverse();
          const high = new Uint32Array(values.length);
          const low = new Uint32Array(values.length);
          floatSortKeys(numbers, rows, high, low, descending);
          for (let i = 1; i < values.length; i++) {
            const order = Math.sign(comparePlain(numbers[rows[i - 1]!]!, numbers[rows[i]!]!));
            expect(compareKeys(high, low, i - 1, i)).toBe((descending ? -order : order) || 0);
          }
        },
      ),
    );
  });

  it('reads a Float64Array that is a view into a larger buffer', () => {
    const buffer = new Float64Array([9, 3, 1, 2, 7]).subarray(1, 4);
    const high = new Uint32Array(3);
    const low = new Uint32Array(3);
    floatSortKeys(buffer, null, high, low, false);
    expect([...radixSortByU64(identity(3), high, low)]).toEqual([1, 2, 0]);
  });
});

describe('integerSortKeys', () => {
  const arrays = [Int8Array, Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array];
  it('orders keys as the integers of every integer array, inverted when descending', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...arrays),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), {
          minLength: 2,
          maxLength: 40,
        }),
        fc.boolean(),
        (Array, raw, descending) => {
          const values = Array.from(raw);
          const keys = new Uint32Array(values.length);
          integerSortKeys(values, null, keys, descending);
          for (let i = 1; i < values.length; i++) {
            const order = Math.sign(values[i - 1]! - values[i]!);
            expect(Math.sign(keys[i - 1]! - keys[i]!)).toBe((descending ? -order : order) || 0);
          }
        },
      ),
    );
  });
});

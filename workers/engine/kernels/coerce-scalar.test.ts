/**
 * Filter values turned into column values: ISO dates and date-times against the platform's
 * `Date`, the code point order against comparing code point arrays, refusals as
 * `type_mismatch`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../engine-error.ts';
import {
  coerceScalar,
  compareCodePoints,
  parseIsoDate,
  parseIsoDateTime,
} from './coerce-scalar.ts';
import { buildTable, comparePlain } from './test-tables.ts';

const MS_PER_DAY = 86_400_000;

describe('parseIsoDate and parseIsoDateTime', () => {
  it('agree with Date on every day of years 0 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (days) => {
        const iso = new Date(days * MS_PER_DAY).toISOString();
        expect(parseIsoDate(iso.slice(0, 10))).toBe(days);
        expect(parseIsoDateTime(iso)).toBe(days * MS_PER_DAY);
      }),
    );
  });

  it('agree with Date on instants with zones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60_000_000, max: 253_402_200_000_000 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (ms, offset) => {
          const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
          const sign = offset < 0 ? '-' : '+';
          const zone = `${sign}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
          expect(parseIsoDateTime(`${local}${zone}`)).toBe(ms);
        },
      ),
    );
  });

  it('refuse impossible dates and times', () => {
    for (const text of ['2023-02-29', '2024-13-01', '2024-00-10', 'soon', '2024-1-1']) {
      expect(parseIsoDate(text)).toBeNull();
    }
    for (const text of ['2024-01-01T24:00', '2024-01-01T12:60', '2024-01-01T12:00+25:00']) {
      expect(parseIsoDateTime(text)).toBeNull();
    }
  });
});

describe('compareCodePoints', () => {
  it('orders strings by code point, astral ones above U+FFFF', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(comparePlain(a, b)));
      }),
    );
    expect(compareCodePoints('\uffff', '😀')).toBeLessThan(0);
  });
});

describe('coerceScalar', () => {
  const table = buildTable({
    length: 1,
    columns: [
      { name: 'n', kind: 'float64', values: [1] },
      { name: 'd', kind: 'date', values: [1] },
      { name: 't', kind: 'datetime', values: [1] },
      { name: 'b', kind: 'bool', values: [true] },
      { name: 's', kind: 'string', values: ['x'] },
    ],
  });
  const column = (name: string) => table.columns.find((candidate) => candidate.name === name)!;

  it('turns values into what each column compares against', () => {
    expect(coerceScalar(column('n'), ' 2.5 ')).toBe(2.5);
    expect(coerceScalar(column('d'), '1970-01-31')).toBe(30);
    expect(coerceScalar(column('t'), '1970-01-01T00:00:01Z')).toBe(1000);
    expect(coerceScalar(column('b'), ' TRUE ')).toBe(true);
    expect(coerceScalar(column('s'), 12)).toBe('12');
  });

  it('refuses what does not fit, as type_mismatch', () => {
    for (const [name, value] of [
      ['n', ''],
      ['n', true],
      ['d', 'tomorrow'],
      ['t', false],
      ['b', 1],
    ] as const) {
      expect(() => coerceScalar(column(name), value)).toThrow(EngineError);
      try {
        coerceScalar(column(name), value);
      } catch (error) {
        expect((error as EngineError).code).toBe('type_mismatch');
      }
    }
  });
});

/**
 * Tests of the byte-level value parsers against JavaScript's own (`Number`, `Date.UTC`,
 * `Date.parse`, `TextDecoder`), by example for the edge cases and by property for the rest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatDate,
  isNullToken,
  isValidUtf8,
  parseBool,
  parseDate,
  parseDatetime,
  parseDecimal,
  parseInteger,
  repairUtf8,
} from './parse-values.ts';

const encoder = new TextEncoder();
const COMMA = 44;

function on<T>(parse: (bytes: Uint8Array, start: number, end: number) => T) {
  // Padding around the field proves that the parsers stay inside `start .. end`.
  return (text: string): T => {
    const bytes = encoder.encode(`9${text}9`);
    return parse(bytes, 1, bytes.length - 1);
  };
}

describe('parseInteger', () => {
  const parse = on(parseInteger);

  it('reads signed whole numbers and refuses anything else', () => {
    expect(['0', '-0', '+7', '-007', '2147483648', '-9007199254740992'].map(parse)).toEqual([
      0, 0, 7, -7, 2_147_483_648, -9_007_199_254_740_992,
    ]);
    for (const text of ['', '-', '+', '1.0', '1e3', ' 1', '1 ', '0x10', '１']) {
      expect([text, parse(text)]).toEqual([text, NaN]);
    }
  });

  it('answers Infinity for whole numbers beyond 2^53, which no double holds exactly', () => {
    expect(parse('9007199254740993')).toBe(Infinity);
    expect(parse('-123456789012345678901234567890')).toBe(Infinity);
    expect(parse('0000000000000000000000000001')).toBe(1);
    expect(parse('99999999999999999999x')).toBeNaN();
  });

  it('agrees with Number for every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        expect(parse(String(value))).toBe(value);
      }),
    );
  });
});

describe('parseDecimal', () => {
  const parse = on(parseDecimal);

  it('reads fractions, exponents and infinities in every spelling', () => {
    const cases: [string, number][] = [
      ['1.5', 1.5],
      ['-0.0', -0],
      ['.5', 0.5],
      ['5.', 5],
      ['+2.5e3', 2500],
      ['1E-3', 0.001],
      ['-1e+2', -100],
      ['inf', Infinity],
      ['-Inf', -Infinity],
      ['+INFINITY', Infinity],
      ['Infinity', Infinity],
      ['1e400', Infinity],
      ['1e-400', 0],
      ['0.1234567890123456789', 0.12345678901234568],
      ['123456789012345678901234567890', 1.2345678901234568e29],
    ];
    for (const [text, value] of cases) expect([text, parse(text)]).toEqual([text, value]);
    expect(Object.is(parse('-0.0'), -0)).toBe(true);
  });

  it('refuses what is not one number', () => {
    for (const text of [
      '',
      '.',
      '-',
      'e5',
      '1e',
      '1e+',
      '1.2.3',
      '1,5',
      'infinit',
      'nan',
      '1_000',
    ]) {
      expect([text, parse(text)]).toEqual([text, NaN]);
    }
  });

  it('takes a second decimal mark when asked (a comma in semicolon files)', () => {
    const bytes = encoder.encode('-1,25');
    expect(parseDecimal(bytes, 0, bytes.length, COMMA)).toBe(-1.25);
  });

  it('rounds exactly as Number does, for every way JavaScript writes a double', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom('String', 'toFixed', 'toExponential', 'toPrecision'),
        (value, digits, style) => {
          const text =
            style === 'String'
              ? String(value)
              : style === 'toFixed'
                ? value.toFixed(digits)
                : style === 'toExponential'
                  ? value.toExponential(digits)
                  : value.toPrecision(digits + 1);
          expect(Object.is(parse(text), Number(text))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rounds long decimal strings exactly as Number does', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^-?[0-9]{1,25}(\.[0-9]{1,25})?([eE][-+]?[0-9]{1,3})?$/),
        (text) => {
          expect(Object.is(parse(text), Number(text))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseBool', () => {
  it('reads true/false in any case, and more spellings when lenient', () => {
    const strict = on((bytes, start, end) => parseBool(bytes, start, end, false));
    const lenient = on((bytes, start, end) => parseBool(bytes, start, end, true));
    expect(['true', 'TRUE', 'True', 'false', 'FaLsE'].map(strict)).toEqual([1, 1, 1, 0, 0]);
    expect(['t', 'yes', 'y', '1', 'no', 'n', 'f', '0'].map(strict)).toEqual(Array(8).fill(-1));
    expect(['t', 'YES', 'y', '1', 'No', 'N', 'F', '0'].map(lenient)).toEqual([
      1, 1, 1, 1, 0, 0, 0, 0,
    ]);
    expect(['', 'tru', 'truth', '2', 'on', 'off'].map(lenient)).toEqual(Array(6).fill(-1));
  });
});

describe('parseDate and formatDate', () => {
  const parse = on(parseDate);

  it('reads real calendar days only', () => {
    expect(parse('1970-01-01')).toBe(0);
    expect(parse('1969-12-31')).toBe(-1);
    expect(parse('2000-02-29')).toBe(Date.UTC(2000, 1, 29) / 86_400_000);
    expect(parse('0001-01-01')).toBe(-719_162);
    for (const text of [
      '2023-02-29',
      '1900-02-29',
      '2024-13-01',
      '2024-00-10',
      '2024-04-31',
      '2024-05-00',
      '2024-5-31',
      '2024/05/31',
      '20240531',
      '2024-05-31T00:00',
    ]) {
      expect([text, parse(text)]).toEqual([text, NaN]);
    }
  });

  it('agrees with Date.UTC and round-trips through formatDate', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_162, max: 2_932_896 }), (days) => {
        const text = formatDate(days);
        expect(text).toBe(new Date(days * 86_400_000).toISOString().slice(0, 10));
        expect(parse(text)).toBe(days);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseDatetime', () => {
  const parse = on(parseDatetime);

  it('reads ISO 8601 date-times with every zone spelling; no zone means UTC', () => {
    const cases: [string, number][] = [
      ['2024-05-31T12:00:00Z', Date.UTC(2024, 4, 31, 12)],
      ['2024-05-31t12:00:00z', Date.UTC(2024, 4, 31, 12)],
      ['2024-05-31 12:00', Date.UTC(2024, 4, 31, 12)],
      ['2024-05-31T12:00:00+02:00', Date.UTC(2024, 4, 31, 10)],
      ['2024-05-31T12:00:00-0530', Date.UTC(2024, 4, 31, 17, 30)],
      ['2024-05-31T12:00:00+02', Date.UTC(2024, 4, 31, 10)],
      ['2024-05-31T12:00:00.5Z', Date.UTC(2024, 4, 31, 12, 0, 0, 500)],
      ['2024-05-31T12:00:00.123456789', Date.UTC(2024, 4, 31, 12, 0, 0, 123)],
      ['1969-12-31T23:59:59.999Z', -1],
    ];
    for (const [text, value] of cases) expect([text, parse(text)]).toEqual([text, value]);
  });

  it('refuses dates alone and malformed times', () => {
    for (const text of [
      '2024-05-31',
      '2024-05-31T24:00',
      '2024-05-31T12:60',
      '2024-05-31T12:00:60',
      '2024-05-31T12',
      '2024-05-31T12:00:',
      '2024-05-31T12:00:00.',
      '2024-05-31T12:00:00ZZ',
      '2024-05-31T12:00:00+2',
      '2024-05-31T12:00:00+24:00',
      '2024-05-31T12:00:00 UTC',
      '2024-02-30T12:00',
    ]) {
      expect([text, parse(text)]).toEqual([text, NaN]);
    }
  });

  it('agrees with Date.parse on what toISOString writes', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') }),
        (date) => {
          if (Number.isNaN(date.getTime())) return;
          const text = date.toISOString();
          expect(parse(text)).toBe(Date.parse(text));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('isNullToken', () => {
  const check = on(isNullToken);

  it('knows the null spellings exactly, and nothing like them', () => {
    const tokens = ['', 'NA', 'N/A', 'n/a', '#N/A', 'null', 'NULL', 'None', 'NaN', 'nan'];
    expect(tokens.map(check)).toEqual(tokens.map(() => true));
    expect(['-nan', '-NaN'].map(check)).toEqual([true, true]);
    const others = ['na', 'Na', 'Nan', 'NONE', 'Null', ' NA', 'NA ', 'N/', 'nil', '-', '#N/A!'];
    expect(others.map(check)).toEqual(others.map(() => false));
  });
});

describe('isValidUtf8 and repairUtf8', () => {
  const strict = new TextDecoder('utf-8', { fatal: true });
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

  it('judges bytes as the WHATWG decoder does', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 12 }),
        fc.array(fc.constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5)),
        (random, tricky) => {
          const bytes = new Uint8Array([...random, ...tricky, ...random.slice(0, 3)]);
          let valid = true;
          try {
            strict.decode(bytes);
          } catch {
            valid = false;
          }
          expect(isValidUtf8(bytes, 0, bytes.length)).toBe(valid);
          expect(repairUtf8(bytes, 0, bytes.length)).toEqual(encoder.encode(lenient.decode(bytes)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts every well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const bytes = encoder.encode(text);
        expect(isValidUtf8(bytes, 0, bytes.length)).toBe(true);
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { UnreadableValueError, kindForOid, valueFromText } from './postgres-values.ts';

describe('kindForOid', () => {
  it('maps the built-in types and reads everything else as text', () => {
    expect([21, 23, 20, 700, 701, 16, 1082, 1114, 1184].map(kindForOid)).toEqual([
      'int32',
      'int32',
      'int64',
      'float64',
      'float64',
      'bool',
      'date',
      'timestamp',
      'timestamp',
    ]);
    // numeric, text, varchar, bpchar, name, uuid, json, jsonb, interval, int4[]
    for (const oid of [1700, 25, 1043, 1042, 19, 2950, 114, 3802, 1186, 1007]) {
      expect(kindForOid(oid)).toBe('utf8');
    }
  });
});

describe('valueFromText', () => {
  it('reads numbers, including 64-bit integers exactly and the IEEE specials', () => {
    expect(valueFromText('int32', '-2147483648')).toBe(-2147483648);
    expect(valueFromText('int64', '9223372036854775807')).toBe(9223372036854775807n);
    expect(valueFromText('float64', '0.30000000000000004')).toBe(0.30000000000000004);
    expect(valueFromText('float64', 'NaN')).toBeNaN();
    expect(valueFromText('float64', '-Infinity')).toBe(-Infinity);
  });

  it('reads booleans and keeps text as it is', () => {
    expect(valueFromText('bool', 't')).toBe(true);
    expect(valueFromText('bool', 'f')).toBe(false);
    expect(valueFromText('utf8', ' 12.50 ')).toBe(' 12.50 ');
  });

  it('reads dates, including BC years (1 BC is year 0)', () => {
    expect(valueFromText('date', '2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(valueFromText('date', '0044-03-15 BC')).toEqual(new Date('-000043-03-15T00:00:00Z'));
    expect(valueFromText('date', '1969-12-31')).toEqual(new Date('1969-12-31T00:00:00Z'));
  });

  it('reads timestamps to the microsecond, applying any UTC offset', () => {
    expect(valueFromText('timestamp', '1970-01-01 00:00:00')).toBe(0n);
    expect(valueFromText('timestamp', '2024-01-02 03:04:05.123456')).toBe(1_704_164_645_123_456n);
    expect(valueFromText('timestamp', '2024-01-02 03:04:05.5+00')).toBe(1_704_164_645_500_000n);
    expect(valueFromText('timestamp', '2024-01-02 05:34:05+02:30')).toBe(1_704_164_645_000_000n);
    expect(valueFromText('timestamp', '1883-11-18 12:00:00-04:56:02')).toBe(
      BigInt(Date.UTC(1883, 10, 18, 16, 56, 2)) * 1000n,
    );
    expect(valueFromText('timestamp', '0001-01-01 00:00:00+00 BC')).toBe(
      BigInt(new Date('0000-01-01T00:00:00Z').getTime()) * 1000n,
    );
  });

  it('makes infinite dates and timestamps null, which Arrow cannot hold', () => {
    expect(valueFromText('date', 'infinity')).toBeNull();
    expect(valueFromText('timestamp', '-infinity')).toBeNull();
  });

  it('refuses dates in a style other than ISO', () => {
    expect(() => valueFromText('date', '02/29/2024')).toThrow(UnreadableValueError);
    expect(() => valueFromText('timestamp', 'Tue Jan 02 03:04:05 2024')).toThrow(
      UnreadableValueError,
    );
  });
});

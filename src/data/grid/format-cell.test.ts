import { describe, expect, it } from 'vitest';
import { formatCell, formatNumber } from './format-cell.ts';

describe('formatCell', () => {
  it('reads dates as days since 1970 and datetimes as milliseconds, in UTC', () => {
    expect(formatCell(0, 'date')).toBe('1970-01-01');
    expect(formatCell(19_876, 'date')).toBe('2024-06-02');
    expect(formatCell(-1, 'date')).toBe('1969-12-31');
    expect(formatCell(Date.UTC(2024, 2, 5, 10, 22, 13), 'datetime')).toBe('2024-03-05T10:22:13Z');
    expect(formatCell(Date.UTC(2024, 2, 5, 10, 22, 13, 250), 'datetime')).toBe(
      '2024-03-05T10:22:13.250Z',
    );
  });

  it('keeps ints whole and strings and booleans as they are', () => {
    expect(formatCell(123456789, 'int')).toBe('123456789');
    expect(formatCell('aspirin', 'string')).toBe('aspirin');
    expect(formatCell(true, 'bool')).toBe('true');
  });

  it('rounds floats to six significant digits and uses exponents at the extremes', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1234.56789)).toBe('1234.57');
    expect(formatNumber(-2.5e-9)).toBe('-2.5000e-9');
    expect(formatNumber(6.02e23)).toBe('6.0200e+23');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('−∞');
  });
});

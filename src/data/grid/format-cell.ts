/**
 * How a cell's value reads in the grid: numbers with up to 6 significant digits past the point
 * (ints whole), dates as ISO dates, datetimes as ISO 8601 in UTC, booleans as true/false. Nulls
 * are told apart by the caller (they render as an empty, marked cell), never as a string.
 */
import type { LogicalType } from '../../../workers/engine/protocol.ts';

const DAY_MS = 86_400_000;

/**
 * A value of the engine's model as text.
 *
 * @example
 * formatCell(19_876, 'date'); // '2024-06-02'
 * formatCell(0.1 + 0.2, 'float'); // '0.3'
 */
export function formatCell(value: number | boolean | string, type: LogicalType): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  switch (type) {
    case 'date':
      return Number.isFinite(value) ? new Date(value * DAY_MS).toISOString().slice(0, 10) : '';
    case 'datetime':
      return Number.isFinite(value) ? new Date(value).toISOString().replace('.000Z', 'Z') : '';
    case 'int':
      return String(value);
    default:
      return formatNumber(value);
  }
}

/**
 * A float for reading: at most 6 significant decimals, exponent form for the very large or small.
 *
 * @example
 * formatNumber(1234.56789); // '1234.57'
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15 || magnitude < 1e-6) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

/**
 * The statistics plugin's remembered options: how many decimals the table shows and which
 * columns get a z-score column. Stored as JSON in the plugin's own storage; what comes back is
 * parsed defensively (an older version, or a hand-edited store, must not break the plugin).
 */

export interface StatsOptions {
  /** Decimals shown in the table (the written z-scores keep full precision). */
  readonly decimals: number;
  /** Numeric columns that do NOT get a z-score column; every other numeric column does. */
  readonly skipped: readonly string[];
}

export const DECIMAL_CHOICES = [2, 3, 4, 6] as const;
export const DEFAULT_OPTIONS: StatsOptions = { decimals: 3, skipped: [] };

/**
 * Options from their stored text; defaults for anything missing or malformed.
 *
 * @example
 * parseStatsOptions('{"decimals":2,"skipped":["age"]}'); // { decimals: 2, skipped: ['age'] }
 * parseStatsOptions('not json'); // DEFAULT_OPTIONS
 */
export function parseStatsOptions(stored: string | null): StatsOptions {
  if (stored === null) return DEFAULT_OPTIONS;
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return DEFAULT_OPTIONS;
  }
  if (typeof value !== 'object' || value === null) return DEFAULT_OPTIONS;
  const { decimals, skipped } = value as Record<string, unknown>;
  return {
    decimals: DECIMAL_CHOICES.some((choice) => choice === decimals)
      ? (decimals as number)
      : DEFAULT_OPTIONS.decimals,
    skipped: Array.isArray(skipped)
      ? skipped.filter((name): name is string => typeof name === 'string').slice(0, 1000)
      : [],
  };
}

/**
 * A value rounded for display; null stays null.
 *
 * @example
 * roundTo(3.14159, 2); // 3.14
 */
export function roundTo(value: number | null, decimals: number): number | null {
  return value === null ? null : Number(value.toFixed(decimals));
}

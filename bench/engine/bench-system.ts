/**
 * The shape every measured system takes in the bench page (ours, DuckDB-wasm, Arquero), and the
 * one clock they all use. Each method runs its system's own idiomatic path for a step, inside
 * that system's worker, and resolves once the answer is on the main thread; `measure` stops the
 * clock there, before the answer is cut down for the cross-check.
 */
import type { GroupAnswer, LoadAnswer, StepAnswer, StepName, TopAnswer } from './bench-protocol.ts';

/** A timed answer. */
export interface Measured<Answer extends StepAnswer = StepAnswer> {
  readonly ms: number;
  readonly answer: Answer;
}

/** One system as the bench page drives it. */
export interface BenchSystem {
  /** Forgets what an earlier run of `step` left behind (untimed), so runs do not pile up. */
  prepare(step: StepName): Promise<void>;
  /** The CSV file → a queryable table, kept for `groupBy('csv')`. */
  loadCsv(file: File): Promise<Measured<LoadAnswer>>;
  /** The CSV file → a table → the group-by answer, as a user dropping the file sees it. */
  fileToGroupBy(file: File): Promise<Measured<GroupAnswer>>;
  /** Arrow IPC stream bytes (the system may take them over) → a queryable table. */
  loadArrow(ipc: Uint8Array): Promise<Measured<LoadAnswer>>;
  /** `cat` groups with sum, mean and count of `a`, over the CSV or the Arrow table. */
  groupBy(table: 'csv' | 'big'): Promise<Measured<GroupAnswer>>;
  /** Rows with `b < 0.25`, the 100 with the largest `a`, over the Arrow table. */
  filterTop(): Promise<Measured<TopAnswer>>;
  /** Drops the CSV tables, to make room for the 10M-row table. */
  forgetCsv(): Promise<void>;
}

/** The rows kept by the filter step: uniform `b` in [0, 1) makes this about 25%. */
export const FILTER_BELOW = 0.25;

/** How many rows the top-k step returns. */
export const TOP_K = 100;

/**
 * Times `work` from the call until its answer is in hand on this thread, then summarises it.
 *
 * @example
 * const measured = await measure(() => conn.query(sql), (table) => summarise(table));
 */
export async function measure<Raw, Answer extends StepAnswer>(
  work: () => Promise<Raw>,
  summarise: (raw: Raw) => Answer | Promise<Answer>,
): Promise<Measured<Answer>> {
  const started = performance.now();
  const raw = await work();
  const ms = performance.now() - started;
  return { ms, answer: await summarise(raw) };
}

/** A group row as every system's answer can be read. */
export interface GroupRow {
  readonly cat: string;
  readonly sum_a: number;
  readonly mean_a: number;
  readonly count: number;
}

/**
 * The cross-check summary of a group-by answer.
 *
 * @example
 * groupAnswer([{ cat: 'cat_00', sum_a: 2, mean_a: 1, count: 2 }]); // { groups: 1, rows: 2, … }
 */
export function groupAnswer(rows: readonly GroupRow[]): GroupAnswer {
  let total = 0;
  let sumOfSums = 0;
  let cat00Mean = Number.NaN;
  for (const row of rows) {
    total += row.count;
    sumOfSums += row.sum_a;
    if (row.cat === 'cat_00') cat00Mean = row.mean_a;
  }
  return { kind: 'groups', groups: rows.length, rows: total, sumOfSums, cat00Mean };
}

/**
 * The cross-check summary of a top-k answer, from its `a` values in answer order.
 *
 * @example
 * topAnswer([9, 8, 7]); // { kind: 'top', rows: 3, firstA: 9, lastA: 7 }
 */
export function topAnswer(values: ArrayLike<number>): TopAnswer {
  return {
    kind: 'top',
    rows: values.length,
    firstA: values[0] ?? Number.NaN,
    lastA: values[values.length - 1] ?? Number.NaN,
  };
}

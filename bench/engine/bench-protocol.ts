/**
 * What the Node driver (`run.ts`) and the bench page (`bench-page.ts`) say to each other, as types
 * only. The driver calls `window.enclaveBench` through Playwright; every timing is taken in the
 * page with `performance.now()`, so the driver's own overhead never enters a number.
 */

/** The systems measured side by side. */
export type SystemName = 'ours' | 'duckdb' | 'arquero';

/** Every system, in the order each run visits them. */
export const SYSTEMS: readonly SystemName[] = ['ours', 'duckdb', 'arquero'];

/**
 * The measured steps. `csv-load`, `group-by-1m` and `file-to-group-by` use the 1M-row CSV;
 * `arrow-load`, `group-by-10m` and `filter-top-10m` the 10M-row Arrow IPC table.
 */
export type StepName =
  | 'csv-load'
  | 'group-by-1m'
  | 'file-to-group-by'
  | 'arrow-load'
  | 'group-by-10m'
  | 'filter-top-10m';

/** A group-by answer cut down to what lets the driver check that the systems agree. */
export interface GroupAnswer {
  readonly kind: 'groups';
  readonly groups: number;
  /** Sum of the `count` column over all groups: the rows grouped. */
  readonly rows: number;
  /** Sum of `sum_a` over all groups. */
  readonly sumOfSums: number;
  /** `mean_a` of the group `cat_00` (the answer's order is not compared). */
  readonly cat00Mean: number;
}

/** A top-k answer cut down the same way. */
export interface TopAnswer {
  readonly kind: 'top';
  readonly rows: number;
  /** `a` of the first and last row returned (descending). */
  readonly firstA: number;
  readonly lastA: number;
}

/** A load answer: how many rows the system now holds. */
export interface LoadAnswer {
  readonly kind: 'load';
  readonly rows: number;
}

export type StepAnswer = GroupAnswer | TopAnswer | LoadAnswer;

/** One timed run of a step on one system. */
export interface StepTiming {
  /** From handing the input over to the answer being on the main thread. */
  readonly ms: number;
  readonly answer: StepAnswer;
  /** Main-thread long tasks (PerformanceObserver 'longtask') that started during the run. */
  readonly longTasks: number;
  readonly longestTaskMs: number;
}

/** What the page reports once it is ready. */
export interface BenchPageInfo {
  readonly userAgent: string;
  readonly duckdbVersion: string;
  readonly hardwareConcurrency: number;
}

/** What the page made: the inputs the steps read. */
export interface BenchDataInfo {
  readonly rows: number;
  readonly bytes: number;
  readonly generatedMs: number;
  /**
   * Main-thread long tasks seen while generating (it runs on the main thread on purpose): proof
   * that the long-task observer works in this browser, so a 0 in the results means none.
   */
  readonly longTasksWhileMaking: number;
}

/** The page's API, installed on `window.enclaveBench`. */
export interface BenchPage {
  start(): Promise<BenchPageInfo>;
  /** Generates the 1M-row CSV file (seeded, so every run sees the same bytes). */
  makeCsv(rows: number): Promise<BenchDataInfo>;
  /** Generates the Arrow IPC stream of the big table, and forgets the CSV tables. */
  makeArrow(rows: number): Promise<BenchDataInfo>;
  /** Runs one step once on one system. */
  run(step: StepName, system: SystemName): Promise<StepTiming>;
}

declare global {
  interface Window {
    enclaveBench?: BenchPage;
  }
}

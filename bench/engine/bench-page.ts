/**
 * The bench page: starts the three systems (each in its own worker), generates the inputs, and
 * runs one step on one system when the driver asks, watching the main thread for long tasks
 * meanwhile. It draws nothing; `run.ts` drives it through `window.enclaveBench`.
 */
import { arqueroSystem } from './arquero-system.ts';
import { benchArrowIpc, benchCsv } from './bench-data.ts';
import type { BenchPage, StepName, StepTiming, SystemName } from './bench-protocol.ts';
import type { BenchSystem, Measured } from './bench-system.ts';
import { duckdbSystem } from './duckdb-system.ts';
import { oursSystem } from './ours-system.ts';

/** Long-task entries are delivered after the task; this long is enough for them to arrive. */
const SETTLE_MS = 150;

const longTasks: PerformanceEntry[] = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({
  type: 'longtask',
  buffered: true,
});

let systems: Record<SystemName, BenchSystem> | undefined;
let csvFile: File | undefined;
let arrowIpc: Uint8Array | undefined;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function required<Value>(value: Value | undefined, what: string): Value {
  if (value === undefined) throw new Error(`The bench page has no ${what} yet.`);
  return value;
}

async function tasksSince(started: number): Promise<{ longTasksWhileMaking: number }> {
  await pause(SETTLE_MS);
  return {
    longTasksWhileMaking: longTasks.filter((task) => task.startTime + task.duration > started)
      .length,
  };
}

function start(step: StepName, system: BenchSystem): () => Promise<Measured> {
  switch (step) {
    case 'csv-load':
      return () => system.loadCsv(required(csvFile, 'CSV file'));
    case 'group-by-1m':
      return () => system.groupBy('csv');
    case 'file-to-group-by':
      return () => system.fileToGroupBy(required(csvFile, 'CSV file'));
    case 'arrow-load': {
      // Each system takes its bytes over, so each run gets a fresh copy, made before the clock.
      const copy = required(arrowIpc, 'Arrow stream').slice();
      return () => system.loadArrow(copy);
    }
    case 'group-by-10m':
      return () => system.groupBy('big');
    case 'filter-top-10m':
      return () => system.filterTop();
  }
}

const page: BenchPage = {
  async start() {
    const duckdb = await duckdbSystem();
    systems = { ours: await oursSystem(), duckdb: duckdb.system, arquero: arqueroSystem() };
    return {
      userAgent: navigator.userAgent,
      duckdbVersion: duckdb.version,
      hardwareConcurrency: navigator.hardwareConcurrency,
    };
  },

  async makeCsv(rows) {
    // Work run straight from the driver's evaluate call is not a page task and would go unseen.
    await pause(0);
    const started = performance.now();
    csvFile = benchCsv(rows);
    const generatedMs = performance.now() - started;
    return { rows, bytes: csvFile.size, generatedMs, ...(await tasksSince(started)) };
  },

  async makeArrow(rows) {
    const all = required(systems, 'systems');
    await Promise.all(Object.values(all).map((system) => system.forgetCsv()));
    csvFile = undefined;
    await pause(0);
    const started = performance.now();
    arrowIpc = benchArrowIpc(rows);
    const generatedMs = performance.now() - started;
    return { rows, bytes: arrowIpc.byteLength, generatedMs, ...(await tasksSince(started)) };
  },

  async run(step, name): Promise<StepTiming> {
    const system = required(systems, 'systems')[name];
    await system.prepare(step);
    const work = start(step, system);
    // A task of its own for the timed work, so long tasks of the preparation are not counted.
    await pause(0);
    const started = performance.now();
    const measured = await work();
    const ended = performance.now();
    await pause(SETTLE_MS);
    const during = longTasks.filter(
      (task) => task.startTime < ended && task.startTime + task.duration > started,
    );
    return {
      ms: measured.ms,
      answer: measured.answer,
      longTasks: during.length,
      longestTaskMs: Math.max(0, ...during.map((task) => task.duration)),
    };
  },
};

window.enclaveBench = page;

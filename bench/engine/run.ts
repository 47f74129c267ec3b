/**
 * The engine benchmark (`npm run bench:engine`): our engine against DuckDB-wasm and Arquero in
 * one headless Chromium run, each in its own worker of the same page, on the same generated data.
 * It builds and serves the bench page, lets every system run every step five times (interleaved,
 * so drift hits all alike), prints the medians with ours/peer ratios beside the issue's targets,
 * and writes them to `bench/results/engine.json`. It asserts nothing; see README.md here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import {
  SYSTEMS,
  type StepAnswer,
  type StepName,
  type StepTiming,
  type SystemName,
} from './bench-protocol.ts';
import { serveBenchPage } from './serve-bench-page.ts';

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

const RUNS = positiveInteger(process.env.BENCH_RUNS, 5);
const CSV_ROWS = positiveInteger(process.env.BENCH_CSV_ROWS, 1_000_000);
const BIG_ROWS = positiveInteger(process.env.BENCH_BIG_ROWS, 10_000_000);
/** Rows of the small inputs every step runs on once, untimed, before it is measured. */
const WARM_UP_CSV_ROWS = 50_000;
const WARM_UP_BIG_ROWS = 500_000;
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
/** Only these steps are measured (comma-separated step names); the loads they need still run. */
const ONLY_STEPS = process.env.BENCH_STEPS?.split(',').map((step) => step.trim()) ?? null;
const RESULTS = fileURLToPath(new URL('../results/engine.json', import.meta.url));

/** A long task is by definition over 50 ms: the target is that none happens. */
const LONG_TASK_LIMIT_MS = 50;

type Target =
  | { readonly kind: 'ratio'; readonly max: number }
  | { readonly kind: 'absolute'; readonly maxMs: number };

interface Scenario {
  readonly label: string;
  readonly step: StepName;
  readonly target: Target;
}

const SCENARIOS: readonly Scenario[] = [
  {
    label: '(a) CSV 1M rows → table',
    step: 'csv-load',
    target: { kind: 'ratio', max: 0.5 },
  },
  {
    label: '(b) group-by 1M rows',
    step: 'group-by-1m',
    target: { kind: 'ratio', max: 0.15 },
  },
  {
    label: '(b) group-by 10M rows',
    step: 'group-by-10m',
    target: { kind: 'ratio', max: 0.15 },
  },
  {
    label: '(c) filter + top-100 10M',
    step: 'filter-top-10m',
    target: { kind: 'ratio', max: 0.8 },
  },
  {
    label: '(d) Arrow IPC 10M → table',
    step: 'arrow-load',
    target: { kind: 'absolute', maxMs: 5 },
  },
  {
    label: '(e) CSV drop → group-by',
    step: 'file-to-group-by',
    target: { kind: 'absolute', maxMs: 500 },
  },
];

/** The steps of (a)–(c), whose main-thread long tasks scenario (f) reports. */
const LONG_TASK_STEPS: readonly StepName[] = [
  'csv-load',
  'group-by-1m',
  'group-by-10m',
  'filter-top-10m',
];

/** The order the steps run in: each load before the queries on what it loaded. */
const CSV_STEPS: readonly StepName[] = ['csv-load', 'group-by-1m', 'file-to-group-by'];
const ARROW_STEPS: readonly StepName[] = ['arrow-load', 'group-by-10m', 'filter-top-10m'];

interface Runs {
  readonly ms: number[];
  readonly answers: StepAnswer[];
  longTasks: number;
  longestTaskMs: number;
  error?: string;
}

type Results = Map<StepName, Record<SystemName, Runs>>;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ratio = (ours: number | null, peer: number | null) =>
  ours === null || peer === null || peer === 0 ? null : ours / peer;

const rounded = (value: number | null) => (value === null ? null : Number(value.toFixed(3)));

const formatMs = (ms: number | null) =>
  ms === null ? 'failed' : ms < 10 ? ms.toFixed(2) : ms.toFixed(0);

const formatRatio = (value: number | null) => (value === null ? '–' : `${value.toFixed(2)}×`);

/** Runs `step` `count` times on every system, interleaved, into `results` (unless warming up). */
async function runStep(page: Page, step: StepName, count: number, results?: Results) {
  const runs = Object.fromEntries(
    SYSTEMS.map((system) => [system, { ms: [], answers: [], longTasks: 0, longestTaskMs: 0 }]),
  ) as unknown as Record<SystemName, Runs>;
  results?.set(step, runs);
  for (let run = 1; run <= count; run++) {
    const line: string[] = [];
    for (const system of SYSTEMS) {
      const held = runs[system];
      if (held.error !== undefined) continue;
      try {
        const timing: StepTiming = await page.evaluate(
          ([name, who]) => window.enclaveBench!.run(name, who),
          [step, system] as const,
        );
        held.ms.push(timing.ms);
        held.answers.push(timing.answer);
        held.longTasks += timing.longTasks;
        held.longestTaskMs = Math.max(held.longestTaskMs, timing.longestTaskMs);
        line.push(`${system} ${formatMs(timing.ms)} ms`);
      } catch (error) {
        held.error = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        line.push(`${system} failed: ${held.error}`);
      }
    }
    const label = results ? `${run}/${count}` : 'warm-up';
    console.log(`  ${step} ${label}: ${line.join(', ')}`);
  }
}

function sameNumber(left: number, right: number): boolean {
  if (Number.isNaN(left) && Number.isNaN(right)) return true;
  return Math.abs(left - right) <= 1e-6 * Math.max(1, Math.abs(left), Math.abs(right));
}

/** Why two answers differ, or null when they agree (float sums to a relative 1e-6). */
function disagreement(answer: StepAnswer, reference: StepAnswer): string | null {
  const fields = Object.keys(reference) as (keyof StepAnswer)[];
  for (const field of fields) {
    const mine: unknown = answer[field];
    const theirs: unknown = reference[field];
    const agree =
      typeof mine === 'number' && typeof theirs === 'number'
        ? sameNumber(mine, theirs)
        : mine === theirs;
    if (!agree) return `${String(field)} ${String(mine)} vs ${String(theirs)}`;
  }
  return null;
}

function checkAnswers(results: Results): string[] {
  const problems: string[] = [];
  for (const [step, runs] of results) {
    const reference = runs.duckdb.answers.at(-1);
    if (!reference) continue;
    for (const system of SYSTEMS.filter((name) => name !== 'duckdb')) {
      for (const answer of runs[system].answers) {
        const why = disagreement(answer, reference);
        if (why) {
          problems.push(`${step}: ${system} disagrees with duckdb (${why})`);
          break;
        }
      }
    }
  }
  return problems;
}

interface ResultRow {
  readonly scenario: string;
  readonly ours_ms: number | null;
  readonly duckdb_ms: number | null;
  readonly arquero_ms: number | null;
  readonly [extra: string]: unknown;
}

function verdict(target: Target, ours: number | null, duckdb: number | null): [string, boolean] {
  if (target.kind === 'ratio') {
    const value = ratio(ours, duckdb);
    return [`≤ ${target.max}× duckdb`, value !== null && value <= target.max];
  }
  return [`≤ ${target.maxMs} ms`, ours !== null && ours <= target.maxMs];
}

function summarise(results: Results): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const scenario of SCENARIOS) {
    const runs = results.get(scenario.step);
    if (!runs) continue;
    const medians = Object.fromEntries(
      SYSTEMS.map((system) => [system, runs[system].error ? null : median(runs[system].ms)]),
    ) as Record<SystemName, number | null>;
    const [target, met] = verdict(scenario.target, medians.ours, medians.duckdb);
    const extras: Record<string, unknown> = {};
    for (const system of SYSTEMS) {
      extras[`${system}_runs_ms`] = runs[system].ms.map(rounded);
      extras[`${system}_long_tasks`] = runs[system].longTasks;
      extras[`${system}_longest_long_task_ms`] = runs[system].longestTaskMs;
      if (runs[system].error) extras[`${system}_error`] = runs[system].error;
    }
    rows.push({
      scenario: scenario.label,
      ours_ms: rounded(medians.ours),
      duckdb_ms: rounded(medians.duckdb),
      arquero_ms: rounded(medians.arquero),
      step: scenario.step,
      ours_duckdb: rounded(ratio(medians.ours, medians.duckdb)),
      ours_arquero: rounded(ratio(medians.ours, medians.arquero)),
      target,
      met,
      ...extras,
    });
  }
  const longest = {} as Record<SystemName, number | null>;
  const counts = {} as Record<SystemName, number>;
  for (const system of SYSTEMS) {
    const watched = LONG_TASK_STEPS.flatMap((step) => results.get(step)?.[system] ?? []);
    // Only runs that finished were watched to their end; with none, there is nothing to claim.
    const finished = watched.some((runs) => runs.ms.length > 0);
    longest[system] = finished ? Math.max(0, ...watched.map((runs) => runs.longestTaskMs)) : null;
    counts[system] = watched.reduce((sum, runs) => sum + runs.longTasks, 0);
  }
  rows.push({
    scenario: '(f) longest long task (a)–(c)',
    ours_ms: rounded(longest.ours),
    duckdb_ms: rounded(longest.duckdb),
    arquero_ms: rounded(longest.arquero),
    step: 'long-tasks',
    target: `no long task > ${LONG_TASK_LIMIT_MS} ms`,
    met: longest.ours !== null && counts.ours === 0,
    ours_long_tasks: counts.ours,
    duckdb_long_tasks: counts.duckdb,
    arquero_long_tasks: counts.arquero,
  });
  return rows;
}

function printTable(rows: readonly ResultRow[]): void {
  const header = [
    'scenario',
    'ours ms',
    'duckdb ms',
    'arquero ms',
    'ours/duckdb',
    'ours/arquero',
    'target',
    'result',
  ];
  const body = rows.map((row) => {
    const isLongTasks = row.step === 'long-tasks';
    const cell = (system: SystemName, ms: number | null) =>
      isLongTasks ? `${formatMs(ms)} (${String(row[`${system}_long_tasks`])})` : formatMs(ms);
    return [
      row.scenario,
      cell('ours', row.ours_ms),
      cell('duckdb', row.duckdb_ms),
      cell('arquero', row.arquero_ms),
      isLongTasks ? '' : formatRatio(row.ours_duckdb as number | null),
      isLongTasks ? '' : formatRatio(row.ours_arquero as number | null),
      String(row.target),
      row.met ? 'MET' : 'MISSED',
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]!.length)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cells of body) console.log(format(cells));
  console.log(
    `Medians of ${RUNS} runs. (f) shows the longest main-thread long task in ms (and how many) ` +
      'during (a)–(c); 0 means none.',
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const served = await serveBenchPage();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`page console: ${message.text()}`);
    });
    await page.goto(served.url);
    await page.waitForFunction(() => window.enclaveBench !== undefined);
    const info = await page.evaluate(() => window.enclaveBench!.start());
    console.log(
      `engine bench: ${info.userAgent}, ${info.hardwareConcurrency} cores, ` +
        `DuckDB-wasm ${info.duckdbVersion} (EH bundle), ${RUNS} runs per step`,
    );

    const makeCsv = async (rows: number) => {
      const made = await page.evaluate((count) => window.enclaveBench!.makeCsv(count), rows);
      console.log(
        `CSV: ${made.rows} rows, ${(made.bytes / 1e6).toFixed(1)} MB, made in ` +
          `${formatMs(made.generatedMs)} ms on the main thread (${made.longTasksWhileMaking} long tasks seen)`,
      );
    };
    const makeArrow = async (rows: number) => {
      const made = await page.evaluate((count) => window.enclaveBench!.makeArrow(count), rows);
      console.log(
        `Arrow IPC: ${made.rows} rows, ${(made.bytes / 1e6).toFixed(1)} MB, made in ` +
          `${formatMs(made.generatedMs)} ms on the main thread (${made.longTasksWhileMaking} long tasks seen)`,
      );
    };

    // One untimed pass over small inputs first, so that no system's first measured run pays
    // for compiling its code (JIT, WebAssembly tier-up) and the medians compare steady states.
    await makeCsv(WARM_UP_CSV_ROWS);
    for (const step of CSV_STEPS) await runStep(page, step, 1);
    await makeArrow(WARM_UP_BIG_ROWS);
    for (const step of ARROW_STEPS) await runStep(page, step, 1);

    const results: Results = new Map();
    const measured = (step: StepName) => ONLY_STEPS === null || ONLY_STEPS.includes(step);
    // A step left out still runs once, unmeasured, when a measured one needs what it loads.
    const runSteps = async (steps: readonly StepName[]) => {
      for (const step of steps) {
        if (measured(step)) await runStep(page, step, RUNS, results);
        else await runStep(page, step, 1);
      }
    };
    if (CSV_STEPS.some(measured)) {
      await makeCsv(CSV_ROWS);
      await runSteps(CSV_STEPS);
    }
    if (ARROW_STEPS.some(measured)) {
      await makeArrow(BIG_ROWS);
      await runSteps(ARROW_STEPS);
    }

    const rows = summarise(results);
    console.log('');
    printTable(rows);
    const problems = checkAnswers(results);
    console.log(
      problems.length === 0
        ? 'Answers: every system agrees with DuckDB on every step.'
        : `Answers differ:\n  ${problems.join('\n  ')}`,
    );
    await mkdir(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(
      `Wrote ${RESULTS} (${((performance.now() - started) / 1000).toFixed(0)} s in all).`,
    );
  } finally {
    await browser.close();
    await served.close();
  }
}

await main();

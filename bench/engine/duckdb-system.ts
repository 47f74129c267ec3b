/**
 * DuckDB-wasm in the bench: its browser EH bundle (single-threaded, like our one worker), served
 * from this build (no CDN), in its own worker through `AsyncDuckDB`. Each step is the path a
 * DuckDB-wasm app takes: a dropped file is registered as a browser file handle and read with
 * `CREATE TABLE … AS SELECT * FROM read_csv(…)`; Arrow bytes go in with
 * `insertArrowFromIPCStream` (transferred); queries come back as Arrow tables that DuckDB's
 * client decodes on the main thread.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import duckdbWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import duckdbWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import type { StepName } from './bench-protocol.ts';
import {
  FILTER_BELOW,
  TOP_K,
  groupAnswer,
  measure,
  topAnswer,
  type BenchSystem,
  type GroupRow,
} from './bench-system.ts';

type ArrowResult = Awaited<ReturnType<duckdb.AsyncDuckDBConnection['query']>>;

const groupSql = (table: string) =>
  `SELECT cat, sum(a) AS sum_a, avg(a) AS mean_a, count(*) AS count FROM ${table} ` +
  `GROUP BY cat ORDER BY cat`;

const TOP_SQL = `SELECT * FROM big WHERE b < ${FILTER_BELOW} ORDER BY a DESC LIMIT ${TOP_K}`;

function column(result: ArrowResult, name: string) {
  const vector = result.getChild(name);
  if (!vector) throw new Error(`DuckDB's answer has no column "${name}".`);
  return vector;
}

function groupRows(result: ArrowResult): GroupRow[] {
  const [cat, sum, mean, count] = ['cat', 'sum_a', 'mean_a', 'count'].map((name) =>
    column(result, name),
  );
  return Array.from({ length: result.numRows }, (_, row) => ({
    cat: String(cat!.get(row)),
    sum_a: Number(sum!.get(row)),
    mean_a: Number(mean!.get(row)),
    count: Number(count!.get(row)),
  }));
}

/**
 * Starts DuckDB-wasm in its worker and wraps it for the bench, with the DuckDB version.
 *
 * @example
 * const { system, version } = await duckdbSystem();
 * const { ms } = await system.loadCsv(file);
 */
export async function duckdbSystem(): Promise<{ system: BenchSystem; version: string }> {
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(duckdbWorkerUrl));
  await db.instantiate(duckdbWasmUrl);
  await db.open({ query: { castBigIntToDouble: true } });
  const conn = await db.connect();
  const version = await db.getVersion();
  let files = 0;
  /** File names registered by earlier runs, dropped before the next run. */
  const registered: string[] = [];

  async function loadCsvAs(table: string, file: File): Promise<void> {
    files += 1;
    const name = `bench-${files}.csv`;
    registered.push(name);
    await db.registerFileHandle(name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
    await conn.query(`CREATE TABLE ${table} AS SELECT * FROM read_csv('${name}')`);
  }

  async function rowCount(table: string): Promise<number> {
    const result = await conn.query(`SELECT count(*) AS n FROM ${table}`);
    return Number(column(result, 'n').get(0));
  }

  const system: BenchSystem = {
    async prepare(step: StepName) {
      await Promise.all(registered.splice(0).map((name) => db.dropFile(name)));
      if (step === 'csv-load') await conn.query('DROP TABLE IF EXISTS csv');
      if (step === 'file-to-group-by') await conn.query('DROP TABLE IF EXISTS dropped');
      if (step === 'arrow-load') await conn.query('DROP TABLE IF EXISTS big');
    },
    loadCsv: (file) =>
      measure(
        () => loadCsvAs('csv', file),
        async () => ({ kind: 'load', rows: await rowCount('csv') }),
      ),
    fileToGroupBy: (file) =>
      measure(
        async () => {
          await loadCsvAs('dropped', file);
          return conn.query(groupSql('dropped'));
        },
        (result) => groupAnswer(groupRows(result)),
      ),
    loadArrow: (ipc) =>
      measure(
        () => conn.insertArrowFromIPCStream(ipc, { name: 'big', create: true }),
        async () => ({ kind: 'load', rows: await rowCount('big') }),
      ),
    groupBy: (table) =>
      measure(
        () => conn.query(groupSql(table)),
        (result) => groupAnswer(groupRows(result)),
      ),
    filterTop: () =>
      measure(
        () => conn.query(TOP_SQL),
        (result) => {
          const a = column(result, 'a');
          return topAnswer(Array.from({ length: result.numRows }, (_, row) => Number(a.get(row))));
        },
      ),
    async forgetCsv() {
      await Promise.all(registered.splice(0).map((name) => db.dropFile(name)));
      await conn.query('DROP TABLE IF EXISTS csv');
      await conn.query('DROP TABLE IF EXISTS dropped');
    },
  };
  return { system, version };
}

/**
 * Our engine in the bench, run exactly as the app runs it: `engine-worker.ts` in a module Worker,
 * driven through `connectEngine`, its Arrow answers decoded on the main thread by the app's own
 * `decodeArrow`. A file is handed over as the `File` itself (the worker reads it in chunks);
 * Arrow bytes are transferred.
 */
import engineWorkerUrl from '../../workers/engine/engine-worker.ts?worker&url';
import { decodeArrow } from '../../src/engine/decode-arrow.ts';
import { valueAt, type ColumnTable } from '../../workers/engine/columns/column-data.ts';
import { connectEngine, type EngineConnection } from '../../workers/engine/comlink/index.ts';
import type { GroupBySpec, QuerySpec, TableInfo } from '../../workers/engine/protocol.ts';
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

const GROUP_SPEC: GroupBySpec = {
  keys: ['cat'],
  aggregates: [
    { op: 'sum', column: 'a', as: 'sum_a' },
    { op: 'mean', column: 'a', as: 'mean_a' },
    { op: 'count', as: 'count' },
  ],
};

const TOP_SPEC: QuerySpec = {
  filter: { op: 'lt', column: 'b', value: FILTER_BELOW },
  sort: [{ column: 'a', direction: 'desc' }],
  limit: TOP_K,
};

function columnOf(table: ColumnTable, name: string) {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`The engine's answer has no column "${name}".`);
  return column.data;
}

function groupRows(table: ColumnTable): GroupRow[] {
  const [cat, sum, mean, count] = ['cat', 'sum_a', 'mean_a', 'count'].map((name) =>
    columnOf(table, name),
  );
  return Array.from({ length: table.length }, (_, row) => ({
    cat: String(valueAt(cat!, row)),
    sum_a: Number(valueAt(sum!, row)),
    mean_a: Number(valueAt(mean!, row)),
    count: Number(valueAt(count!, row)),
  }));
}

/**
 * Starts our engine worker and wraps it for the bench.
 *
 * @example
 * const ours = await oursSystem();
 * const { ms } = await ours.loadCsv(file);
 */
export async function oursSystem(): Promise<BenchSystem> {
  const engine: EngineConnection = connectEngine(
    new Worker(engineWorkerUrl, { type: 'module', name: 'enclave-engine' }),
  );
  let jobs = 0;
  let csvTable: string | undefined;
  let bigTable: string | undefined;
  /** Results of earlier runs (group tables, views), dropped before the next run. */
  const leftovers: string[] = [];

  async function open(source: Parameters<EngineConnection['open']>[0]): Promise<TableInfo> {
    jobs += 1;
    // The app always listens to progress; so does the bench, so its cost is counted.
    return engine.open(source, { jobId: `bench-${jobs}` }, () => undefined);
  }

  async function groupByAnswer(tableId: string): Promise<ColumnTable> {
    const grouped = await engine.groupBy(tableId, GROUP_SPEC);
    leftovers.push(grouped.tableId);
    return decodeArrow(await engine.rows(grouped.tableId, 0, grouped.rowCount));
  }

  async function drop(id: string | undefined): Promise<void> {
    if (id !== undefined) await engine.drop(id);
  }

  return {
    async prepare(step: StepName) {
      await Promise.all(leftovers.splice(0).map((id) => engine.drop(id)));
      if (step === 'csv-load') {
        await drop(csvTable);
        csvTable = undefined;
      }
      if (step === 'arrow-load') {
        await drop(bigTable);
        bigTable = undefined;
      }
    },
    loadCsv: (file) =>
      measure(
        () => open({ kind: 'file', file, name: file.name }),
        (info) => {
          csvTable = info.tableId;
          return { kind: 'load', rows: info.rowCount };
        },
      ),
    fileToGroupBy: (file) =>
      measure(
        async () => {
          const info = await open({ kind: 'file', file, name: file.name });
          leftovers.push(info.tableId);
          return groupByAnswer(info.tableId);
        },
        (table) => groupAnswer(groupRows(table)),
      ),
    loadArrow: (ipc) =>
      measure(
        () => {
          // Transferring hands the whole buffer over: make sure it holds only the stream.
          const bytes =
            ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength
              ? (ipc.buffer as ArrayBuffer)
              : ipc.slice().buffer;
          return open({ kind: 'bytes', bytes, name: 'bench.arrow' });
        },
        (info) => {
          bigTable = info.tableId;
          return { kind: 'load', rows: info.rowCount };
        },
      ),
    groupBy: (table) => {
      const tableId = table === 'csv' ? csvTable : bigTable;
      if (tableId === undefined) throw new Error(`Our engine holds no ${table} table.`);
      return measure(
        () => groupByAnswer(tableId),
        (answer) => groupAnswer(groupRows(answer)),
      );
    },
    filterTop: () => {
      const tableId = bigTable;
      if (tableId === undefined) throw new Error('Our engine holds no big table.');
      return measure(
        async () => {
          const view = await engine.query(tableId, TOP_SPEC);
          leftovers.push(view.viewId);
          return decodeArrow(await engine.rows(view.viewId, 0, view.rowCount));
        },
        (answer) => {
          const a = columnOf(answer, 'a');
          return topAnswer(
            Array.from({ length: answer.length }, (_, row) => Number(valueAt(a, row))),
          );
        },
      );
    },
    async forgetCsv() {
      await Promise.all(leftovers.splice(0).map((id) => engine.drop(id)));
      await drop(csvTable);
      csvTable = undefined;
    },
  };
}

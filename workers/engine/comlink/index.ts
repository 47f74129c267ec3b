/**
 * The one module that imports comlink: it exposes the engine in its worker and connects the page
 * to it. comlink is for our own workers only and never reaches a plugin (its protocol lets the
 * other side set properties by path).
 *
 * What this adds to comlink:
 * - Only the methods of `EngineApi` are exposed, each through a wrapper, so no other property of
 *   the engine object can be read or set from the page.
 * - `EngineError`s cross as plain data and are rebuilt on the page with their `code` and place
 *   (comlink would keep only the message). Other errors become `internal`, or `too_large` when an
 *   allocation failed.
 * - Arrow bytes in a result, and bytes handed to `open` or `appendColumns`, are transferred, never
 *   copied.
 */
import * as Comlink from 'comlink';
import { EngineError } from '../engine-error.ts';
import type {
  ArrowBytes,
  EngineApi,
  EngineErrorData,
  OpenOptions,
  OpenSource,
  ProgressListener,
  TableInfo,
} from '../protocol.ts';

const ENGINE_METHODS = [
  'open',
  'cancel',
  'query',
  'groupBy',
  'rows',
  'stats',
  'chart',
  'exportArrow',
  'appendColumns',
  'drop',
] as const satisfies readonly (keyof EngineApi)[];

type EngineMethod = (typeof ENGINE_METHODS)[number];

const ERROR_KEY = 'enclaveEngineError';

interface MarshalledError {
  readonly [ERROR_KEY]: EngineErrorData;
}

function isMarshalledError(value: unknown): value is MarshalledError {
  return typeof value === 'object' && value !== null && ERROR_KEY in value;
}

/** The error as data the page rebuilds; what is not an `EngineError` says only what happened. */
function marshal(error: unknown): MarshalledError {
  if (error instanceof EngineError) return { [ERROR_KEY]: error.toData() };
  if (
    error instanceof RangeError &&
    /allocation|memory|Invalid array length/i.test(error.message)
  ) {
    return {
      [ERROR_KEY]: {
        code: 'too_large',
        message: 'The data does not fit in the memory this browser gives the page.',
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { [ERROR_KEY]: { code: 'internal', message: `The data engine failed: ${message}` } };
}

/** A function argument can only be a comlink proxy: functions do not survive structured clone. */
function isRemoteFunction(value: unknown): value is Comlink.Remote<() => void> {
  return typeof value === 'function';
}

function isArrowBytes(value: unknown): value is ArrowBytes {
  return typeof value === 'object' && value !== null && 'ipc' in value && 'rows' in value;
}

/** Where the engine is served and reached: the worker's global scope, a worker, or a port. */
export type EngineEndpoint = Comlink.Endpoint;

/**
 * Serves `engine` to the page that started this worker (or on `endpoint`).
 *
 * @example
 * // workers/engine/engine-worker.ts
 * exposeEngine(createEngine());
 */
export function exposeEngine(engine: EngineApi, endpoint?: EngineEndpoint): void {
  const exposed: Record<string, (...args: never[]) => Promise<unknown>> = Object.create(null);
  for (const name of ENGINE_METHODS) {
    const method = engine[name] as (...args: unknown[]) => Promise<unknown>;
    exposed[name] = async (...args: unknown[]) => {
      try {
        const result = await method.apply(engine, args);
        return isArrowBytes(result) ? Comlink.transfer(result, [result.ipc.buffer]) : result;
      } catch (error) {
        throw marshal(error);
      } finally {
        // A progress listener is a proxy to the page; let the page's side of it go.
        for (const arg of args) if (isRemoteFunction(arg)) arg[Comlink.releaseProxy]();
      }
    };
  }
  Comlink.expose(Object.freeze(exposed), endpoint);
}

/** The engine as the page sees it: `EngineApi`, plus ending the worker. */
export interface EngineConnection extends EngineApi {
  /** Ends the worker; every table it held is gone. */
  terminate(): void;
}

/**
 * Connects the page to an engine worker (or to an engine served on a port).
 *
 * @example
 * const engine = connectEngine(new Worker(url, { type: 'module' }));
 * const table = await engine.open({ kind: 'file', file, name: file.name }, { jobId });
 */
export function connectEngine(worker: Worker | EngineEndpoint): EngineConnection {
  const remote =
    Comlink.wrap<Record<EngineMethod, (...args: unknown[]) => Promise<unknown>>>(worker);
  const call = async <Result>(name: EngineMethod, ...args: unknown[]): Promise<Result> => {
    try {
      return (await remote[name](...args)) as Result;
    } catch (error) {
      if (isMarshalledError(error)) throw new EngineError(error[ERROR_KEY]);
      throw error;
    }
  };
  return {
    async open(source: OpenSource, options: OpenOptions, onProgress?: ProgressListener) {
      const sent = source.kind === 'bytes' ? Comlink.transfer(source, [source.bytes]) : source;
      const listener = onProgress ? Comlink.proxy(onProgress) : undefined;
      return call<TableInfo>('open', sent, options, listener);
    },
    cancel: (jobId) => call('cancel', jobId),
    query: (sourceId, spec) => call('query', sourceId, spec),
    groupBy: (sourceId, spec) => call('groupBy', sourceId, spec),
    rows: (sourceId, offset, limit, columns) => call('rows', sourceId, offset, limit, columns),
    stats: (sourceId, columns, options) => call('stats', sourceId, columns, options),
    chart: (sourceId, query) => call('chart', sourceId, query),
    exportArrow: (sourceId) => call('exportArrow', sourceId),
    appendColumns: (tableId, ipc, options) =>
      call('appendColumns', tableId, Comlink.transfer(ipc, [ipc]), options),
    drop: (id) => call('drop', id),
    terminate: () => {
      remote[Comlink.releaseProxy]();
      if ('terminate' in worker) worker.terminate();
    },
  };
}

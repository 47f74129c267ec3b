/**
 * `connect()`: the plugin's side of the wire protocol, run in the plugin's dedicated Worker. It
 * numbers calls, matches results and errors to them by id, answers the host's heartbeats at
 * once (a plugin that stops answering is terminated, so this must not wait on plugin code), and
 * hands events to listeners. Every inbound message is validated first; malformed ones are
 * dropped, never thrown on.
 */
import { parseToWorkerMessage } from '../runtime/index.ts';
import { joinPages } from './arrow.ts';
import { PluginError } from './plugin-error.ts';
import type {
  ArrowPayload,
  FromWorkerMessage,
  MethodMap,
  MethodName,
  SessionInfo,
  ToWorkerMessage,
  UiEvent,
  ViewNode,
} from './protocol.ts';

/** What the SDK talks through: the worker's global scope, or a `MessagePort` in tests. */
export interface PluginEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

export interface ConnectOptions {
  /** Where messages go and come from; the worker's own scope (`self`) by default. */
  readonly endpoint?: PluginEndpoint;
  /** How long `connect()` waits for the session info, in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
}

/** The host's API as the plugin sees it. Each call needs the permission its doc names. */
export interface PluginHost {
  /** The launch: plugin and instance ids, granted permissions, the table and its columns. */
  readonly session: SessionInfo;
  readonly data: {
    /** `data:read`: the named columns (only those handed to the plugin) as Arrow IPC bytes. */
    read(
      columns: readonly string[],
      options?: { offset?: number; limit?: number },
    ): Promise<ArrowPayload>;
    /**
     * `data:write`: result columns joined to the launch table (`columns`) or a new table
     * (`table`). The bytes are transferred: an `ArrayBuffer` (or a `Uint8Array` spanning its
     * whole buffer) is detached afterwards; a partial view is copied.
     */
    write(
      table: ArrayBuffer | Uint8Array,
      options: { mode: 'columns' | 'table'; name?: string },
    ): Promise<{ columns: string[]; rows: number; tableName?: string }>;
  };
  readonly selection: {
    /** `selection:read`: the selected row indexes. */
    get(): Promise<number[]>;
    /** `selection:read`: calls `listener` on every change; resolves to an unsubscribe. */
    onChange(listener: (rows: number[]) => void): Promise<() => void>;
  };
  readonly ui: {
    /** `ui:panel`: replaces the panel's content with `view`. */
    render(view: ViewNode): Promise<void>;
    /** `ui:panel`: shows sanitised SVG markup as the panel's content. */
    svg(markup: string): Promise<void>;
    /** `ui:panel`: the canvas of the rendered `canvas` node `id`, once per node. */
    canvas(id: string, width: number, height: number): Promise<OffscreenCanvas>;
    /** `ui:panel`: the panel's title (≤ 80 characters). */
    setTitle(title: string): Promise<void>;
    /** `ui:panel`: the panel's height in CSS pixels (80–2000). */
    setHeight(px: number): Promise<void>;
    /** Clicks, changes and canvas pointer events; returns an unsubscribe. */
    onEvent(listener: (event: UiEvent) => void): () => void;
  };
  readonly storage: {
    /** `storage:own`: a value of this plugin's private store, or null. */
    get(key: string): Promise<string | null>;
    /** `storage:own`: stores `value` (null deletes). */
    set(key: string, value: string | null): Promise<void>;
  };
  /** The host is about to tear the plugin down; `reason` says why. Returns an unsubscribe. */
  onShutdown(listener: (reason: string) => void): () => void;
}

interface PendingCall {
  readonly method: MethodName;
  resolve(result: unknown): void;
  reject(error: PluginError): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Calls each listener, keeping one that throws from starving the others or the plugin. */
function notify<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch (error) {
      console.error('An Enclave SDK listener threw:', error);
    }
  }
}

/** Rows the host answers per `data.read` at most; longer reads are made page by page. */
export const READ_PAGE_ROWS = 100_000;

/** The bytes of `table` as an ArrayBuffer of their own, ready to transfer. */
function transferableBytes(table: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (table instanceof ArrayBuffer) return table;
  const { buffer } = table;
  if (
    buffer instanceof ArrayBuffer &&
    table.byteOffset === 0 &&
    table.byteLength === buffer.byteLength
  ) {
    return buffer;
  }
  return table.slice().buffer as ArrayBuffer;
}

function subscribe<T>(listeners: Set<T>, listener: T): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/**
 * Connects to the host: starts listening, fetches the session info and resolves to the host's
 * API. Rejects with a `PluginError` when the host refuses or does not answer in time.
 *
 * @example
 * const host = await connect();
 * const { ipc } = await host.data.read([host.session.table.columns[0].name]);
 * await host.ui.render({ type: 'text', text: `${readColumns({ ipc, rows: 0 })}` });
 */
export async function connect(options: ConnectOptions = {}): Promise<PluginHost> {
  const endpoint = options.endpoint ?? (globalThis as unknown as PluginEndpoint);
  const pending = new Map<number, PendingCall>();
  const uiListeners = new Set<(event: UiEvent) => void>();
  const selectionListeners = new Set<(rows: number[]) => void>();
  const shutdownListeners = new Set<(reason: string) => void>();
  let nextId = 1;
  let selectionSubscription: Promise<unknown> | null = null;

  function post(message: FromWorkerMessage, transfer: Transferable[] = []): void {
    endpoint.postMessage(message, transfer);
  }

  function call<M extends MethodName>(
    method: M,
    params: MethodMap[M]['params'],
    transfer: Transferable[] = [],
  ): Promise<MethodMap[M]['result']> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject });
      try {
        post({ kind: 'call', id, method, params } as FromWorkerMessage, transfer);
      } catch (error) {
        pending.delete(id);
        reject(
          new PluginError('invalid_params', `${method}: the call could not be sent`, {
            cause: error,
          }),
        );
      }
    });
  }

  function receive(message: ToWorkerMessage): void {
    switch (message.kind) {
      case 'ping':
        post({ kind: 'pong', seq: message.seq });
        return;
      case 'result': {
        const call = pending.get(message.id);
        pending.delete(message.id);
        call?.resolve(message.result);
        return;
      }
      case 'error': {
        if (message.id === null) return;
        const call = pending.get(message.id);
        pending.delete(message.id);
        call?.reject(PluginError.fromProtocol(message.error));
        return;
      }
      case 'event':
        if (message.event === 'selection') notify(selectionListeners, [...message.rows]);
        else if (message.event === 'shutdown') notify(shutdownListeners, message.reason);
        else notify(uiListeners, message);
        return;
    }
  }

  const onMessage = (event: MessageEvent): void => {
    const message = parseToWorkerMessage(event.data, (id) => pending.get(id)?.method);
    if (message) receive(message);
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PluginError('failed', `The host did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  let session: SessionInfo;
  try {
    session = await Promise.race([call('session.info', {}), timeout]);
  } catch (error) {
    endpoint.removeEventListener('message', onMessage);
    pending.clear();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  const ok = async <M extends MethodName>(method: M, params: MethodMap[M]['params']) => {
    await call(method, params);
  };

  return {
    session,
    data: {
      read: async (columns, { offset, limit } = {}) => {
        const start = offset ?? 0;
        const wanted = limit ?? Math.max(0, session.table.rowCount - start);
        if (wanted <= READ_PAGE_ROWS) {
          return call('data.read', { columns: [...columns], offset, limit });
        }
        const pages: ArrowPayload[] = [];
        for (let from = start; from < start + wanted; from += READ_PAGE_ROWS) {
          const pageRows = Math.min(READ_PAGE_ROWS, start + wanted - from);
          const page = await call('data.read', {
            columns: [...columns],
            offset: from,
            limit: pageRows,
          });
          pages.push(page);
          if (page.rows < pageRows) break;
        }
        return joinPages(pages);
      },
      write: async (table, { mode, name }) => {
        const ipc = transferableBytes(table);
        const result = await call('data.write', { mode, ipc, name }, [ipc]);
        return { ...result, columns: [...result.columns] };
      },
    },
    selection: {
      get: async () => [...(await call('selection.get', {})).rows],
      onChange: async (listener) => {
        selectionSubscription ??= call('selection.subscribe', {}).catch((error: unknown) => {
          selectionSubscription = null;
          throw error;
        });
        await selectionSubscription;
        return subscribe(selectionListeners, listener);
      },
    },
    ui: {
      render: (view) => ok('ui.render', { view }),
      svg: (markup) => ok('ui.svg', { markup }),
      canvas: async (id, width, height) => (await call('ui.canvas', { id, width, height })).canvas,
      setTitle: (title) => ok('ui.setTitle', { title }),
      setHeight: (height) => ok('ui.setHeight', { height }),
      onEvent: (listener) => subscribe(uiListeners, listener),
    },
    storage: {
      get: async (key) => (await call('storage.get', { key })).value,
      set: (key, value) => ok('storage.set', { key, value }),
    },
    onShutdown: (listener) => subscribe(shutdownListeners, listener),
  };
}

/**
 * The host's end of one plugin instance's port: the only way a plugin reaches anything of the
 * page. Every message is first inspected as plain data (no prototype keys, no exotic objects,
 * within the size limits), then read against its schema; a call must name a method of the
 * allow-list, hold the permission that method needs and, for data, name only the columns the user
 * handed the plugin. Before every read or write of the user's data the server is asked (through
 * `report`) and the call is refused with `blocked` — and the plugin torn down — once an admin's
 * policy blocks it. A plugin that floods the port, keeps too many calls open, stops answering
 * heartbeats or crashes is terminated, and `onTerminate` says why in plain words. That the plugin
 * started (`ready`) and what its frame's CSP blocked (`egress_blocked`) are reported to the
 * server as client events, capped per instance; they are records, the server decides nothing on
 * them.
 *
 * Pure: no React and no DOM beyond the MessagePort; what the calls do is injected as handlers.
 * Nothing a plugin sends is ever used as a property name on a host object: open calls are kept
 * in a `Map` by number, and storage keys are handed to the storage handler as values.
 */
import type {
  ArrowPayload,
  CspDirective,
  ErrorCode,
  HostMethodName,
  HostToPluginMessage,
  MethodMap,
  PluginPermission,
  SessionInfo,
} from '../../../sdk/src/protocol.ts';
import {
  SELECTION_MAX_ROWS,
  STORAGE_KEY_MAX_LENGTH,
  STORAGE_VALUE_MAX_LENGTH,
  hostMethodParams,
  isHostMethod,
  readEnvelope,
  salvageCallId,
} from './message-schemas.ts';
import { inspectPlainData } from './plain-data.ts';
import { PluginCallError } from './plugin-call-error.ts';

/** What the server's events route records for a plugin instance. */
export type PluginEventAction =
  | 'plugin.started'
  | 'plugin.data_read'
  | 'plugin.data_write'
  | 'plugin.denied'
  | 'plugin.egress_blocked'
  | 'plugin.terminated'
  | 'plugin.storage_write'
  | 'plugin.selection_read';

export interface PluginEvent {
  readonly action: PluginEventAction;
  readonly columns?: readonly string[];
  readonly rows?: number;
  /** At most 500 characters. */
  readonly detail?: string;
  /** `plugin.egress_blocked` only. */
  readonly directive?: CspDirective;
  /** `plugin.egress_blocked` only: origin and path, ≤ 300 characters, or a CSP keyword. */
  readonly blockedUri?: string;
}

/** The server's word on an instance; anything but `active` ends it. */
export interface PluginInstanceState {
  readonly state: 'active' | 'blocked' | 'ended';
  readonly reason: string | null;
}

/** A checked result, not yet joined to the user's data: `commit` does that. */
export interface PreparedWrite {
  readonly columns: readonly string[];
  readonly rows: number;
  commit(): Promise<MethodMap['data.write']['result']>;
  /** Forgets the checked result when it may not be committed. */
  discard(): void;
}

/** What the calls do. A handler throws `PluginCallError` to tell the plugin why it failed. */
export interface PluginBrokerHandlers {
  /** The granted columns' rows `offset .. offset + limit` as Arrow IPC. */
  readColumns(
    columns: readonly string[],
    window: { readonly offset: number; readonly limit: number },
  ): Promise<ArrowPayload>;
  /** Checks a result (schema, row count) without changing anything yet. */
  prepareWrite(params: MethodMap['data.write']['params']): Promise<PreparedWrite>;
  storageGet(key: string): Promise<string | null>;
  storageSet(key: string, value: string | null): Promise<void>;
  /** The selected rows of the launch table now. */
  selection(): readonly number[];
  setTitle(title: string): void;
  setHeight(height: number): void;
}

/** Why the host stopped a plugin; `message` completes "<plugin> was stopped: …". */
export interface PluginTermination {
  readonly code:
    'unresponsive' | 'flood' | 'crashed' | 'did_not_start' | 'blocked' | 'navigated' | 'ended';
  readonly message: string;
}

export interface BrokerLimits {
  /** Everything but ArrayBuffers, as a structured-clone estimate. */
  readonly maxMessageBytes: number;
  /** The `ipc` of one `data.write`. */
  readonly maxResultBytes: number;
  readonly maxDepth: number;
  /** More messages than this within `floodWindowMs` terminates the plugin. */
  readonly maxMessagesPerWindow: number;
  readonly floodWindowMs: number;
  /** More calls open at once than this terminates the plugin. */
  readonly maxOpenCalls: number;
  readonly pingIntervalMs: number;
  /** A ping unanswered this long terminates the plugin. */
  readonly pongTimeoutMs: number;
  /** No `ready` this long after the handshake terminates the plugin. */
  readonly startTimeoutMs: number;
  /** Rows one `data.read` answers at most (the engine's page); more is `too_large`. */
  readonly maxReadRows: number;
  /** Denials reported to the server per instance; past this they are only answered. */
  readonly maxDeniedReports: number;
  /** Blocked-egress reports sent to the server per instance; past this they are dropped. */
  readonly maxEgressReports: number;
}

export const DEFAULT_BROKER_LIMITS: BrokerLimits = {
  maxMessageBytes: 1024 * 1024,
  maxResultBytes: 256 * 1024 * 1024,
  maxDepth: 32,
  maxMessagesPerWindow: 200,
  floodWindowMs: 1000,
  maxOpenCalls: 20,
  pingIntervalMs: 2000,
  pongTimeoutMs: 6000,
  startTimeoutMs: 30_000,
  maxDeniedReports: 50,
  maxEgressReports: 20,
  maxReadRows: 100_000,
};

export interface PluginBrokerOptions {
  /** The host's end of the channel handed to the frame in the handshake. */
  readonly port: MessagePort;
  /** What `session.info` answers: the granted permissions and only the granted columns. */
  readonly session: SessionInfo;
  readonly handlers: PluginBrokerHandlers;
  /** Records an event on the server and answers the instance's state (the policy check). */
  readonly report: (event: PluginEvent) => Promise<PluginInstanceState>;
  /** Called once when the broker terminates the plugin (not when `close` is called). */
  readonly onTerminate: (termination: PluginTermination) => void;
  readonly limits?: Partial<BrokerLimits>;
}

export interface PluginBroker {
  readonly status: () => 'running' | 'terminated' | 'closed';
  /** Sends the selection to a plugin that subscribed to it. */
  notifySelection(rows: readonly number[]): void;
  /** Stops the plugin for a reason the host found (its frame navigated, the server ended it). */
  terminate(termination: PluginTermination): void;
  /** The user closed the plugin: tell it, then close the port. */
  close(reason: string): void;
}

const requiredPermission: { readonly [M in HostMethodName]: PluginPermission | null } = {
  'session.info': null,
  'data.read': 'data:read',
  'data.write': 'data:write',
  'selection.get': 'selection:read',
  'selection.subscribe': 'selection:read',
  'ui.setTitle': 'ui:panel',
  'ui.setHeight': 'ui:panel',
  'storage.get': 'storage:own',
  'storage.set': 'storage:own',
};

class CallRefused extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Ends the plugin once the refusal is sent. */
    readonly termination?: PluginTermination,
  ) {
    super(message);
  }
}

/**
 * The termination for a server answer that is not `active`.
 *
 * @example
 * terminationFor({ state: 'blocked', reason: 'Blocked for everyone.' });
 * // { code: 'blocked', message: 'an administrator blocked it', detail: 'Blocked for everyone.' }
 */
export function terminationFor(state: PluginInstanceState): PluginTermination {
  const detail = state.reason ? { detail: state.reason } : {};
  return state.state === 'blocked'
    ? { code: 'blocked', message: 'an administrator blocked it', ...detail }
    : { code: 'ended', message: 'its session ended', ...detail };
}

/**
 * Starts serving a plugin on `port` and returns the handle to stop it.
 *
 * @example
 * const { port1, port2 } = new MessageChannel();
 * const broker = createPluginBroker({ port: port1, session, handlers, report, onTerminate });
 * frame.contentWindow.postMessage(handshake, '*', [port2]);
 */
export function createPluginBroker(options: PluginBrokerOptions): PluginBroker {
  const limits: BrokerLimits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const { port, session, handlers } = options;
  const granted = new Set<PluginPermission>(session.permissions);
  const grantedColumns = new Set(session.table.columns.map((column) => column.name));
  const openCalls = new Set<number>();
  const arrivals: number[] = [];
  let status: 'running' | 'terminated' | 'closed' = 'running';
  let subscribed = false;
  let deniedReports = 0;
  let egressReports = 0;
  let ready = false;
  let pingSeq = 0;
  /** Sent pings not answered yet: seq → when it was sent. */
  const unansweredPings = new Map<number, number>();
  let pingTimer: ReturnType<typeof setInterval> | undefined;

  const startTimer = setTimeout(
    () => terminate({ code: 'did_not_start', message: 'it did not start' }),
    limits.startTimeoutMs,
  );

  function send(message: HostToPluginMessage, transfer: Transferable[] = []) {
    if (status !== 'running') return;
    port.postMessage(message, transfer);
  }

  function stop() {
    clearTimeout(startTimer);
    if (pingTimer !== undefined) clearInterval(pingTimer);
    port.removeEventListener('message', onMessage);
    port.removeEventListener('messageerror', onMessageError);
  }

  function terminate(termination: PluginTermination) {
    if (status !== 'running') return;
    send({ kind: 'event', event: 'shutdown', reason: termination.message });
    status = 'terminated';
    stop();
    port.close();
    options
      .report({ action: 'plugin.terminated', detail: termination.message.slice(0, 500) })
      .catch(() => undefined);
    options.onTerminate(termination);
  }

  function close(reason: string) {
    if (status !== 'running') return;
    send({ kind: 'event', event: 'shutdown', reason });
    status = 'closed';
    stop();
    port.close();
  }

  /** Asks the server; refuses the call with `blocked` (and tears down) unless still active. */
  async function checkWithServer(event: PluginEvent) {
    let answer: PluginInstanceState;
    try {
      answer = await options.report(event);
    } catch {
      throw new CallRefused('failed', 'The host could not check the policy for this call.');
    }
    if (answer.state !== 'active') {
      throw new CallRefused(
        'blocked',
        'An administrator blocked this plugin.',
        terminationFor(answer),
      );
    }
    // Stopped while the server was asked (closed, flooded, blocked by the poll): do nothing.
    if (status !== 'running') throw new CallRefused('failed', 'The plugin was stopped.');
  }

  /** Records an event without waiting; a server answer that is not `active` ends the plugin. */
  function reportInBackground(event: PluginEvent) {
    options
      .report(event)
      .then((answer) => {
        if (answer.state !== 'active') terminate(terminationFor(answer));
      })
      .catch(() => undefined);
  }

  function reportDenial(method: string, code: ErrorCode, message: string) {
    if (deniedReports >= limits.maxDeniedReports) return;
    deniedReports += 1;
    reportInBackground({
      action: 'plugin.denied',
      detail: `${method}: ${code}: ${message}`.slice(0, 500),
    });
  }

  function reportEgress(directive: CspDirective, blockedUri: string) {
    if (egressReports >= limits.maxEgressReports) return;
    egressReports += 1;
    reportInBackground({ action: 'plugin.egress_blocked', directive, blockedUri });
  }

  function refuse(id: number | null, code: ErrorCode, message: string) {
    send({ kind: 'error', id, error: { code, message } });
  }

  function startHeartbeat() {
    if (ready) return;
    ready = true;
    clearTimeout(startTimer);
    reportInBackground({ action: 'plugin.started' });
    pingTimer = setInterval(() => {
      const now = Date.now();
      for (const sentAt of unansweredPings.values()) {
        if (now - sentAt >= limits.pongTimeoutMs) {
          terminate({ code: 'unresponsive', message: 'it stopped answering' });
          return;
        }
      }
      pingSeq += 1;
      unansweredPings.set(pingSeq, now);
      send({ kind: 'ping', seq: pingSeq });
    }, limits.pingIntervalMs);
  }

  function answerPong(seq: number) {
    // A pong answers its ping and every earlier one (they may have crossed).
    for (const sent of [...unansweredPings.keys()]) {
      if (sent <= seq) unansweredPings.delete(sent);
    }
  }

  function floodedNow(): boolean {
    const now = Date.now();
    arrivals.push(now);
    while (arrivals.length > 0 && now - (arrivals[0] as number) >= limits.floodWindowMs) {
      arrivals.shift();
    }
    return arrivals.length > limits.maxMessagesPerWindow;
  }

  function onMessageError() {
    if (status !== 'running') return;
    if (floodedNow()) {
      terminate({ code: 'flood', message: 'it flooded its port' });
      return;
    }
    refuse(null, 'invalid_params', 'The message could not be read.');
  }

  function onMessage(event: MessageEvent) {
    if (status !== 'running') return;
    if (floodedNow()) {
      terminate({ code: 'flood', message: 'it flooded its port' });
      return;
    }
    const data: unknown = event.data;
    const verdict = inspectPlainData(data, {
      maxBytes: limits.maxMessageBytes,
      maxDepth: limits.maxDepth,
    });
    if (!verdict.ok) {
      const id = verdict.problem === 'too_large' ? salvageCallId(data) : null;
      refuse(
        id,
        verdict.problem === 'too_large' ? 'too_large' : 'invalid_params',
        `The message was refused: ${verdict.detail}.`,
      );
      return;
    }
    const message = readEnvelope(data);
    if (!message) {
      refuse(salvageCallId(data), 'invalid_params', 'The message is not one of the protocol.');
      return;
    }
    switch (message.kind) {
      case 'ready':
        startHeartbeat();
        return;
      case 'pong':
        answerPong(message.seq);
        return;
      case 'egress_blocked':
        reportEgress(message.directive, message.blockedUri);
        return;
      case 'crashed':
        terminate({
          code: 'crashed',
          message: `it crashed${message.message ? ` (${message.message.slice(0, 200)})` : ''}`,
        });
        return;
      case 'call':
        if (openCalls.has(message.id)) {
          refuse(message.id, 'invalid_params', `Call ${message.id} is already open.`);
          return;
        }
        if (openCalls.size >= limits.maxOpenCalls) {
          terminate({ code: 'flood', message: 'it kept too many calls open' });
          return;
        }
        openCalls.add(message.id);
        void answer(message.id, message.method, message.params).finally(() =>
          openCalls.delete(message.id),
        );
    }
  }

  async function answer(id: number, method: string, rawParams: unknown) {
    try {
      const result = await dispatch(method, rawParams);
      send({ kind: 'result', id, result: result.value } as HostToPluginMessage, result.transfer);
    } catch (error) {
      if (error instanceof CallRefused) {
        refuse(id, error.code, error.message);
        if (error.termination) terminate(error.termination);
        else if (error.code === 'permission_denied' || error.code === 'column_not_granted') {
          reportDenial(method, error.code, error.message);
        } else if (error.code === 'unknown_method') {
          reportDenial(method.slice(0, 100), error.code, error.message);
        }
      } else if (error instanceof PluginCallError) {
        refuse(id, error.code, error.message);
      } else {
        refuse(id, 'failed', 'The host could not do this.');
      }
    }
  }

  async function dispatch(
    method: string,
    rawParams: unknown,
  ): Promise<{ value: unknown; transfer?: Transferable[] }> {
    if (!isHostMethod(method)) {
      throw new CallRefused('unknown_method', `The host has no method "${method.slice(0, 100)}".`);
    }
    const permission = requiredPermission[method];
    if (permission !== null && !granted.has(permission)) {
      throw new CallRefused(
        'permission_denied',
        `${method} needs the permission "${permission}", which this plugin was not granted.`,
      );
    }
    const parsed = hostMethodParams[method].safeParse(rawParams);
    if (!parsed.success) {
      throw new CallRefused(
        'invalid_params',
        `The parameters of ${method} are not valid: ${parsed.error.issues
          .map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`)
          .join('; ')
          .slice(0, 300)}`,
      );
    }
    return handle(method, parsed.data);
  }

  async function handle(
    method: HostMethodName,
    params: unknown,
  ): Promise<{ value: unknown; transfer?: Transferable[] }> {
    switch (method) {
      case 'session.info':
        return { value: session };
      case 'data.read': {
        const { columns, offset = 0, limit } = params as MethodMap['data.read']['params'];
        const refused = columns.filter((column) => !grantedColumns.has(column));
        if (refused.length > 0) {
          throw new CallRefused(
            'column_not_granted',
            `Not handed to this plugin: ${refused.slice(0, 10).join(', ')}.`,
          );
        }
        if (new Set(columns).size !== columns.length) {
          throw new CallRefused('invalid_params', 'A column is named twice.');
        }
        const rowCount = session.table.rowCount;
        if (offset > rowCount) {
          throw new CallRefused('invalid_params', `offset is past the last row (${rowCount}).`);
        }
        const rows = Math.min(limit ?? rowCount - offset, rowCount - offset);
        if (rows > limits.maxReadRows) {
          throw new CallRefused(
            'too_large',
            `A read answers at most ${limits.maxReadRows} rows; read in pages with offset and limit.`,
          );
        }
        await checkWithServer({ action: 'plugin.data_read', columns, rows });
        const payload = await handlers.readColumns(columns, { offset, limit: rows });
        return { value: { ipc: payload.ipc, rows: payload.rows }, transfer: [payload.ipc] };
      }
      case 'data.write': {
        const write = params as MethodMap['data.write']['params'];
        if (write.ipc.byteLength > limits.maxResultBytes) {
          throw new CallRefused(
            'too_large',
            `The result is over ${limits.maxResultBytes / (1024 * 1024)} MiB.`,
          );
        }
        const prepared = await handlers.prepareWrite(write);
        try {
          await checkWithServer({
            action: 'plugin.data_write',
            columns: prepared.columns,
            rows: prepared.rows,
            detail:
              write.mode === 'table' ? `new table${write.name ? ` ${write.name}` : ''}` : 'columns',
          });
        } catch (error) {
          prepared.discard();
          throw error;
        }
        return { value: await prepared.commit() };
      }
      case 'selection.get': {
        const rows = handlers.selection().slice(0, SELECTION_MAX_ROWS);
        await checkWithServer({ action: 'plugin.selection_read', rows: rows.length });
        return { value: { rows } };
      }
      case 'selection.subscribe':
        await checkWithServer({ action: 'plugin.selection_read', detail: 'subscribed' });
        subscribed = true;
        return { value: { subscribed: true } };
      case 'ui.setTitle':
        handlers.setTitle((params as MethodMap['ui.setTitle']['params']).title);
        return { value: { ok: true } };
      case 'ui.setHeight':
        handlers.setHeight(Math.round((params as MethodMap['ui.setHeight']['params']).height));
        return { value: { ok: true } };
      case 'storage.get': {
        const { key } = params as MethodMap['storage.get']['params'];
        checkStorageKey(key);
        return { value: { value: await handlers.storageGet(key) } };
      }
      case 'storage.set': {
        const { key, value } = params as MethodMap['storage.set']['params'];
        checkStorageKey(key);
        if (value !== null && value.length > STORAGE_VALUE_MAX_LENGTH) {
          throw new CallRefused(
            'too_large',
            `A value is at most ${STORAGE_VALUE_MAX_LENGTH} characters.`,
          );
        }
        await checkWithServer({
          action: 'plugin.storage_write',
          detail: `key of ${key.length} characters`,
        });
        await handlers.storageSet(key, value);
        return { value: { ok: true } };
      }
    }
  }

  function checkStorageKey(key: string) {
    if (key.length > STORAGE_KEY_MAX_LENGTH) {
      throw new CallRefused('too_large', `A key is at most ${STORAGE_KEY_MAX_LENGTH} characters.`);
    }
  }

  function notifySelection(rows: readonly number[]) {
    if (!subscribed || !granted.has('selection:read')) return;
    send({ kind: 'event', event: 'selection', rows: rows.slice(0, SELECTION_MAX_ROWS) });
  }

  port.addEventListener('message', onMessage);
  port.addEventListener('messageerror', onMessageError);
  port.start();

  return { status: () => status, notifySelection, terminate, close };
}

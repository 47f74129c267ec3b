/**
 * The frame runtime's relay between the host's port and the plugin's worker, with no DOM of its
 * own so it runs over real MessageChannels in tests. Each direction is validated
 * (message-guards.ts); the `ui.*` calls are answered here through the panel, and only when the
 * handshake granted `ui:panel`; every other call goes to the host, and only the host's answers
 * to calls that are open reach the worker, and only once the worker has spoken (so none is lost
 * while its module loads). ArrayBuffers (Arrow IPC) are transferred, not copied. An
 * `egress_blocked` report from the worker (its prelude's, or a forgery of the plugin's: the same
 * to everyone, as it decides nothing) is reduced and handed to `reportEgress`, and is not the
 * worker speaking: a violation while the entry module loads must not release held messages.
 */
import { egressReport } from './egress-report.ts';
import { isPlainObject, parseHostMessage, parseWorkerMessage } from './message-guards.ts';
import type {
  EgressBlockedMessage,
  ErrorCode,
  FromWorkerMessage,
  HostMethodName,
  MethodName,
  PluginPermission,
  ProtocolError,
  ToWorkerMessage,
  ViewNode,
} from '../src/protocol.ts';

/** A port-like end: the host's `MessagePort`, or the plugin's `Worker`. */
export interface RelayEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

/** What the runtime draws the panel with (the DOM in the frame). */
export interface PanelSurface {
  render(view: ViewNode): void;
  canvas(id: string, width: number, height: number): OffscreenCanvas;
}

/**
 * A `ui.*` call the panel refuses, with the protocol's code.
 *
 * @example
 * throw new PanelError('invalid_params', 'no canvas node "plot" is rendered');
 */
export class PanelError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface RelayOptions {
  readonly host: RelayEndpoint;
  readonly worker: RelayEndpoint;
  readonly permissions: readonly PluginPermission[];
  readonly panel: PanelSurface;
  /** Where blocked egress in the worker is reported (capped by the caller). */
  readonly reportEgress: (report: EgressBlockedMessage) => void;
}

/** How many messages wait for a worker that has not spoken yet (pings come every 2 s). */
const MAX_HELD_MESSAGES = 100;

const RUNTIME_METHODS: ReadonlySet<MethodName> = new Set(['ui.render', 'ui.svg', 'ui.canvas']);

/**
 * Starts relaying; returns a function that stops it (listeners removed).
 *
 * @example
 * const stop = startRelay({ host: port, worker, permissions: handshake.permissions, panel });
 */
export function startRelay({
  host,
  worker,
  permissions,
  panel,
  reportEgress,
}: RelayOptions): () => void {
  /** The host-bound calls the host has not answered yet, by the worker's id. */
  const openCalls = new Map<number, HostMethodName>();

  /**
   * Messages for the worker wait until it first speaks: its entry module loads after the worker
   * starts, and a message that arrives before the module added its listener would be lost (a
   * ping among them). The host's heartbeat deadline bounds how long they wait.
   */
  let workerListens = false;
  const held: [ToWorkerMessage, Transferable[]][] = [];

  const toWorker = (message: ToWorkerMessage, transfer: Transferable[] = []): void => {
    if (workerListens) worker.postMessage(message, transfer);
    else if (held.length < MAX_HELD_MESSAGES) held.push([message, transfer]);
  };
  const refuse = (id: number | null, error: ProtocolError): void => {
    toWorker({ kind: 'error', id, error });
  };

  function answerPanelCall(call: Extract<FromWorkerMessage, { kind: 'call' }>): void {
    if (!permissions.includes('ui:panel')) {
      refuse(call.id, {
        code: 'permission_denied',
        message: `${call.method} needs the ui:panel permission`,
      });
      return;
    }
    try {
      if (call.method === 'ui.render') {
        panel.render(call.params.view);
        toWorker({ kind: 'result', id: call.id, result: { ok: true } });
      } else if (call.method === 'ui.svg') {
        panel.render({ type: 'svg', markup: call.params.markup });
        toWorker({ kind: 'result', id: call.id, result: { ok: true } });
      } else if (call.method === 'ui.canvas') {
        const { id, width, height } = call.params;
        const canvas = panel.canvas(id, width, height);
        toWorker({ kind: 'result', id: call.id, result: { canvas } }, [canvas]);
      }
    } catch (error) {
      if (error instanceof PanelError)
        refuse(call.id, { code: error.code, message: error.message });
      else
        refuse(call.id, { code: 'failed', message: `${call.method} failed`, cause: String(error) });
    }
  }

  const onWorkerMessage = (event: MessageEvent): void => {
    const data: unknown = event.data;
    if (isPlainObject(data) && data.kind === 'egress_blocked') {
      const report = egressReport(data.directive, data.blockedUri);
      if (report) reportEgress(report);
      return;
    }
    if (!workerListens) {
      workerListens = true;
      for (const [message, transfer] of held.splice(0)) worker.postMessage(message, transfer);
    }
    const parsed = parseWorkerMessage(data);
    if (!parsed.ok) {
      refuse(parsed.id, parsed.error);
      return;
    }
    const message = parsed.message;
    if (message.kind === 'pong') {
      host.postMessage(message, []);
      return;
    }
    if (RUNTIME_METHODS.has(message.method)) {
      answerPanelCall(message);
      return;
    }
    if (openCalls.has(message.id)) {
      refuse(message.id, {
        code: 'invalid_params',
        message: `call id ${message.id} is already open`,
      });
      return;
    }
    openCalls.set(message.id, message.method as HostMethodName);
    host.postMessage(message, message.method === 'data.write' ? [message.params.ipc] : []);
  };

  const onHostMessage = (event: MessageEvent): void => {
    const message = parseHostMessage(event.data, (id) => openCalls.get(id));
    if (!message) {
      // A malformed answer to an open call must not leave the plugin waiting forever.
      const data: unknown = event.data;
      const id = isPlainObject(data) && typeof data.id === 'number' ? data.id : null;
      if (id !== null && openCalls.has(id) && (data as { kind?: unknown }).kind !== 'call') {
        openCalls.delete(id);
        refuse(id, { code: 'failed', message: 'the host sent a malformed answer' });
      }
      return;
    }
    if ((message.kind === 'result' || message.kind === 'error') && message.id !== null) {
      openCalls.delete(message.id);
    }
    const transfer =
      message.kind === 'result' && 'ipc' in message.result ? [message.result.ipc] : [];
    toWorker(message, transfer);
  };

  worker.addEventListener('message', onWorkerMessage);
  host.addEventListener('message', onHostMessage);
  worker.start?.();
  host.start?.();
  return () => {
    worker.removeEventListener('message', onWorkerMessage);
    host.removeEventListener('message', onHostMessage);
  };
}

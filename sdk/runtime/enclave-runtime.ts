/**
 * The frame runtime: the only script of a plugin's frame document (built to
 * dist/plugin-runtime/enclave-runtime.js). It waits for the host's handshake, from
 * `window.parent` only and only once, with exactly one port; starts the plugin's module Worker
 * (the plugin's own code never runs in this document, where WebRTC exists); and relays between
 * the host's port and the worker, drawing the panel itself. Blocked egress, in the document or
 * in the worker, is reported to the host (`egress_blocked`, at most `MAX_EGRESS_REPORTS`).
 */
import './enclave-runtime.css';
import { EGRESS_PRELUDE, cappedEgressReporter, egressReport } from './egress-report.ts';
import { LIMITS, parseHandshake } from './message-guards.ts';
import { createPanel } from './panel.ts';
import { startRelay, type RelayEndpoint } from './relay.ts';
import type { CrashedMessage, HandshakeMessage, ReadyMessage } from '../src/protocol.ts';

/** The worker's path, as the server wrote it: one of this instance's files. */
const WORKER_PATH = /^\/i\/[A-Za-z0-9_-]+\/files\/[^\\]+$/;

/** Blocked-egress reports one instance sends the host; the host caps what it records too. */
const MAX_EGRESS_REPORTS = 20;

function post(port: MessagePort, message: ReadyMessage | CrashedMessage): void {
  port.postMessage(message);
}

function crashed(port: MessagePort, reason: string): void {
  post(port, { kind: 'crashed', message: reason.slice(0, LIMITS.text) });
}

/**
 * A blob: URL of a classic worker script that imports the plugin's entry module. Chromium refuses
 * `new Worker(url)` for a script URL from a document with an opaque origin (the sandboxed frame),
 * even on the frame's own server, and fails module workers from blob: there too; a classic
 * worker from a blob: URL the frame made works and may `import()` the entry. The worker inherits
 * the frame's CSP (so `connect-src 'none'` holds in it), which therefore needs `worker-src blob:`
 * and the plugin's files in `script-src`; the entry is fetched in CORS mode with `Origin: null`,
 * so the plugin's files need `Access-Control-Allow-Origin`. A failed import is rethrown
 * uncaught, which fires the worker's `error` event (reported as `crashed`). The prelude
 * (EGRESS_PRELUDE) runs first, so its violation listener is in place before any plugin code.
 */
function workerLoader(path: string): string {
  const entry = JSON.stringify(new URL(path, location.href).href);
  const source = `${EGRESS_PRELUDE}import(${entry}).catch((error) => setTimeout(() => { throw error; }));\n`;
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

function start(handshake: HandshakeMessage, port: MessagePort): void {
  const path = document.body.dataset.worker;
  if (!path || !WORKER_PATH.test(path) || path.includes('..')) {
    crashed(port, 'The plugin document names no valid worker script.');
    port.start();
    return;
  }
  let worker: Worker;
  try {
    worker = new Worker(workerLoader(path), { name: handshake.pluginId });
  } catch (error) {
    crashed(port, `The plugin's worker could not start: ${String(error)}`);
    port.start();
    return;
  }
  const reportEgress = cappedEgressReporter(
    (report) => port.postMessage(report),
    MAX_EGRESS_REPORTS,
  );
  document.addEventListener(
    'securitypolicyviolation',
    (event) => {
      const report = egressReport(event.effectiveDirective, event.blockedURI);
      if (report) reportEgress(report);
    },
    true,
  );
  const panel = createPanel(document.body, (event) => worker.postMessage(event));
  const stop = startRelay({
    host: port as RelayEndpoint,
    worker: worker as RelayEndpoint,
    permissions: handshake.permissions,
    panel,
    reportEgress,
  });
  worker.addEventListener('error', (event) => {
    stop();
    worker.terminate();
    crashed(port, event.message || "The plugin's worker failed to load or threw an error.");
  });
  post(port, { kind: 'ready' });
}

function onHandshake(event: MessageEvent): void {
  if (window.parent === window || event.source !== window.parent) return;
  const handshake = parseHandshake(event.data, event.ports);
  if (!handshake) return;
  window.removeEventListener('message', onHandshake);
  start(handshake, event.ports[0]!);
}

window.addEventListener('message', onHandshake);

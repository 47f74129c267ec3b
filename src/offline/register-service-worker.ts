/**
 * Registers the service worker (through the `enclave` Trusted Types policy, as the CSP demands)
 * and keeps a small observable status of it for the UI: whether the page is controlled (and so
 * opens offline and sits behind the egress allow-list), and whether an update waits.
 */
import type {
  EgressStatus,
  PageToWorkerMessage,
  WorkerToPageMessage,
} from '../../workers/sw/protocol.ts';
import { trustedScriptUrl } from '../security/trusted-types.ts';

export type ServiceWorkerStatus =
  | { readonly kind: 'unsupported' }
  /** `vite dev` builds no service worker; only the production build has one. */
  | { readonly kind: 'development' }
  | { readonly kind: 'registering' }
  | { readonly kind: 'failed'; readonly message: string }
  | {
      readonly kind: 'registered';
      /** A worker controls this page: it opens offline and its requests pass the allow-list. */
      readonly controlling: boolean;
      /** A newer version is installed and waits for the user to accept it. */
      readonly updateWaiting: boolean;
    };

const SCRIPT_URL = '/sw.js';
const EGRESS_STATUS_TIMEOUT_MS = 3000;

let status: ServiceWorkerStatus = { kind: 'registering' };
let registration: ServiceWorkerRegistration | undefined;
let reloadOnControllerChange = false;
const listeners = new Set<() => void>();

function setStatus(next: ServiceWorkerStatus): void {
  status = next;
  for (const listener of listeners) listener();
}

function refreshStatus(): void {
  if (!registration) return;
  setStatus({
    kind: 'registered',
    controlling: navigator.serviceWorker.controller !== null,
    updateWaiting: registration.waiting !== null && navigator.serviceWorker.controller !== null,
  });
}

function watchInstalling(worker: ServiceWorker | null): void {
  worker?.addEventListener('statechange', refreshStatus);
}

/**
 * Registers `/sw.js` for the whole app. Call once at start-up.
 *
 * @example
 * registerServiceWorker();
 */
export function registerServiceWorker(): void {
  if (import.meta.env.DEV) {
    setStatus({ kind: 'development' });
    return;
  }
  if (!('serviceWorker' in navigator)) {
    setStatus({ kind: 'unsupported' });
    return;
  }
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadOnControllerChange) window.location.reload();
    else refreshStatus();
  });
  // The DOM typings take only strings; with Trusted Types enforced the browser wants the
  // TrustedScriptURL object itself, which it turns back into the URL.
  const scriptUrl = trustedScriptUrl(SCRIPT_URL) as string;
  navigator.serviceWorker
    .register(scriptUrl, { scope: '/', type: 'classic', updateViaCache: 'none' })
    .then((registered) => {
      registration = registered;
      registered.addEventListener('updatefound', () => watchInstalling(registered.installing));
      watchInstalling(registered.installing);
      refreshStatus();
    })
    .catch((error: unknown) => {
      setStatus({
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
    });
}

/**
 * Lets the waiting update take over; the page reloads once it controls the page.
 *
 * @example
 * <button onClick={applyUpdate}>Reload to update</button>
 */
export function applyUpdate(): void {
  const waiting = registration?.waiting;
  if (!waiting) return;
  reloadOnControllerChange = true;
  const message: PageToWorkerMessage = { type: 'skip-waiting' };
  waiting.postMessage(message);
}

/**
 * Asks the controlling worker which origins it lets requests go to.
 *
 * @example
 * const status = await requestEgressStatus();
 * if (status.state === 'known') console.log(status.allowedOrigins);
 */
export function requestEgressStatus(): Promise<EgressStatus> {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return Promise.reject(new Error('No service worker controls this page.'));
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      reject(new Error('The service worker did not answer.'));
    }, EGRESS_STATUS_TIMEOUT_MS);
    channel.port1.onmessage = (event: MessageEvent<WorkerToPageMessage>) => {
      clearTimeout(timer);
      channel.port1.close();
      resolve(event.data.status);
    };
    const message: PageToWorkerMessage = { type: 'get-egress-status' };
    controller.postMessage(message, [channel.port2]);
  });
}

/**
 * Calls the listener whenever the status changes; returns the unsubscribe function.
 *
 * @example
 * useSyncExternalStore(subscribeToServiceWorker, serviceWorkerStatus);
 */
export function subscribeToServiceWorker(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The current status.
 *
 * @example
 * if (serviceWorkerStatus().kind === 'unsupported') showNotice();
 */
export function serviceWorkerStatus(): ServiceWorkerStatus {
  return status;
}

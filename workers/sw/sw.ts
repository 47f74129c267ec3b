/**
 * The app's service worker. It stands between the app (its pages and their workers) and the
 * network, and does two things:
 *
 * 1. Egress allow-list: a request to any origin other than the app's own and the origins the
 *    server lists in `/api/v1/config` is answered here with a 451 and never leaves the browser,
 *    whatever its method. Beacons are requests too. WebSockets and plugin frames are not seen by a
 *    service worker; the page CSP and the plugin sandbox cover those.
 * 2. Offline: the app shell is precached, and page navigations fall back to it without a network.
 *
 * The egress listener is registered before workbox's so that it sees every request first; workbox
 * routes only match GET and would let every other method pass untouched.
 */
import {
  PrecacheFallbackPlugin,
  cleanupOutdatedCaches,
  precacheAndRoute,
  type PrecacheEntry,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkOnly } from 'workbox-strategies';
import * as z from 'zod/mini';
import { loadAllowList } from './load-allow-list.ts';
import { decideEgress, type EgressAllowList, type EgressDecision } from './egress-policy.ts';
import type { EgressStatus, PageToWorkerMessage, WorkerToPageMessage } from './protocol.ts';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: (PrecacheEntry | string)[];
};

/** How often, at most, a page load makes the worker ask the server for the allow-list again. */
const ALLOW_LIST_REFRESH_MS = 60_000;
/** How long a page load waits for the server before the precached shell is shown instead. */
const NAVIGATION_TIMEOUT_S = 4;
/** Page paths that belong to the server, not to the app: never answered with the app shell. */
const serverPaths = [/^\/api(\/|$)/, /^\/oidc(\/|$)/, /^\/healthz$/];

// --- Egress allow-list ---------------------------------------------------------------------

let allowList: EgressStatus = { state: 'unknown' };
let lastRefresh = 0;
let pendingLoad: Promise<EgressStatus> | undefined;

/**
 * Whether a freshly loaded status should replace the one in force. A failed load never clears a
 * known list, and a kept copy (which page code could have rewritten) never replaces what the
 * server itself said while this worker ran.
 */
function supersedes(next: EgressStatus, current: EgressStatus): boolean {
  if (next.state === 'unknown') return false;
  return next.source === 'network' || current.state === 'unknown' || current.source === 'cache';
}

/** Asks the server again, one request at a time. */
function refreshAllowList(): Promise<EgressStatus> {
  pendingLoad ??= loadAllowList(self.location.origin)
    .then((status) => {
      if (supersedes(status, allowList)) allowList = status;
      return allowList;
    })
    .finally(() => {
      pendingLoad = undefined;
    });
  lastRefresh = Date.now();
  return pendingLoad;
}

function currentAllowList(): Promise<EgressStatus> {
  return pendingLoad ?? Promise.resolve(allowList);
}

function policyOf(status: EgressStatus): EgressAllowList {
  return status.state === 'known'
    ? { state: 'known', origins: status.allowedOrigins }
    : { state: 'unknown' };
}

function decide(url: string, status: EgressStatus): EgressDecision {
  return decideEgress(url, self.location.origin, policyOf(status));
}

/** The synthetic answer to a blocked request, in the API's error shape. */
function blockedResponse(decision: EgressDecision & { allowed: false }): Response {
  const destination = decision.origin ?? 'this address';
  const body = {
    error: {
      code: 'egress_blocked',
      message: `Blocked by Enclave's network allow-list: requests to ${destination} may not leave the browser.`,
      requestId: crypto.randomUUID(),
    },
  };
  return new Response(JSON.stringify(body), {
    status: 451,
    statusText: 'Unavailable For Legal Reasons',
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
}

async function decideWhenKnown(request: Request): Promise<Response> {
  const status = await (allowList.state === 'unknown' && !pendingLoad
    ? refreshAllowList()
    : currentAllowList());
  const decision = decide(request.url, status);
  return decision.allowed ? fetch(request) : blockedResponse(decision);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const decision = decide(request.url, allowList);
  if (decision.allowed) {
    if (request.mode === 'navigate' && Date.now() - lastRefresh > ALLOW_LIST_REFRESH_MS) {
      event.waitUntil(refreshAllowList());
    }
    return;
  }
  // Nothing after this listener may answer a request we took over.
  event.stopImmediatePropagation();
  event.respondWith(
    decision.reason === 'allow-list-unknown'
      ? decideWhenKnown(request)
      : Promise.resolve(blockedResponse(decision)),
  );
});

// --- Offline app shell ---------------------------------------------------------------------

// Page loads go to the network first, so the document's headers (its CSP above all) are the
// server's current ones; the precached shell is the fallback when the server is out of reach.
registerRoute(
  new NavigationRoute(
    new NetworkOnly({
      networkTimeoutSeconds: NAVIGATION_TIMEOUT_S,
      plugins: [new PrecacheFallbackPlugin({ fallbackURL: '/index.html' })],
    }),
    { denylist: serverPaths },
  ),
);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// --- Lifecycle and messages ----------------------------------------------------------------

self.addEventListener('install', (event) => {
  event.waitUntil(refreshAllowList());
  // The first install takes over at once so the first visit is already protected and offline
  // ready; an update waits until the user accepts it, so no open page mixes two versions.
  if (!self.registration.active) void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

const pageMessageSchema: z.ZodMiniType<PageToWorkerMessage> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('skip-waiting') }),
  z.object({ type: z.literal('get-egress-status') }),
]);

self.addEventListener('message', (event) => {
  if (event.origin !== self.location.origin) return;
  const parsed = pageMessageSchema.safeParse(event.data);
  if (!parsed.success) return;
  const message = parsed.data;
  switch (message.type) {
    case 'skip-waiting':
      event.waitUntil(self.skipWaiting());
      return;
    case 'get-egress-status': {
      const port = event.ports[0];
      if (!port) return;
      event.waitUntil(
        currentAllowList().then((status) => {
          const reply: WorkerToPageMessage = { type: 'egress-status', status };
          port.postMessage(reply);
        }),
      );
      return;
    }
  }
});

// Each start of the worker (they are stopped when idle) learns the allow-list anew.
void refreshAllowList();

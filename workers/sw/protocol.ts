/**
 * The messages between the app's pages and its service worker, as tagged unions. Types only: the
 * page imports them without pulling service-worker code into its bundle, and the worker checks
 * every message it receives before acting on it.
 */

/** What the worker currently enforces for requests to other origins. */
export type EgressStatus =
  | { readonly state: 'unknown' }
  | {
      readonly state: 'known';
      /** Where the allow-list in force came from: the server just now, or the copy kept offline. */
      readonly source: 'network' | 'cache';
      /** Origins besides the app's own that requests may go to. */
      readonly allowedOrigins: readonly string[];
      /** When the server last handed out this allow-list (ISO 8601). */
      readonly fetchedAt: string;
    };

export type PageToWorkerMessage =
  /** Activate a waiting update now; the page reloads once the new worker controls it. */
  | { readonly type: 'skip-waiting' }
  /** Ask for the egress status; the answer comes back on the message's first port. */
  | { readonly type: 'get-egress-status' };

export type WorkerToPageMessage = { readonly type: 'egress-status'; readonly status: EgressStatus };

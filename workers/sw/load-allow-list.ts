/**
 * Where the service worker gets its egress allow-list: from `GET /api/v1/config` when the server
 * answers, else from the copy it kept in Cache Storage, so the list holds offline and across
 * worker restarts.
 *
 * The server is asked first, on every worker start: Cache Storage is shared with the page, so a
 * kept copy is only trusted when the server cannot be reached. A page that rewrote it could only
 * widen the list while the app's own server is down, and the page CSP still applies.
 */
import * as z from 'zod/mini';
import type { EgressStatus } from './protocol.ts';

const CACHE_NAME = 'enclave-egress-allow-list-v1';
const CONFIG_PATH = '/api/v1/config';
const CONFIG_TIMEOUT_MS = 4000;

const publicConfigSchema = z.object({ allowedOrigins: z.array(z.string()) });
const keptCopySchema = z.object({ allowedOrigins: z.array(z.string()), fetchedAt: z.string() });

/** The key of the kept copy inside its cache; a path no server route answers. */
function keptCopyUrl(origin: string): string {
  return `${origin}/__enclave/egress-allow-list.json`;
}

async function fromNetwork(origin: string): Promise<EgressStatus> {
  const response = await fetch(`${origin}${CONFIG_PATH}`, {
    cache: 'no-store',
    credentials: 'omit',
    signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${CONFIG_PATH} answered ${response.status}`);
  const { allowedOrigins } = publicConfigSchema.parse(await response.json());
  const fetchedAt = new Date().toISOString();
  // Keeping the copy is best effort: a full or unavailable Cache Storage must not cost us the
  // answer we already have.
  await caches
    .open(CACHE_NAME)
    .then((cache) =>
      cache.put(
        keptCopyUrl(origin),
        new Response(JSON.stringify({ allowedOrigins, fetchedAt }), {
          headers: { 'Content-Type': 'application/json' },
        }),
      ),
    )
    .catch(() => undefined);
  return { state: 'known', source: 'network', allowedOrigins, fetchedAt };
}

async function fromKeptCopy(origin: string): Promise<EgressStatus> {
  const cache = await caches.open(CACHE_NAME);
  const response = await cache.match(keptCopyUrl(origin));
  if (!response) return { state: 'unknown' };
  const parsed = keptCopySchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return { state: 'unknown' };
  return { state: 'known', source: 'cache', ...parsed.data };
}

/**
 * Loads the allow-list: from the server, else from the kept copy, else `unknown` (which denies
 * every foreign origin).
 *
 * @example
 * const status = await loadAllowList(self.location.origin);
 * if (status.state === 'known') console.log(status.allowedOrigins);
 */
export async function loadAllowList(origin: string): Promise<EgressStatus> {
  try {
    return await fromNetwork(origin);
  } catch {
    return fromKeptCopy(origin).catch((): EgressStatus => ({ state: 'unknown' }));
  }
}

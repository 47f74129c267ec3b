/**
 * The service worker's egress decision as a pure function: may a request to this URL leave the
 * browser? Kept free of service-worker APIs so that every hostile URL shape can be unit-tested.
 *
 * Origins are compared after the WHATWG URL parser has normalised them, because that parser is
 * what decides where the browser actually sends the request: userinfo, case, default ports and
 * numeric host spellings cannot smuggle a foreign host past a string comparison.
 */

/** What the worker knows about the origins, besides its own, that requests may go to. */
export type EgressAllowList =
  { readonly state: 'unknown' } | { readonly state: 'known'; readonly origins: readonly string[] };

export type EgressDecision =
  | { readonly allowed: true; readonly reason: 'self' | 'allow-listed'; readonly origin: string }
  | {
      readonly allowed: false;
      readonly reason:
        'invalid-url' | 'unsupported-scheme' | 'not-allow-listed' | 'allow-list-unknown';
      /** The origin the request was headed for, `null` when it has none (bad URL, opaque scheme). */
      readonly origin: string | null;
    };

const networkSchemes = new Set(['http:', 'https:']);

/**
 * The serialised origin of an http(s) URL, or `null` for anything that is not one.
 *
 * @example
 * normaliseOrigin('HTTPS://Example.COM:443/path'); // 'https://example.com'
 * normaliseOrigin('https://example.com/path');      // 'https://example.com' (paths are ignored)
 * normaliseOrigin('data:text/plain,hi');            // null
 */
export function normaliseOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return networkSchemes.has(parsed.protocol) ? parsed.origin : null;
}

/**
 * Turns the configured list into normalised origins. An entry that is not a bare http(s) origin
 * (a path, a query, credentials, a wildcard) is dropped rather than guessed at: a typo in the
 * configuration must narrow what is allowed, never widen it.
 *
 * @example
 * normaliseAllowList(['https://ID.example.com', 'https://x.test/path', '*']); // ['https://id.example.com']
 */
export function normaliseAllowList(entries: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const entry of entries) {
    const origin = normaliseOrigin(entry);
    if (origin === null) continue;
    const parsed = new URL(entry);
    const bare =
      parsed.username === '' &&
      parsed.password === '' &&
      parsed.search === '' &&
      parsed.hash === '' &&
      (parsed.pathname === '/' || parsed.pathname === '');
    if (bare) origins.add(origin);
  }
  return [...origins];
}

/**
 * Decides whether a request may leave the browser. Only http(s) requests to the worker's own
 * origin or to an allow-listed origin pass; everything else is denied, and while the allow-list
 * is unknown every foreign origin is denied (fail closed).
 *
 * @example
 * const allowList = { state: 'known', origins: ['https://id.example.com'] } as const;
 * decideEgress('https://id.example.com/token', 'https://enclave.example.com', allowList).allowed; // true
 * decideEgress('https://enclave.example.com@evil.test/', 'https://enclave.example.com', allowList);
 * // { allowed: false, reason: 'not-allow-listed', origin: 'https://evil.test' }
 */
export function decideEgress(
  requestUrl: string,
  selfOrigin: string,
  allowList: EgressAllowList,
): EgressDecision {
  let parsed: URL;
  try {
    parsed = new URL(requestUrl);
  } catch {
    return { allowed: false, reason: 'invalid-url', origin: null };
  }
  if (!networkSchemes.has(parsed.protocol)) {
    return { allowed: false, reason: 'unsupported-scheme', origin: null };
  }
  const origin = parsed.origin;
  if (origin === normaliseOrigin(selfOrigin)) return { allowed: true, reason: 'self', origin };
  if (allowList.state === 'unknown') {
    return { allowed: false, reason: 'allow-list-unknown', origin };
  }
  if (normaliseAllowList(allowList.origins).includes(origin)) {
    return { allowed: true, reason: 'allow-listed', origin };
  }
  return { allowed: false, reason: 'not-allow-listed', origin };
}

/**
 * Blocked egress as the protocol reports it (`egress_blocked`): what a `securitypolicyviolation`
 * in the frame or the plugin's worker becomes before it leaves the frame. The browser's
 * `blockedURI` may carry a query, a fragment or credentials that the plugin chose (data it tried
 * to smuggle out), so only the origin and path travel, cut to 300 characters, and the directive
 * must be one of the allow-list. The runtime builds reports with it and the host checks them
 * with it again; both only report, neither decides anything on a report.
 */
import type { CspDirective, EgressBlockedMessage } from '../src/protocol.ts';

/**
 * The directives a report may name; any other is dropped.
 *
 * @example
 * CSP_DIRECTIVES.includes('connect-src'); // true
 */
export const CSP_DIRECTIVES: readonly CspDirective[] = [
  'default-src',
  'connect-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'media-src',
  'object-src',
  'worker-src',
  'child-src',
  'frame-src',
  'manifest-src',
  'form-action',
  'base-uri',
  'fenced-frame-src',
];

/** The longest `blockedUri` a report carries. */
export const BLOCKED_URI_MAX_LENGTH = 300;

/** What the browser gives instead of a URL: `inline`, `eval`, `wasm-eval`, `data`, `blob`, … */
const CSP_KEYWORD = /^[a-z][a-z0-9-]{0,30}$/;
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

/**
 * A blocked URI reduced to what may be recorded: origin and path of a network URL (≤ 300
 * characters), the scheme of any other URL, the browser's keyword as it is, else `invalid`.
 * Idempotent, so the host can check that a report is already reduced.
 *
 * @example
 * blockedUriOf('https://user:pw@evil.test/x?secret=1#y'); // 'https://evil.test/x'
 * blockedUriOf('data:text/plain,secret'); // 'data'
 * blockedUriOf('eval'); // 'eval'
 */
export function blockedUriOf(raw: string): string {
  if (CSP_KEYWORD.test(raw)) return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (!NETWORK_SCHEMES.has(url.protocol)) return url.protocol.slice(0, -1);
  return `${url.origin}${url.pathname}`.slice(0, BLOCKED_URI_MAX_LENGTH);
}

/**
 * The report for a violation's `effectiveDirective` and `blockedURI`, or null when the directive
 * is not one of the allow-list. Accepts unknown values: the worker's prelude posts what the
 * browser gave, and a plugin may post anything in its place.
 *
 * @example
 * egressReport('connect-src', 'https://evil.test/leak?d=1');
 * // { kind: 'egress_blocked', directive: 'connect-src', blockedUri: 'https://evil.test/leak' }
 */
export function egressReport(directive: unknown, blockedUri: unknown): EgressBlockedMessage | null {
  if (typeof directive !== 'string' || typeof blockedUri !== 'string') return null;
  const known = CSP_DIRECTIVES.find((allowed) => allowed === directive);
  if (!known) return null;
  return {
    kind: 'egress_blocked',
    directive: known,
    blockedUri: blockedUriOf(blockedUri.slice(0, 4096)),
  };
}

/**
 * The worker prelude's part for blocked egress, as script text: it keeps its own reference to
 * `postMessage` and listens for `securitypolicyviolation` in the capture phase, both before the
 * plugin's code runs, so the plugin can neither remove the listener (it never sees it) nor run a
 * listener of its own first. It posts what the browser gave; the runtime reduces it.
 *
 * @example
 * const source = `${EGRESS_PRELUDE}import(${entry});`;
 */
export const EGRESS_PRELUDE = [
  '{',
  'const post = self.postMessage.bind(self);',
  "self.addEventListener('securitypolicyviolation', (event) => {",
  "  post({ kind: 'egress_blocked', directive: String(event.effectiveDirective).slice(0, 100),",
  '    blockedUri: String(event.blockedURI).slice(0, 4096) });',
  '}, true);',
  '}',
  '',
].join('\n');

/**
 * A reporter that passes on at most `max` reports (a plugin that keeps hitting the policy must
 * not flood the host's port with them), then drops the rest.
 *
 * @example
 * const reportEgress = cappedEgressReporter((report) => port.postMessage(report), 20);
 */
export function cappedEgressReporter(
  send: (report: EgressBlockedMessage) => void,
  max: number,
): (report: EgressBlockedMessage) => void {
  let sent = 0;
  return (report) => {
    if (sent >= max) return;
    sent += 1;
    send(report);
  };
}

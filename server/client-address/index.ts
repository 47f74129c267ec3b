/**
 * The address a request came from, for sign-in throttling and the audit trail. Without proxies
 * it is the TCP peer. Behind N reverse proxies (`TRUST_PROXY_HOPS=N`), each of which appends the
 * address it saw to `X-Forwarded-For`, it is the N-th entry from the right: entries further left
 * were written by the client and prove nothing.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * Picks the client address from the peer address and an `X-Forwarded-For` header.
 *
 * @example
 * addressFromForwarded('10.0.0.2', '203.0.113.7, 10.0.0.1', 1); // '10.0.0.1'
 * addressFromForwarded('10.0.0.2', '198.51.100.9, 203.0.113.7', 1); // '203.0.113.7'
 * addressFromForwarded('10.0.0.2', 'spoofed', 0); // '10.0.0.2'
 */
export function addressFromForwarded(
  peer: string,
  forwardedFor: string | undefined,
  trustProxyHops: number,
): string {
  if (trustProxyHops === 0 || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chosen = hops[hops.length - trustProxyHops];
  // An address is short and plain; anything else is not one, and the peer is used instead.
  return chosen && /^[0-9a-fA-F:.]{2,45}$/.test(chosen) ? chosen : peer;
}

/**
 * The client address of a request served by @hono/node-server.
 *
 * @example
 * const ip = clientAddress(c, config.trustProxyHops);
 */
export function clientAddress(c: Context, trustProxyHops: number): string {
  let peer = 'unknown';
  try {
    peer = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not served by the Node listener (an in-process `app.request()`): no peer to name.
  }
  return addressFromForwarded(peer, c.req.header('x-forwarded-for'), trustProxyHops);
}

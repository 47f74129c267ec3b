/**
 * Where connections may go: the administrator's `CONNECTION_ALLOWED_HOSTS`, parsed once at start,
 * and the check that a query's host is allowed before anything connects to it.
 *
 * Why it is built this way:
 * - Four kinds of entry: an exact host name, `*.example.org` (any subdomain, never the apex), an
 *   IP address and a CIDR range. Names compare case-insensitively and without a trailing dot.
 *   Addresses are matched with Node's `net.BlockList`, which also matches IPv4-mapped IPv6
 *   addresses (`::ffff:10.0.0.1`) against IPv4 entries, so that spelling gains nothing.
 * - A host that matches a name or wildcard entry is trusted as a name: the administrator vouched
 *   for it, and the PostgreSQL client resolves it itself.
 * - Any other name is resolved here, and passes only when every address it resolves to is inside
 *   an address entry; the query then connects to that address, not to the name again, so a second
 *   DNS answer (rebinding) cannot move it between the check and the connect. TLS still verifies
 *   the certificate against the name (`read-only-query.ts` sets `servername`).
 * - Whether a name resolves at all is not told apart from its resolving somewhere not allowed:
 *   otherwise the refusal would let users probe the server's internal DNS.
 * - Names whose last label is all digits (`127.1`, `2130706433`) are refused as name entries:
 *   the system resolver reads them as IPv4 addresses, and a name entry is not resolved.
 * - An empty list allows every host, as before the setting existed (`npm start` needs no setup);
 *   production should set it.
 */
import { lookup as systemLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** The setting this list comes from, for messages. */
export const ALLOWED_HOSTS_SETTING = 'CONNECTION_ALLOWED_HOSTS';

/** Resolves a name to all its addresses, like `dns.promises.lookup(host, { all: true })`. */
export type HostLookup = (host: string) => Promise<readonly { address: string; family: number }[]>;

/** Where a query may connect, or that it may not. */
export type HostDecision =
  | {
      allowed: true;
      /** The host or address to connect to. */
      connectTo: string;
      /** `connectTo` is an address the name resolved to; TLS must verify against the name. */
      pinned: boolean;
    }
  | { allowed: false };

/** An entry of the setting that is not a host name, wildcard, IP address or CIDR range. */
export class HostAllowListError extends Error {
  override readonly name = 'HostAllowListError';
  constructor(
    /** The entry as written. */
    readonly entry: string,
    reason: string,
  ) {
    super(entry === '' ? `An entry ${reason}` : `"${entry}" ${reason}`);
  }
}

/** One DNS label: letters, digits, `-` inside, `_` tolerated (as the connection's host allows). */
const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
const NUMERIC_LABEL = /(?:^|\.)\d+$/;
const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

/** A name as compared: lower case, without the trailing dot of a fully qualified name. */
function canonicalName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/**
 * The parsed `CONNECTION_ALLOWED_HOSTS`. `HostAllowList.ANY` (the setting unset) allows every host.
 *
 * @example
 * const list = HostAllowList.parse('db.example.org, *.lab.example.org, 10.20.0.0/16, fd00::/8');
 * list.mayAllow('10.20.3.4'); // true
 * list.mayAllow('127.0.0.1'); // false
 * await list.check('warehouse.lab.example.org'); // { allowed: true, connectTo: 'warehouse.lab.example.org', pinned: false }
 */
export class HostAllowList {
  /** Every host allowed: the setting is unset or empty. */
  static readonly ANY = new HostAllowList([], new Set(), [], new BlockList(), false);

  /**
   * Reads the setting: entries separated by commas, spaces around them ignored. Throws a
   * `HostAllowListError` naming the first entry it cannot read.
   *
   * @example
   * HostAllowList.parse('');                // HostAllowList.ANY
   * HostAllowList.parse('10.0.0.0/33');     // throws: "10.0.0.0/33" …
   */
  static parse(text: string | undefined): HostAllowList {
    if (text === undefined || text.trim() === '') return HostAllowList.ANY;
    const entries: string[] = [];
    const names = new Set<string>();
    const suffixes: string[] = [];
    const addresses = new BlockList();
    let hasAddressEntries = false;
    for (const raw of text.split(',')) {
      const entry = raw.trim();
      if (entry === '') {
        throw new HostAllowListError('', 'is empty (two commas in a row, or one at either end)');
      }
      if (entry.includes('/')) {
        addresses.addSubnet(...parseRange(entry));
        hasAddressEntries = true;
      } else if (entry.includes('%')) {
        throw new HostAllowListError(entry, 'names an IPv6 zone (%…), which is not supported');
      } else if (familyOf(entry)) {
        addresses.addAddress(entry, familyOf(entry));
        hasAddressEntries = true;
      } else if (entry.startsWith('*.')) {
        suffixes.push(`.${parseName(entry, entry.slice(2))}`);
      } else {
        names.add(parseName(entry, entry));
      }
      entries.push(entry);
    }
    return new HostAllowList(entries, names, suffixes, addresses, hasAddressEntries);
  }

  private constructor(
    /** The entries as written (spaces trimmed); empty when every host is allowed. */
    readonly entries: readonly string[],
    private readonly names: ReadonlySet<string>,
    /** Wildcards as the suffix a subdomain ends with: `*.example.org` → `.example.org`. */
    private readonly suffixes: readonly string[],
    private readonly addresses: BlockList,
    private readonly hasAddressEntries: boolean,
  ) {}

  /** Whether the setting is unset or empty, so every host is allowed. */
  get allowsAnyHost(): boolean {
    return this.entries.length === 0;
  }

  /** Whether `host` (a name, not an address) matches a name or wildcard entry. */
  matchesName(host: string): boolean {
    if (this.allowsAnyHost) return true;
    if (familyOf(host)) return false;
    const name = canonicalName(host);
    return this.names.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Whether the IP address is inside an IP or CIDR entry. */
  containsAddress(address: string): boolean {
    if (this.allowsAnyHost) return true;
    const family = familyOf(address);
    // BlockList would ignore an IPv6 zone (`%eth0`), which picks the interface to go out on:
    // entries cannot name one, so no address with one is vouched for.
    if (!family || address.includes('%')) return false;
    try {
      return this.addresses.check(address, family);
    } catch {
      return false;
    }
  }

  /**
   * Whether `host` could ever be allowed, without resolving it: an address inside an entry, a
   * name matching an entry, or any other name when the list has address entries (where it
   * resolves decides at query time). Used when a connection is created or its host changed.
   */
  mayAllow(host: string): boolean {
    if (familyOf(host)) return this.containsAddress(host);
    return this.matchesName(host) || this.hasAddressEntries;
  }

  /**
   * Decides where a query for `host` may connect. A name matching an entry is connected to by
   * name; any other name is resolved (within `timeoutMs`) and allowed only when every address
   * is inside an entry, and then the first address is the one to connect to. Aborting `signal`
   * rejects with its reason.
   */
  async check(
    host: string,
    options: { lookup?: HostLookup; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<HostDecision> {
    if (this.allowsAnyHost || this.matchesName(host)) {
      return { allowed: true, connectTo: host, pinned: false };
    }
    if (familyOf(host)) {
      return this.containsAddress(host)
        ? { allowed: true, connectTo: host, pinned: false }
        : { allowed: false };
    }
    // No address entry could take any address the name resolves to: no need to ask DNS.
    if (!this.hasAddressEntries) return { allowed: false };
    const resolved = await resolveWithin(
      options.lookup ?? ((name) => systemLookup(name, { all: true })),
      host,
      options.timeoutMs,
      options.signal,
    );
    if (!resolved || resolved.length === 0) return { allowed: false };
    if (!resolved.every(({ address }) => this.containsAddress(address))) return { allowed: false };
    return { allowed: true, connectTo: resolved[0]!.address, pinned: true };
  }

  /** The entries, so a configuration shown as JSON shows the list. */
  toJSON(): readonly string[] {
    return this.entries;
  }
}

function parseName(entry: string, name: string): string {
  const canonical = canonicalName(name);
  if (!HOSTNAME.test(canonical) || familyOf(canonical)) {
    throw new HostAllowListError(
      entry,
      'is not a host name, *.wildcard, IP address or CIDR range (like db.example.org, *.example.org, 10.0.0.5, 10.20.0.0/16 or fd00::/8)',
    );
  }
  if (NUMERIC_LABEL.test(canonical)) {
    throw new HostAllowListError(
      entry,
      'ends in a numeric label, which resolvers read as an IPv4 address; write the address or a CIDR range instead',
    );
  }
  return canonical;
}

function parseRange(entry: string): [string, number, 'ipv4' | 'ipv6'] {
  const [network = '', prefix = '', ...rest] = entry.split('/');
  const family = familyOf(network);
  const bits = family === 'ipv4' ? 32 : 128;
  if (!family || rest.length > 0 || network.includes('%')) {
    throw new HostAllowListError(
      entry,
      'is not a CIDR range: write an IP address, a slash and a prefix length (10.20.0.0/16, fd00::/8)',
    );
  }
  const length = Number(prefix);
  if (!PREFIX.test(prefix) || length > bits) {
    throw new HostAllowListError(
      entry,
      `has a prefix length that is not a whole number from 0 to ${String(bits)}`,
    );
  }
  // `10.0.0.1/8` is likely a typo for an address or for 10.0.0.0/8: say so rather than guess.
  if (!isNetworkAddress(network, length, family)) {
    throw new HostAllowListError(
      entry,
      `has bits set past the /${String(length)} prefix; write the range's first address (or the single address alone)`,
    );
  }
  return [network, length, family];
}

/** Whether every bit of `address` after the first `length` is zero. */
function isNetworkAddress(address: string, length: number, family: 'ipv4' | 'ipv6'): boolean {
  const bytes = addressBytes(address, family);
  for (let bit = length; bit < bytes.length * 8; bit++) {
    if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) return false;
  }
  return true;
}

function addressBytes(address: string, family: 'ipv4' | 'ipv6'): number[] {
  if (family === 'ipv4') return address.split('.').map(Number);
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) becomes two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = tail
    ? address.slice(0, tail.index) +
      [
        ((Number(tail[1]) << 8) | Number(tail[2])).toString(16),
        ((Number(tail[3]) << 8) | Number(tail[4])).toString(16),
      ].join(':')
    : address;
  const [head = '', rest] = hex.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array<string>(8 - headGroups.length - restGroups.length).fill('0'),
          ...restGroups,
        ];
  return groups.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** The name's addresses, or undefined when it does not resolve within `timeoutMs`. */
async function resolveWithin(
  lookup: HostLookup,
  host: string,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): Promise<readonly { address: string }[] | undefined> {
  signal?.throwIfAborted();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<undefined>((resolve, reject) => {
    if (timeoutMs !== undefined) timer = setTimeout(() => resolve(undefined), timeoutMs);
    onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([lookup(host).catch(() => undefined), stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

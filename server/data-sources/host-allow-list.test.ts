import { describe, expect, it, vi } from 'vitest';
import { HostAllowList, HostAllowListError, type HostLookup } from './index.ts';

/** A resolver that knows only the given names, and records what it was asked. */
function fakeDns(records: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup: HostLookup = async (host) => {
    asked.push(host);
    const addresses = records[host];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, asked };
}

function parseError(text: string): HostAllowListError {
  try {
    HostAllowList.parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(HostAllowListError);
    return error as HostAllowListError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('HostAllowList.parse', () => {
  it('takes an unset or blank setting as "any host"', () => {
    for (const text of [undefined, '', '   ']) {
      const list = HostAllowList.parse(text);
      expect(list).toBe(HostAllowList.ANY);
      expect(list.allowsAnyHost).toBe(true);
      expect(list.mayAllow('127.0.0.1')).toBe(true);
      expect(list.mayAllow('metadata.google.internal')).toBe(true);
    }
  });

  it('reads names, wildcards, addresses and ranges of both families, spaces around them ignored', () => {
    const list = HostAllowList.parse(
      ' db.example.org ,*.Lab.Example.ORG,10.0.0.5, 10.20.0.0/16 ,fd00::/8, 2001:db8::1,::ffff:192.0.2.0/120,pg_1.internal.',
    );
    expect(list.allowsAnyHost).toBe(false);
    expect(list.entries).toEqual([
      'db.example.org',
      '*.Lab.Example.ORG',
      '10.0.0.5',
      '10.20.0.0/16',
      'fd00::/8',
      '2001:db8::1',
      '::ffff:192.0.2.0/120',
      'pg_1.internal.',
    ]);
    expect(JSON.stringify({ list })).toBe(JSON.stringify({ list: list.entries }));
  });

  it('accepts the whole-space ranges and host routes', () => {
    expect(() =>
      HostAllowList.parse('0.0.0.0/0, ::/0, 10.0.0.1/32, ::1/128, 1::/16'),
    ).not.toThrow();
  });

  it.each([
    ['10.0.0.0/33', 'prefix length'],
    ['fd00::/129', 'prefix length'],
    ['10.0.0.0/-1', 'prefix length'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/08', 'prefix length'],
    ['10.0.0.0/8.5', 'prefix length'],
    ['10.0.0.0/ 8', 'prefix length'],
    ['10.0.0.1/8', 'bits set past the /8 prefix'],
    ['fd00::1/8', 'bits set past the /8 prefix'],
    ['::ffff:10.0.0.1/104', 'bits set past the /104 prefix'],
    ['10.0.0/8', 'not a CIDR range'],
    ['db.example.org/24', 'not a CIDR range'],
    ['10.0.0.0/8/8', 'not a CIDR range'],
    ['fe80::%eth0/64', 'not a CIDR range'],
    ['postgres://db.example.org', 'not a CIDR range'],
    ['fe80::1%eth0', 'IPv6 zone'],
    ['010.0.0.1', 'numeric label'],
    ['127.1', 'numeric label'],
    ['2130706433', 'numeric label'],
    ['db.example.123', 'numeric label'],
    ['*.10.0.0', 'numeric label'],
    ['*', 'not a host name'],
    ['*.', 'not a host name'],
    ['**.example.org', 'not a host name'],
    ['*.*.example.org', 'not a host name'],
    ['db*.example.org', 'not a host name'],
    ['example.*', 'not a host name'],
    ['*.10.0.0.1', 'not a host name'],
    ['[::1]', 'not a host name'],
    ['db.example.org:5432', 'not a host name'],
    ['user@db.example.org', 'not a host name'],
    ['-db.example.org', 'not a host name'],
    ['db..example.org', 'not a host name'],
    ['bücher.example.org', 'not a host name'],
    [`${'a'.repeat(64)}.example.org`, 'not a host name'],
    ['db example.org', 'not a host name'],
  ])('refuses %j, naming it', (entry, reason) => {
    const error = parseError(`db.example.org, ${entry}, 10.0.0.0/8`);
    expect(error.entry).toBe(entry);
    expect(error.message).toContain(`"${entry}"`);
    expect(error.message).toContain(reason);
  });

  it.each(['a,,b', 'a,', ',a', ' , '])('refuses the empty entry in %j', (text) => {
    expect(parseError(text).message).toMatch(/^An entry is empty/);
  });
});

describe('names and wildcards', () => {
  const list = HostAllowList.parse('db.example.org, *.lab.example.org');

  it('matches a name exactly, whatever its case or trailing dot', () => {
    for (const host of ['db.example.org', 'DB.Example.Org', 'db.example.org.']) {
      expect(list.matchesName(host)).toBe(true);
      expect(list.mayAllow(host)).toBe(true);
    }
    for (const host of ['db.example.org.evil.com', 'xdb.example.org', 'a.db.example.org', 'db']) {
      expect(list.matchesName(host)).toBe(false);
    }
  });

  it('matches any subdomain of a wildcard, but not the apex nor a name that only ends alike', () => {
    for (const host of ['pg.lab.example.org', 'a.b.lab.example.org', 'PG.LAB.EXAMPLE.ORG.']) {
      expect(list.matchesName(host)).toBe(true);
    }
    for (const host of [
      'lab.example.org',
      'evil-lab.example.org',
      'evillab.example.org',
      'lab.example.org.evil.com',
      'pg.lab.example.org.evil.com',
    ]) {
      expect({ host, matched: list.matchesName(host) }).toEqual({ host, matched: false });
    }
    const apexWildcard = HostAllowList.parse('*.example.org');
    expect(apexWildcard.matchesName('example.org')).toBe(false);
    expect(apexWildcard.matchesName('evil-example.org')).toBe(false);
    expect(apexWildcard.matchesName('db.example.org')).toBe(true);
  });

  it('never lets an address pass as a name', () => {
    const named = HostAllowList.parse('db.example.org');
    expect(named.matchesName('127.0.0.1')).toBe(false);
    expect(named.mayAllow('127.0.0.1')).toBe(false);
    expect(named.mayAllow('::1')).toBe(false);
  });

  it('refuses at once a name no entry matches when the list has no address entries', async () => {
    expect(list.mayAllow('localhost')).toBe(false);
    expect(list.mayAllow('metadata.google.internal')).toBe(false);
    const dns = fakeDns({ localhost: ['10.0.0.1'] });
    expect(await list.check('localhost', { lookup: dns.lookup })).toEqual({ allowed: false });
    expect(dns.asked).toEqual([]);
  });

  it('connects to a matching name by name, without resolving it', async () => {
    const dns = fakeDns({});
    expect(await list.check('pg.lab.example.org', { lookup: dns.lookup })).toEqual({
      allowed: true,
      connectTo: 'pg.lab.example.org',
      pinned: false,
    });
    expect(dns.asked).toEqual([]);
  });
});

describe('addresses and ranges', () => {
  const list = HostAllowList.parse('10.0.0.0/8, 192.0.2.7, fd00::/8, 2001:db8::1');

  it('matches IPv4 addresses inside a range or equal to an entry', () => {
    for (const address of ['10.0.0.0', '10.1.2.3', '10.255.255.255', '192.0.2.7']) {
      expect({ address, allowed: list.mayAllow(address) }).toEqual({ address, allowed: true });
    }
    for (const address of [
      '127.0.0.1',
      '11.0.0.0',
      '9.255.255.255',
      '192.0.2.8',
      '169.254.169.254',
      '0.0.0.0',
    ]) {
      expect({ address, allowed: list.mayAllow(address) }).toEqual({ address, allowed: false });
    }
  });

  it('matches IPv6 addresses inside a range or equal to an entry', () => {
    for (const address of [
      'fd00::1',
      'fdff:ffff::1',
      'FD12:3456::9',
      '2001:db8::1',
      '2001:db8:0::1',
    ]) {
      expect({ address, allowed: list.mayAllow(address) }).toEqual({ address, allowed: true });
    }
    for (const address of ['::1', 'fe80::1', 'fc00::1', '2001:db8::2', '::', 'fd00::1%eth0']) {
      expect({ address, allowed: list.containsAddress(address) }).toEqual({
        address,
        allowed: false,
      });
    }
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address it is', () => {
    expect(list.mayAllow('::ffff:10.1.2.3')).toBe(true);
    expect(list.mayAllow('::ffff:a01:203')).toBe(true);
    expect(list.mayAllow('::ffff:127.0.0.1')).toBe(false);
    expect(list.mayAllow('::ffff:7f00:1')).toBe(false);
  });

  it('refuses 127.0.0.1 when only 10.0.0.0/8 is allowed, at create and at query time', async () => {
    const tenOnly = HostAllowList.parse('10.0.0.0/8');
    expect(tenOnly.mayAllow('127.0.0.1')).toBe(false);
    expect(await tenOnly.check('127.0.0.1')).toEqual({ allowed: false });
    expect(await tenOnly.check('10.9.8.7')).toEqual({
      allowed: true,
      connectTo: '10.9.8.7',
      pinned: false,
    });
  });

  it('takes names for later: any name may be stored when the list has address entries', () => {
    expect(list.mayAllow('localhost')).toBe(true);
    expect(list.mayAllow('db.anywhere.example')).toBe(true);
  });
});

describe('resolving names at query time', () => {
  const list = HostAllowList.parse('10.0.0.0/8, fd00::/8, db.example.org');

  it('allows a name resolving to allowed addresses, and connects to the first address', async () => {
    const dns = fakeDns({ 'warehouse.internal': ['10.1.1.1', 'fd00::5'] });
    expect(await list.check('warehouse.internal', { lookup: dns.lookup })).toEqual({
      allowed: true,
      connectTo: '10.1.1.1',
      pinned: true,
    });
    expect(dns.asked).toEqual(['warehouse.internal']);
  });

  it('refuses a name when any one of its addresses is outside the list', async () => {
    const dns = fakeDns({
      mixed: ['10.1.1.1', '127.0.0.1'],
      'mixed-v6': ['fd00::5', '::1'],
      metadata: ['169.254.169.254'],
    });
    for (const host of ['mixed', 'mixed-v6', 'metadata']) {
      expect(await list.check(host, { lookup: dns.lookup })).toEqual({ allowed: false });
    }
  });

  it('refuses a name that does not resolve, in the same words as one that resolves elsewhere', async () => {
    const dns = fakeDns({ nowhere: [] });
    expect(await list.check('unknown.internal', { lookup: dns.lookup })).toEqual({
      allowed: false,
    });
    expect(await list.check('nowhere', { lookup: dns.lookup })).toEqual({ allowed: false });
  });

  it('refuses an address the resolver returns in a form the list cannot read', async () => {
    const dns = fakeDns({ odd: ['fd00::1%eth0'], junk: ['not-an-address'] });
    expect(await list.check('odd', { lookup: dns.lookup })).toEqual({ allowed: false });
    expect(await list.check('junk', { lookup: dns.lookup })).toEqual({ allowed: false });
  });

  it('refuses localhost when only a range without loopback is listed (the real resolver)', async () => {
    expect(await HostAllowList.parse('10.0.0.0/8, fd00::/8').check('localhost')).toEqual({
      allowed: false,
    });
    // And lets it through to the loopback address it resolves to when loopback is listed.
    const loopback = await HostAllowList.parse('127.0.0.0/8, ::1').check('localhost');
    expect(loopback).toMatchObject({ allowed: true, pinned: true });
    expect(['127.0.0.1', '::1']).toContain((loopback as { connectTo: string }).connectTo);
  });

  it('refuses numeric spellings of loopback, which resolvers read as addresses', async () => {
    for (const host of ['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '0']) {
      expect({ host, decision: await list.check(host) }).toEqual({
        host,
        decision: { allowed: false },
      });
    }
  });

  it('gives up on a resolver that does not answer within the timeout', async () => {
    const hanging: HostLookup = () => new Promise(() => {});
    const started = Date.now();
    expect(await list.check('slow.internal', { lookup: hanging, timeoutMs: 100 })).toEqual({
      allowed: false,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops waiting for the resolver when aborted', async () => {
    const hanging: HostLookup = () => new Promise(() => {});
    const controller = new AbortController();
    const pending = list.check('slow.internal', { lookup: hanging, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const lookup = vi.fn<HostLookup>();
    await expect(
      list.check('x.internal', { lookup, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(lookup).not.toHaveBeenCalled();
  });
});

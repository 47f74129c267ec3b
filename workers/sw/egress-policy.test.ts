/** Unit tests of the egress decision, hostile URL shapes first. */
import { describe, expect, it } from 'vitest';
import {
  decideEgress,
  normaliseAllowList,
  normaliseOrigin,
  type EgressAllowList,
} from './egress-policy.ts';

const self = 'http://127.0.0.1:8080';
const issuer = 'https://id.example.com';
const known: EgressAllowList = { state: 'known', origins: [issuer] };
const unknown: EgressAllowList = { state: 'unknown' };

describe('decideEgress', () => {
  it('lets requests to its own origin through, whatever the path or query', () => {
    for (const url of [`${self}/`, `${self}/api/v1/config`, `${self}/assets/x.js?v=1#frag`]) {
      expect(decideEgress(url, self, known)).toEqual({
        allowed: true,
        reason: 'self',
        origin: self,
      });
    }
  });

  it('lets its own origin through while the allow-list is still unknown', () => {
    expect(decideEgress(`${self}/api/v1/config`, self, unknown).allowed).toBe(true);
  });

  it('lets allow-listed origins through', () => {
    expect(decideEgress(`${issuer}/protocol/openid-connect/token`, self, known)).toEqual({
      allowed: true,
      reason: 'allow-listed',
      origin: issuer,
    });
  });

  it('denies every foreign origin while the allow-list is unknown (fail closed)', () => {
    expect(decideEgress(`${issuer}/token`, self, unknown)).toEqual({
      allowed: false,
      reason: 'allow-list-unknown',
      origin: issuer,
    });
  });

  it('denies origins that are not allow-listed', () => {
    expect(decideEgress('https://evil.test/collect', self, known)).toEqual({
      allowed: false,
      reason: 'not-allow-listed',
      origin: 'https://evil.test',
    });
  });

  it('is not fooled by userinfo that spells an allowed origin', () => {
    for (const url of [
      'http://127.0.0.1:8080@evil.test/',
      'http://127.0.0.1:8080:secret@evil.test/',
      'https://id.example.com@evil.test/',
      'http://user:pass@evil.test:8080/',
    ]) {
      const decision = decideEgress(url, self, known);
      expect(decision.allowed, url).toBe(false);
      expect(decision.origin, url).toMatch(/evil\.test/);
    }
  });

  it('is not fooled by an allowed origin in the path, query, fragment or as a subdomain prefix', () => {
    for (const url of [
      'https://evil.test/http://127.0.0.1:8080',
      'https://evil.test/?next=http://127.0.0.1:8080',
      'https://evil.test#@127.0.0.1:8080',
      'http://127.0.0.1.evil.test:8080/',
      'https://id.example.com.evil.test/',
      'https://evilid.example.com/',
    ]) {
      expect(decideEgress(url, self, known).allowed, url).toBe(false);
    }
  });

  it('treats another port or another scheme of an allowed host as a foreign origin', () => {
    for (const url of [
      'http://127.0.0.1:8081/',
      'http://127.0.0.1/',
      'http://127.0.0.1:80800/',
      'https://127.0.0.1:8080/',
      'http://id.example.com/',
      'https://id.example.com:8443/',
    ]) {
      expect(decideEgress(url, self, known).allowed, url).toBe(false);
    }
  });

  it('matches allowed origins regardless of case and explicit default ports', () => {
    expect(decideEgress('HTTPS://ID.Example.COM:443/x', self, known).allowed).toBe(true);
    expect(decideEgress('HTTP://127.0.0.1:8080/x', self, known).allowed).toBe(true);
  });

  it('treats a trailing dot as another origin, as the browser does', () => {
    expect(decideEgress('https://id.example.com./token', self, known)).toMatchObject({
      allowed: false,
      origin: 'https://id.example.com.',
    });
    expect(decideEgress('http://localhost.:8080/', 'http://localhost:8080', known).allowed).toBe(
      false,
    );
  });

  it('follows the URL parser for numeric spellings of an IPv4 host, since that is where the request goes', () => {
    expect(decideEgress('http://2130706433:8080/', self, known).reason).toBe('self');
    expect(decideEgress('http://0x7f.0.0.1:8080/', self, known).reason).toBe('self');
    expect(decideEgress('http://2130706434:8080/', self, known).allowed).toBe(false);
  });

  it('handles IPv6 hosts', () => {
    const v6Self = 'http://[::1]:8080';
    expect(decideEgress('http://[0:0:0:0:0:0:0:1]:8080/x', v6Self, known).reason).toBe('self');
    expect(decideEgress('http://[::2]:8080/', v6Self, known).allowed).toBe(false);
    expect(decideEgress('http://[::ffff:127.0.0.1]:8080/', self, known).allowed).toBe(false);
    expect(
      decideEgress('http://[::1]:8080/', self, { state: 'known', origins: ['http://[::1]:8080'] })
        .reason,
    ).toBe('allow-listed');
  });

  it('denies non-network schemes, even ones whose origin is our own', () => {
    for (const url of [
      'data:text/plain,hello',
      `blob:${self}/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed`,
      'javascript:alert(1)',
      'file:///etc/passwd',
      'ftp://evil.test/',
      'ws://127.0.0.1:8080/',
      'wss://id.example.com/',
      'chrome-extension://abc/x.js',
    ]) {
      expect(decideEgress(url, self, known), url).toEqual({
        allowed: false,
        reason: 'unsupported-scheme',
        origin: null,
      });
    }
  });

  it('denies what is not an absolute URL', () => {
    for (const url of ['', '/api/v1/config', '//evil.test/', 'not a url', 'http://']) {
      expect(decideEgress(url, self, known), url).toMatchObject({ allowed: false, origin: null });
    }
  });
});

describe('normaliseAllowList', () => {
  it('keeps bare http(s) origins, normalised', () => {
    expect(
      normaliseAllowList([
        'HTTPS://ID.example.com:443',
        'https://id.example.com/',
        'http://[::1]:9000',
      ]),
    ).toEqual(['https://id.example.com', 'http://[::1]:9000']);
  });

  it('drops entries that are not bare origins instead of widening them to their origin', () => {
    expect(
      normaliseAllowList([
        '*',
        'null',
        'evil.test',
        'https://evil.test/path',
        'https://evil.test/?q=1',
        'https://evil.test/#f',
        'https://user@evil.test',
        'data:text/plain,x',
        'ws://evil.test',
      ]),
    ).toEqual([]);
  });
});

describe('normaliseOrigin', () => {
  it('returns the origin of http(s) URLs only', () => {
    expect(normaliseOrigin('https://Example.com:443/a?b#c')).toBe('https://example.com');
    expect(normaliseOrigin('blob:https://example.com/x')).toBeNull();
    expect(normaliseOrigin('nonsense')).toBeNull();
  });
});

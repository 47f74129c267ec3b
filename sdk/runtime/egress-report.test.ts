import { describe, expect, it } from 'vitest';
import {
  BLOCKED_URI_MAX_LENGTH,
  EGRESS_PRELUDE,
  blockedUriOf,
  cappedEgressReporter,
  egressReport,
} from './egress-report.ts';
import type { EgressBlockedMessage } from '../src/protocol.ts';

describe('blockedUriOf', () => {
  it('keeps origin and path only: no credentials, query or fragment a plugin put there', () => {
    expect(blockedUriOf('https://user:secret@evil.test:8443/a/b?token=s3cret#frag')).toBe(
      'https://evil.test:8443/a/b',
    );
    expect(blockedUriOf('wss://evil.test/socket?x=1')).toBe('wss://evil.test/socket');
    const long = blockedUriOf(`https://evil.test/${'x'.repeat(1000)}`);
    expect(long).toHaveLength(BLOCKED_URI_MAX_LENGTH);
    expect(long.startsWith('https://evil.test/xxx')).toBe(true);
  });

  it('reduces other URLs to their scheme and keeps the browser keywords', () => {
    expect(blockedUriOf('data:text/plain,secret-data')).toBe('data');
    expect(blockedUriOf('blob:https://x.test/0f6c')).toBe('blob');
    expect(blockedUriOf('javascript:alert(document.cookie)')).toBe('javascript');
    for (const keyword of ['inline', 'eval', 'wasm-eval', 'trusted-types-sink'])
      expect(blockedUriOf(keyword)).toBe(keyword);
    expect(blockedUriOf('not a url at all <script>')).toBe('invalid');
    expect(blockedUriOf('')).toBe('invalid');
  });

  it('is idempotent, so the host can check that a report is reduced', () => {
    for (const raw of ['https://a.test/p?q', 'data:x', 'eval', `http://b.test/${'y'.repeat(500)}`])
      expect(blockedUriOf(blockedUriOf(raw))).toBe(blockedUriOf(raw));
  });
});

describe('egressReport', () => {
  it('builds a report for an allowed directive only', () => {
    expect(egressReport('connect-src', 'https://evil.test/leak?d=1')).toEqual({
      kind: 'egress_blocked',
      directive: 'connect-src',
      blockedUri: 'https://evil.test/leak',
    });
    expect(egressReport('sandbox', 'https://evil.test/')).toBeNull();
    expect(egressReport('__proto__', 'https://evil.test/')).toBeNull();
    expect(egressReport('connect-src', 42)).toBeNull();
    expect(egressReport({ toString: () => 'connect-src' }, 'x')).toBeNull();
  });
});

describe('cappedEgressReporter', () => {
  it('passes on at most the cap, then drops silently', () => {
    const sent: EgressBlockedMessage[] = [];
    const report = cappedEgressReporter((message) => sent.push(message), 2);
    for (let i = 0; i < 5; i += 1)
      report({ kind: 'egress_blocked', directive: 'img-src', blockedUri: 'data' });
    expect(sent).toHaveLength(2);
  });
});

describe('EGRESS_PRELUDE', () => {
  it('posts a violation through the postMessage it kept, even after the plugin replaced it', () => {
    const listeners: ((event: unknown) => void)[] = [];
    const posted: unknown[] = [];
    const scope = {
      postMessage: (message: unknown) => posted.push(message),
      addEventListener: (type: string, listener: (event: unknown) => void, capture: boolean) => {
        expect(type).toBe('securitypolicyviolation');
        expect(capture).toBe(true);
        listeners.push(listener);
      },
    };
    new Function('self', EGRESS_PRELUDE)(scope);
    scope.postMessage = () => 0;
    listeners[0]!({ effectiveDirective: 'connect-src', blockedURI: 'https://evil.test/x?y' });
    expect(posted).toEqual([
      { kind: 'egress_blocked', directive: 'connect-src', blockedUri: 'https://evil.test/x?y' },
    ]);
  });
});

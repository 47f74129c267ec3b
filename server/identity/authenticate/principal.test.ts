/**
 * The session id a principal takes from its token: kept as the issuer wrote it when it is a
 * plain identifier, dropped (null) when it is not, so a hostile or odd `sid` can neither break
 * a request nor smuggle text into the audit trail, its CSV export or a log line.
 */
import { describe, expect, it } from 'vitest';
import { SESSION_ID_PATTERN, sessionIdFrom } from './principal.ts';

describe('sessionIdFrom', () => {
  it.each([
    ['gTL2wHBMu3ysLQ5S7oOXr', 'our provider (a nanoid)'],
    ['5b1b2b8e-7f3c-4b8a-9a51-0e8f3c1d2a44', 'Keycloak (a UUID)'],
    ['00a1b2c3-d4e5-f6a7-b8c9-d0e1f2a3b4c5', 'Entra ID (a GUID)'],
    ['Fu0aq7Hx~3nZ.k:9@x/y+z=', 'an opaque string'],
    ['s'.repeat(128), 'the longest kept'],
  ])('keeps %s (%s)', (sid) => {
    expect(sessionIdFrom({ sid })).toBe(sid);
  });

  it.each([
    [undefined],
    [null],
    [42],
    [{ toString: () => 'abc' }],
    [['abc']],
    [''],
    ['s'.repeat(129)],
    ['a,b'],
    ['a b'],
    ['line\nbreak'],
    ['"quoted"'],
    ["' OR '1'='1"],
    ['nul\u0000byte'],
    ['lone \ud83d half'],
    ['ünïcode'],
    ['back\\slash'],
    ['<script>'],
  ])('drops %j', (sid) => {
    expect(sessionIdFrom({ sid })).toBeNull();
  });

  it('reads only `sid`', () => {
    expect(sessionIdFrom({ session_state: 'abc', sessionId: 'abc' })).toBeNull();
  });

  it('keeps only what the audit filter accepts back', () => {
    expect(SESSION_ID_PATTERN.test('gTL2wHBMu3ysLQ5S7oOXr')).toBe(true);
    expect(SESSION_ID_PATTERN.test('gTL2wHBMu3ysLQ5S7oOXr\n')).toBe(false);
  });
});

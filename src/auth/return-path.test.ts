/** Unit tests of the return-path check that guards the navigation after sign-in. */
import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './return-path.ts';

const origin = 'https://enclave.example';

describe('safeReturnPath', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    expect(safeReturnPath('/', origin)).toBe('/');
    expect(safeReturnPath('/data', origin)).toBe('/data');
    expect(safeReturnPath('/data?sort=name&dir=asc#row-3', origin)).toBe(
      '/data?sort=name&dir=asc#row-3',
    );
    expect(safeReturnPath('/projects/%2F%2Fevil.example', origin)).toBe(
      '/projects/%2F%2Fevil.example',
    );
  });

  it('normalises dot segments without leaving the origin', () => {
    expect(safeReturnPath('/data/../admin', origin)).toBe('/admin');
    expect(safeReturnPath('/../../etc', origin)).toBe('/etc');
  });

  it('refuses other sites, however they are spelled', () => {
    for (const candidate of [
      '//evil.example',
      '//evil.example/x',
      'https://evil.example/x',
      'http://enclave.example/x',
      'https://enclave.example.evil.example/',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      ' //evil.example',
      'evil.example',
    ]) {
      expect(safeReturnPath(candidate, origin), candidate).toBe('/');
    }
  });

  it('refuses script and data URLs', () => {
    for (const candidate of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
    ]) {
      expect(safeReturnPath(candidate, origin), candidate).toBe('/');
    }
  });

  it('refuses absolute URLs even on the same origin, and relative paths', () => {
    expect(safeReturnPath('https://enclave.example/data', origin)).toBe('/');
    expect(safeReturnPath('data', origin)).toBe('/');
    expect(safeReturnPath('?x=1', origin)).toBe('/');
    expect(safeReturnPath('#top', origin)).toBe('/');
  });

  it('does not return into the sign-in flow', () => {
    expect(safeReturnPath('/auth/callback?code=abc&state=xyz', origin)).toBe('/');
    expect(safeReturnPath('/auth/signed-out', origin)).toBe('/');
  });

  it('falls back for missing, non-string and oversized values', () => {
    expect(safeReturnPath(undefined, origin)).toBe('/');
    expect(safeReturnPath(null, origin)).toBe('/');
    expect(safeReturnPath(42, origin)).toBe('/');
    expect(safeReturnPath({ returnTo: '/data' }, origin)).toBe('/');
    expect(safeReturnPath('', origin)).toBe('/');
    expect(safeReturnPath(`/${'a'.repeat(5000)}`, origin)).toBe('/');
    expect(safeReturnPath('//evil.example', origin, '/data')).toBe('/data');
  });
});

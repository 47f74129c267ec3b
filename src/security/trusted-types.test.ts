/** Unit tests of the same-origin rule behind the `enclave` Trusted Types policy. */
import { describe, expect, it } from 'vitest';
import { sameOriginScriptUrl } from './trusted-types.ts';

const origin = 'http://127.0.0.1:8080';

describe('sameOriginScriptUrl', () => {
  it('resolves same-origin paths and URLs', () => {
    expect(sameOriginScriptUrl('/sw.js', origin)).toBe(`${origin}/sw.js`);
    expect(sameOriginScriptUrl(`${origin}/assets/engine.js`, origin)).toBe(
      `${origin}/assets/engine.js`,
    );
  });

  it('refuses other origins, however they are spelled', () => {
    for (const input of [
      'https://cdn.test/x.js',
      '//cdn.test/x.js',
      'http://127.0.0.1:8080@cdn.test/x.js',
      'http://127.0.0.1:8081/x.js',
      'https://127.0.0.1:8080/x.js',
    ]) {
      expect(() => sameOriginScriptUrl(input, origin), input).toThrow(TypeError);
    }
  });

  it('refuses non-network schemes, including same-origin blob URLs', () => {
    for (const input of [
      'data:text/javascript,alert(1)',
      `blob:${origin}/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed`,
      'javascript:alert(1)',
    ]) {
      expect(() => sameOriginScriptUrl(input, origin), input).toThrow(TypeError);
    }
  });
});

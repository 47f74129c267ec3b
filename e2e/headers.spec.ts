/**
 * The security headers as the browser receives them, and the service worker script as the
 * browser needs it: served from the root, as JavaScript, never stale.
 */
import { expect, test } from './support/fixtures.ts';
import { PLUGIN_ORIGIN } from './support/plugin-origin.ts';

/** The CSP as a map from directive to its sources. */
function parseCsp(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

test('documents carry the strict CSP and the other security headers', async ({ page, request }) => {
  const config = (await (await request.get('/api/v1/config')).json()) as { oidcIssuer: string };
  const issuerOrigin = new URL(config.oidcIssuer).origin;

  for (const path of ['/', '/data', '/no/such/page']) {
    const response = await page.goto(path);
    if (!response) throw new Error(`No response for ${path}`);
    const headers = response.headers();
    const csp = parseCsp(headers['content-security-policy'] ?? '');
    const origin = new URL(response.url()).origin;
    const expected: Record<string, string[]> = {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'"],
      'worker-src': ["'self'"],
      'manifest-src': ["'self'"],
      'media-src': ["'none'"],
      // Plugin frames, from the plugin site only (so a plugin cannot navigate its frame away).
      'frame-src': [PLUGIN_ORIGIN],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
      'require-trusted-types-for': ["'script'"],
      'trusted-types': ['enclave'],
    };
    for (const [directive, sources] of Object.entries(expected)) {
      expect(csp.get(directive), `${path}: ${directive}`).toEqual(sources);
    }
    // Only ourselves and the issuer: the page's own origin may appear spelled out too.
    const allowed = new Set(["'self'", origin, issuerOrigin]);
    for (const directive of ['connect-src', 'form-action']) {
      const sources = csp.get(directive) ?? [];
      expect(sources, `${path}: ${directive}`).toContain("'self'");
      expect(
        sources.filter((source) => !allowed.has(source)),
        `${path}: ${directive}`,
      ).toEqual([]);
    }
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['x-frame-options']).toBe('DENY');
    const permissions = headers['permissions-policy'] ?? '';
    for (const feature of ['camera', 'microphone', 'geolocation', 'usb', 'payment']) {
      expect(permissions, feature).toContain(`${feature}=()`);
    }
  }
});

test('/sw.js is served from the root as JavaScript and revalidated on every load', async ({
  request,
}) => {
  const response = await request.get('/sw.js');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^(text|application)\/javascript\b/);
  expect(response.headers()['cache-control']).toBe('no-cache');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  const body = await response.text();
  expect(body).toContain('egress_blocked');
  expect(body).not.toContain('self.__WB_MANIFEST');
});

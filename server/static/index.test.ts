import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-server.ts';

describe('the static site', () => {
  let root: string;
  let server: TestServer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'enclave-static-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Enclave</title>');
    await writeFile(path.join(root, 'assets', 'app-1234.js'), 'console.log(1)');
    await writeFile(path.join(root, 'sw.js'), 'self.addEventListener("fetch", () => {})');
    await mkdir(path.join(root, 'plugins', 'enclave.chart'), { recursive: true });
    await writeFile(path.join(root, 'plugins', 'enclave.chart', 'worker.js'), 'plugin-code-91c2');
    await mkdir(path.join(root, 'plugin-runtime'));
    await writeFile(path.join(root, 'plugin-runtime', 'enclave-runtime.js'), 'runtime-code-91c2');
    await writeFile(path.join(os.tmpdir(), 'enclave-secret.txt'), 'outside-content-7f3a');
    server = await startTestServer({ env: { STATIC_DIR: root } });
  });
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves the document for the root and for client-side routes, revalidated', async () => {
    for (const target of ['/', '/projects', '/data/some-dataset']) {
      const response = await fetch(`${server.url}${target}`);
      expect(response.status, target).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>Enclave</title>');
    }
  });

  it('caches hashed assets for good and the service worker not at all', async () => {
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    const worker = await fetch(`${server.url}/sw.js`);
    expect(worker.headers.get('cache-control')).toBe('no-cache');
  });

  it('does not answer API paths or missing files with the document', async () => {
    const api = await fetch(`${server.url}/api/v1/unknown`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${server.url}/api/v2/unknown`)).status).toBe(404);
    // Under /oidc nothing is the app's: an unknown provider path is not answered with the document.
    const provider = await fetch(`${server.url}/oidc/no-such-endpoint`);
    expect(await provider.text()).not.toContain('<title>Enclave</title>');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it('leaves the built plugins and their runtime to the plugin site', async () => {
    for (const target of [
      '/plugins/enclave.chart/worker.js',
      '/plugin-runtime/enclave-runtime.js',
      '/plugins/enclave.chart/missing.js',
    ]) {
      const response = await fetch(`${server.url}${target}`);
      expect(response.status, target).toBe(404);
      expect(await response.text(), target).not.toContain('-code-91c2');
    }
    const page = await fetch(`${server.url}/plugins`);
    expect(await page.text()).toContain('<title>Enclave</title>');
  });

  it('never serves a file outside its folder', async () => {
    for (const target of [
      '/../enclave-secret.txt',
      '/%2e%2e/enclave-secret.txt',
      '/assets/..%2f..%2fenclave-secret.txt',
    ]) {
      const response = await fetch(`${server.url}${target}`);
      expect(await response.text(), target).not.toContain('outside-content-7f3a');
    }
  });
});

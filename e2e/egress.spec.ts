/**
 * Egress: a request from the app to a foreign origin never leaves the browser. A local listener
 * on another port plays the foreign origin and counts what reaches it. With the app's CSP the
 * browser refuses the requests; with the CSP bypassed, the service worker still answers them
 * with 451. A control run without the service worker proves the listener and the probes work.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { cspViolations, expect, test, waitForServiceWorker } from './support/fixtures.ts';

interface Listener {
  origin: string;
  hits: string[];
}

const listenerTest = test.extend<{ listener: Listener }>({
  // Playwright reads a fixture's dependencies from this pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  listener: async ({}, use) => {
    const hits: string[] = [];
    const server: Server = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      // Permissive CORS, so that a request that got through would succeed visibly.
      response.writeHead(200, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': '*',
        'Access-Control-Allow-Headers': '*',
        'Content-Type': 'text/plain',
      });
      response.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await use({ origin: `http://127.0.0.1:${port}`, hits });
    // The browser keeps connections alive; close them or `close` waits for them.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },
});

/** What each kind of request from the page ended in. */
interface ProbeResults {
  fetch: Record<string, string>;
  beacon: string;
  image: string;
  worker: string;
}

/** Fires every kind of request at the foreign origin from inside the page. */
function probe(page: Page, foreign: string): Promise<ProbeResults> {
  return page.evaluate(async (target) => {
    const fetchResults: Record<string, string> = {};
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      try {
        const response = await fetch(`${target}/fetch-${method}`, {
          method,
          body: method === 'GET' ? undefined : 'secret=1',
        });
        const body = (await response.json().catch(() => null)) as {
          error?: { code?: string };
        } | null;
        fetchResults[method] = `${response.status} ${body?.error?.code ?? ''}`.trim();
      } catch (error) {
        fetchResults[method] = `refused: ${(error as Error).name}`;
      }
    }
    let beacon: string;
    try {
      beacon = String(navigator.sendBeacon(`${target}/beacon`, 'secret=1'));
    } catch (error) {
      beacon = `refused: ${(error as Error).name}`;
    }
    const loadImage = (src: string) =>
      new Promise<string>((resolve) => {
        const image = new Image();
        image.onload = () => resolve('loaded');
        image.onerror = () => resolve('failed');
        image.src = src;
      });
    const image = await loadImage(`${target}/image.png`);
    let worker: string;
    try {
      const source = `fetch(${JSON.stringify(`${target}/worker`)}, { method: 'POST', body: 'x' })
        .then((r) => postMessage('status ' + r.status), (e) => postMessage('refused: ' + e.name));`;
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const instance = new Worker(url);
      worker = await new Promise<string>((resolve) => {
        instance.onmessage = (event) => resolve(String(event.data));
        instance.onerror = () => resolve('worker failed');
        setTimeout(() => resolve('worker timed out'), 5000);
      });
    } catch (error) {
      worker = `refused: ${(error as Error).name}`;
    }
    return { fetch: fetchResults, beacon, image, worker };
  }, foreign);
}

/** Beacons are sent after `sendBeacon` returns; give stragglers time to arrive before counting. */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(1500);
}

listenerTest('control: the listener counts requests that reach it', async ({ listener }) => {
  const response = await fetch(`${listener.origin}/from-node`, { method: 'POST', body: 'x' });
  expect(response.status).toBe(200);
  expect(listener.hits).toEqual(['POST /from-node']);
});

listenerTest(
  'with the app CSP, requests to a foreign origin are refused in the page',
  async ({ page, listener }) => {
    await page.goto('/');
    await waitForServiceWorker(page);
    const results = await probe(page, listener.origin);
    await settle(page);

    expect(results.fetch).toEqual({
      GET: 'refused: TypeError',
      POST: 'refused: TypeError',
      PUT: 'refused: TypeError',
      DELETE: 'refused: TypeError',
    });
    expect(results.image).toBe('failed');
    // Trusted Types refuse a plain string (and worker-src a blob: URL) for a worker script.
    expect(results.worker).toBe('refused: TypeError');
    const violations = await cspViolations(page);
    expect(violations.some((line) => line.startsWith('connect-src'))).toBe(true);
    expect(violations.some((line) => line.startsWith('img-src'))).toBe(true);
    expect(listener.hits).toEqual([]);
  },
);

listenerTest.describe('with the CSP bypassed', () => {
  listenerTest.use({ bypassCSP: true });

  listenerTest(
    'the service worker answers 451 and nothing reaches the listener',
    async ({ page, listener }) => {
      await page.goto('/');
      await waitForServiceWorker(page);
      const results = await probe(page, listener.origin);
      await settle(page);

      expect(results.fetch).toEqual({
        GET: '451 egress_blocked',
        POST: '451 egress_blocked',
        PUT: '451 egress_blocked',
        DELETE: '451 egress_blocked',
      });
      expect(results.image).toBe('failed');
      expect(results.worker).toBe('status 451');
      expect(listener.hits).toEqual([]);

      // Same-origin requests still work through the worker.
      const health = await page.evaluate(() => fetch('/healthz').then((r) => r.status));
      expect(health).toBe(200);
    },
  );

  listenerTest.describe('and no service worker (control)', () => {
    listenerTest.use({ serviceWorkers: 'block' });

    listenerTest('the same requests do reach the listener', async ({ page, listener }) => {
      await page.goto('/');
      const results = await probe(page, listener.origin);
      expect(results.fetch).toEqual({ GET: '200', POST: '200', PUT: '200', DELETE: '200' });
      expect(results.worker).toBe('status 200');
      await expect
        .poll(() => [...new Set(listener.hits.map((hit) => hit.split('?')[0]))].sort())
        .toEqual(
          expect.arrayContaining([
            'GET /fetch-GET',
            'POST /fetch-POST',
            'PUT /fetch-PUT',
            'DELETE /fetch-DELETE',
            'POST /beacon',
            'GET /image.png',
            'POST /worker',
          ]),
        );
    });
  });
});

/**
 * Plugin isolation against hostile plugins (e2e/plugins/hostile): each plugin tries one escape
 * from inside its worker and reports what happened in its panel; the test proves the escape
 * failed (an HTTP listener and a UDP "STUN server" on other loopback ports count zero, the
 * report says blocked or undefined), and that the host keeps working (the grid still filters,
 * the plugin or another one still answers, the user is told when a plugin is terminated).
 * Escapes a plugin's worker cannot even attempt (its frame's document is the runtime's) are
 * run in the frame's document through Playwright: forged messages to the page's window,
 * navigation, pop-ups, forms, downloads, reading the parent's DOM, cookies and storage.
 *
 * Every hostile plugin is published the way an author would: manifest with SHA-256 hashes,
 * zipped, uploaded by the admin through `POST /api/v1/plugins`. Bob approves their permissions
 * (once through the consent dialog, else through the API) and runs them from the workbench.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startEgressListeners, type EgressListeners } from './support/egress-listeners.ts';
import { apiAs, APP_URL, type PluginApi } from './support/plugin-api.ts';
import {
  BUNDLED_FIXTURES_DIR,
  HOSTILE_DIR,
  packagePlugin,
  pluginsDirFor,
  sha256Hex,
  workerScript,
  zipPlugin,
  type PluginPackage,
} from './support/plugin-fixtures.ts';
import {
  assayCsv,
  expectTerminated,
  expectWorkbenchWorks,
  launchPlugin,
  openCsv,
  readReport,
  runDialog,
  type RunningPlugin,
} from './support/plugin-ui.ts';
import { expect, signIn, test } from './support/fixtures.ts';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The corpus folders uploaded before the tests. */
const CORPUS = [
  'fetch',
  'xhr',
  'websocket',
  'eventsource',
  'import-scripts',
  'dynamic-import',
  'beacon-font',
  'webrtc',
  'svg',
  'view-tree',
  'browser-storage',
  'proto',
  'not-granted',
  'columns',
  'unknown-method',
  'busy-loop',
  'memory-hog',
  'flood',
  'storage-owner',
  'storage-thief',
  'frame-target',
] as const;
type CorpusName = (typeof CORPUS)[number];

/** Consented through the dialog in its test, not through the API. */
const CONSENTED_IN_UI: CorpusName = 'fetch';

const nonce = Math.random().toString(36).slice(2);
let egress: EgressListeners;
let alice: PluginApi;
let bob: PluginApi;
const published = new Map<CorpusName, PluginPackage>();

function nameOf(plugin: CorpusName): string {
  return published.get(plugin)!.manifest.name;
}

test.beforeAll(async () => {
  // Two sign-ins and twenty uploads, each hashed and stored by the server.
  test.setTimeout(180_000);
  egress = await startEgressListeners();
  alice = await apiAs('alice');
  bob = await apiAs('bob');
  for (const name of CORPUS) {
    const plugin = packagePlugin(path.join(HOSTILE_DIR, name), {
      __LISTENER__: egress.http.origin,
      __STUN__: egress.udp.stunUrl,
      __NONCE__: nonce,
    });
    const upload = await alice.call('POST', '/plugins', zipPlugin(plugin), {
      'content-type': 'application/zip',
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    expect(upload.body).toMatchObject({ id: plugin.manifest.id, source: 'uploaded' });
    if (name !== CONSENTED_IN_UI) {
      const consent = await bob.call('PUT', `/plugins/${plugin.manifest.id}/consent`, {
        permissions: plugin.manifest.permissions,
      });
      expect(consent.status, JSON.stringify(consent.body)).toBe(200);
    }
    published.set(name, plugin);
  }
});

test.afterAll(async () => {
  await egress.close();
});

/** Bob, the workbench on a small CSV, and one hostile plugin running on it. */
async function runHostile(
  page: Page,
  plugin: CorpusName,
  columns: readonly string[] = ['compound', 'dose_mg'],
): Promise<RunningPlugin> {
  await signIn(page, 'bob', '/data');
  await openCsv(page, `assay-${plugin}.csv`, assayCsv());
  const permissions = published.get(plugin)!.manifest.permissions;
  return launchPlugin(page, nameOf(plugin), permissions.includes('data:read') ? { columns } : {});
}

/** Nothing reached either listener (after a moment for late requests, e.g. beacons). */
async function expectNothingReached(page: Page): Promise<void> {
  await page.waitForTimeout(1000);
  expect(egress.seen()).toEqual([]);
}

/** Every outcome of a report is a refusal: no `reached`, at any depth. */
function expectNoneReached(report: Record<string, unknown>): void {
  const reached = Object.entries(report).filter(
    ([, outcome]) => typeof outcome === 'string' && outcome.startsWith('reached'),
  );
  expect(reached).toEqual([]);
}

const blocked = expect.stringMatching(/^blocked: /);

test.describe('controls', () => {
  test('the listeners count what reaches them', async () => {
    const control = await startEgressListeners();
    try {
      const response = await fetch(`${control.http.origin}/from-node`, {
        method: 'POST',
        body: 'x',
      });
      expect(response.status).toBe(200);
      const { createSocket } = await import('node:dgram');
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) =>
        socket.send('stun?', control.udp.port, '127.0.0.1', () => resolve()),
      );
      socket.close();
      await expect
        .poll(() => control.seen())
        .toEqual(['POST /from-node', '1 TCP connection(s)', '1 UDP packet(s)']);
    } finally {
      await control.close();
    }
  });

  test('WebRTC in a page does reach the STUN listener: the channel the worker closes', async ({
    page,
  }) => {
    const control = await startEgressListeners();
    try {
      await page.goto('about:blank');
      await page.evaluate(async (stunUrl) => {
        const connection = new RTCPeerConnection({ iceServers: [{ urls: stunUrl }] });
        connection.createDataChannel('control');
        await connection.setLocalDescription(await connection.createOffer());
      }, control.udp.stunUrl);
      await expect.poll(() => control.udp.packets(), { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await control.close();
    }
  });
});

test.describe('network from the plugin worker', () => {
  test('fetch, through the consent dialog', async ({ page }) => {
    await signIn(page, 'bob', '/data');
    await openCsv(page, 'assay-fetch.csv', assayCsv());
    const name = nameOf('fetch');
    const plugin = await launchPlugin(page, name, { approve: false });
    // The first launch asks, in plain words, for what the manifest lists.
    const dialog = runDialog(page);
    await expect(dialog.getByRole('heading', { name: `Allow ${name} to…` })).toBeVisible();
    await expect(
      dialog.getByRole('list', { name: 'Permissions' }).getByRole('listitem'),
    ).toHaveText(['Show a panel beside your data']);
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    const report = await readReport(plugin);
    expect(report).toEqual({
      get: blocked,
      post: blocked,
      noCors: blocked,
      keepalive: blocked,
      request: blocked,
    });
    await expectNothingReached(page);
    await expectWorkbenchWorks(page);

    // The frame's CSP blocked each request in the worker; although the plugin swallows the
    // violation events, the runtime's prelude saw them first and the browser reported each as a
    // client event of the plugin, by bob, reduced to origin and path.
    const pluginId = published.get('fetch')!.manifest.id;
    const me = (await bob.call<{ id: string }>('GET', '/me')).body.id;
    const blockedEgress = async () =>
      (
        await bob.call<{ events: Record<string, unknown>[] }>(
          'GET',
          `/audit?actorPlugin=${pluginId}&action=plugin.egress_blocked`,
        )
      ).body.events;
    await expect.poll(async () => (await blockedEgress()).length, { timeout: 10_000 }).toBe(5);
    const events = await blockedEgress();
    for (const event of events) {
      expect(event).toMatchObject({
        source: 'client',
        actorPlugin: pluginId,
        actorUserId: me,
        outcome: 'denied',
        details: { directive: 'connect-src', blockedUri: expect.any(String) },
      });
    }
    const blockedUris = events.map((event) => (event.details as { blockedUri: string }).blockedUri);
    expect(blockedUris).toContain(`${egress.http.origin}/fetch-get`);
    expect(blockedUris.every((uri) => uri.startsWith(`${egress.http.origin}/`))).toBe(true);
  });

  for (const [plugin, expected] of [
    ['xhr', { async: blocked, sync: blocked }],
    ['websocket', { websocket: blocked }],
    ['eventsource', { eventsource: blocked }],
    ['import-scripts', { importScripts: blocked, worker: blocked, blobWorker: blocked }],
    ['dynamic-import', { remote: blocked, data: blocked, blob: blocked }],
  ] as const) {
    test(`${plugin}`, async ({ page }) => {
      const running = await runHostile(page, plugin);
      expect(await readReport(running)).toEqual(expected);
      await expectNothingReached(page);
      await expectWorkbenchWorks(page);
    });
  }

  test('beacon, image, font and service worker', async ({ page }) => {
    const running = await runHostile(page, 'beacon-font');
    const report = await readReport(running);
    expectNoneReached(report);
    expect(report).toMatchObject({ sendBeacon: 'undefined', image: 'undefined', font: blocked });
    await expectNothingReached(page);
  });

  test('WebRTC does not exist in the worker; no STUN or QUIC packet leaves', async ({ page }) => {
    const running = await runHostile(page, 'webrtc');
    const report = await readReport(running);
    expect(report).toMatchObject({
      RTCPeerConnection: 'undefined',
      webkitRTCPeerConnection: 'undefined',
      dataChannel: 'blocked: TypeError',
      peerConnection: 'blocked: ReferenceError',
    });
    expectNoneReached(report);
    await page.waitForTimeout(2000);
    expect(egress.udp.packets()).toBe(0);
    await expectNothingReached(page);
  });
});

test.describe('markup the plugin draws', () => {
  test('SVG with external references, scripts and links is drawn without them', async ({
    page,
  }) => {
    const running = await runHostile(page, 'svg');
    const report = await readReport(running);
    expect(report.uiSvg).toMatch(/^(ok|error: invalid_params)$/);
    const frame = await running.handle();
    const left = await frame.evaluate(() => {
      const body = document.body;
      const external = (value: string | null) => value !== null && !value.startsWith('#');
      return {
        active: body.querySelectorAll(
          'script, foreignObject, iframe, img, use, feImage, set, animate',
        ).length,
        externalHrefs: [...body.querySelectorAll('*')].filter(
          (element) =>
            external(element.getAttribute('href')) ||
            external(element.getAttributeNS('http://www.w3.org/1999/xlink', 'href')),
        ).length,
        urlInStyle: [...body.querySelectorAll('style, [style]')].filter((element) =>
          /url\(|@import|@font-face/i.test(
            element.tagName.toLowerCase() === 'style'
              ? (element.textContent ?? '')
              : (element.getAttribute('style') ?? ''),
          ),
        ).length,
        handlers: [...body.querySelectorAll('*')].filter((element) =>
          element.getAttributeNames().some((name) => name.startsWith('on')),
        ).length,
        drawn: body.textContent?.includes('svg drawn') ?? false,
      };
    });
    expect(left).toEqual({
      active: 0,
      externalHrefs: 0,
      urlInStyle: 0,
      handlers: 0,
      drawn: true,
    });
    // Clicking what was a link navigates nowhere; the plugin's frame is still there.
    await running.frame.getByText('svg link').click();
    await expect(running.frame.getByText(/^report: /)).toBeVisible();
    await expectNothingReached(page);
  });

  test('HTML in view-tree strings is shown as text; invented node types draw nothing', async ({
    page,
  }) => {
    const running = await runHostile(page, 'view-tree');
    const report = await readReport(running);
    expect(report).toEqual({
      html: 'error: invalid_params',
      image: 'error: invalid_params',
      iframe: 'error: invalid_params',
      style: 'error: invalid_params',
      extraProperty: 'error: invalid_params',
    });
    await expect(running.frame.getByText(/^<img src=/).first()).toBeVisible();
    const frame = await running.handle();
    const elements = await frame.evaluate(
      () =>
        document.body.querySelectorAll(
          'img, link, meta, style, iframe, object, embed, a[href], base',
        ).length,
    );
    expect(elements).toBe(0);
    await expectNothingReached(page);
  });
});

test.describe('storage and the windows above', () => {
  test('the worker reaches no browser storage, cookies or parent window', async ({ page }) => {
    const running = await runHostile(page, 'browser-storage');
    const report = await readReport(running);
    expectNoneReached(report);
    expect(report).toMatchObject({
      indexedDB: blocked,
      caches: blocked,
      localStorage: 'undefined',
      sessionStorage: 'undefined',
      document: 'undefined',
      parent: 'undefined',
      top: 'undefined',
      opener: 'undefined',
      origin: 'null',
    });
    await expectWorkbenchWorks(page);
  });

  test("a second plugin does not get the first one's storage or messages", async ({ page }) => {
    const owner = await runHostile(page, 'storage-owner');
    expect(await readReport(owner)).toEqual({
      stored: 'ok',
      readBack: `owner-secret-${nonce}`,
    });
    const thief = await launchPlugin(page, nameOf('storage-thief'));
    const report = await readReport(thief);
    expect(report).toEqual({
      secret: null,
      prefixed: null,
      path: null,
      traversal: null,
      proto: null,
      broadcast: 'nothing',
    });
    // The owner's secret is still its own.
    await expect(owner.frame.getByText(/^report: /)).toContainText(`owner-secret-${nonce}`);
  });
});

test.describe('the broker', () => {
  test('__proto__ and constructor keys pollute nothing', async ({ page }) => {
    const running = await runHostile(page, 'proto');
    const report = await readReport(running);
    expect(report).toMatchObject({
      protoParams: 'error: invalid_params',
      constructorParams: 'error: invalid_params',
      protoInTitle: 'error: invalid_params',
      protoColumns: 'error: column_not_granted',
      methodProto: 'error: unknown_method',
      methodConstructor: 'error: unknown_method',
      methodToString: 'error: unknown_method',
      methodHasOwnProperty: 'error: unknown_method',
      methodPath: 'error: unknown_method',
      afterwards: 'ok',
      pollutedHere: 'undefined',
    });
    const polluted = () => {
      const probe: Record<string, unknown> = {};
      return [typeof probe.polluted, typeof probe.title, typeof probe.constructor];
    };
    expect(await page.evaluate(polluted)).toEqual(['undefined', 'undefined', 'function']);
    expect(await (await running.handle()).evaluate(polluted)).toEqual([
      'undefined',
      'undefined',
      'function',
    ]);
    await expectWorkbenchWorks(page);
  });

  test('methods not granted are refused with permission_denied', async ({ page }) => {
    const running = await runHostile(page, 'not-granted');
    expect(await readReport(running)).toEqual({
      sessionInfo: 'ok',
      dataRead: 'error: permission_denied',
      dataWrite: 'error: permission_denied',
      selectionGet: 'error: permission_denied',
      selectionSubscribe: 'error: permission_denied',
      storageGet: 'error: permission_denied',
      storageSet: 'error: permission_denied',
    });
  });

  test('columns not handed to the plugin are refused with column_not_granted', async ({ page }) => {
    const running = await runHostile(page, 'columns', ['compound', 'dose_mg']);
    expect(await readReport(running)).toEqual({
      granted: ['compound', 'dose_mg'],
      readGranted: 'ok',
      rowsGranted: 20,
      readNotHanded: 'error: column_not_granted',
      readMixed: 'error: column_not_granted',
      readInvented: 'error: column_not_granted',
      readByIndex: 'error: column_not_granted',
    });
  });

  test('unknown methods, malformed and oversized messages get typed errors', async ({ page }) => {
    const running = await runHostile(page, 'unknown-method');
    const report = await readReport(running, 40_000);
    expect(report).toMatchObject({
      fsRead: 'error: unknown_method',
      dataDelete: 'error: unknown_method',
      evaluate: 'error: unknown_method',
      fetch: 'error: unknown_method',
      empty: 'error: unknown_method',
      noParams: 'error: invalid_params',
      wrongType: 'error: invalid_params',
      longTitle: expect.stringMatching(/^error: (invalid_params|too_large)$/),
      hugeHeight: 'error: invalid_params',
      tooLarge: 'error: too_large',
      afterwards: 'ok',
    });
    expect(report.negativeId).not.toBe('ok');
    expect(report.fractionId).not.toBe('ok');
    await expect(running.panel.locator('iframe')).toHaveCount(1);
    await expectNothingReached(page);
    await expectWorkbenchWorks(page);
  });
});

test.describe('the watchdog', () => {
  test('a busy loop is terminated, and the user is told which plugin stopped answering', async ({
    page,
  }) => {
    const running = await runHostile(page, 'busy-loop');
    expect(await readReport(running)).toEqual({ spinning: 'soon' });
    await expectTerminated(page, nameOf('busy-loop'), /stopped answering/i);
    await expectWorkbenchWorks(page);
  });

  test('a memory hog is refused its oversized result, then terminated; the app lives', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const running = await runHostile(page, 'memory-hog');
    // Playwright marks the whole page crashed when any of its frames' processes dies, which is
    // what running out of memory does to the plugin's. The app is read through a CDP session of
    // its own, which lives as long as the page's process does.
    const app = await page.context().newCDPSession(page);
    const inApp = async (expression: string): Promise<unknown> =>
      (await app.send('Runtime.evaluate', { expression, returnByValue: true })).result.value;
    expect(await readReport(running)).toEqual({ oversized: 'error: too_large', hoarding: 'soon' });
    await expect
      .poll(
        () =>
          inApp(`[...document.querySelectorAll('[role=alert]')].map((e) => e.textContent).join()`),
        { timeout: 90_000 },
      )
      .toMatch(/Hostile: memory hog was stopped: it (stopped answering|crashed)/);
    expect(await inApp(`document.querySelectorAll('iframe').length`)).toBe(0);
    expect(await inApp(`document.querySelector('[data-testid=row-count]').textContent`)).toContain(
      '20 rows',
    );
    // The page's own engine worker still computes.
    expect(await inApp(`document.querySelectorAll('[role=gridcell]').length > 0`)).toBe(true);
  });

  test('a message flood is terminated, and the user is told', async ({ page }) => {
    const running = await runHostile(page, 'flood');
    expect(await readReport(running)).toEqual({ flooding: 'soon' });
    await expectTerminated(page, nameOf('flood'), /flooded/i);
    await expectWorkbenchWorks(page);
    // Another plugin still runs after the flood.
    const other = await launchPlugin(page, nameOf('frame-target'), { columns: ['compound'] });
    expect(await readReport(other)).toEqual({ clicks: 0 });
  });
});

test.describe("escapes from the frame's document", () => {
  /** Clicks the frame target's button and waits for its count: the plugin still answers. */
  async function expectStillAnswers(running: RunningPlugin, clicks: number): Promise<void> {
    await running.frame.getByRole('button', { name: 'Count' }).click();
    await expect(running.frame.getByText(/^report: /)).toHaveText(
      `report: ${JSON.stringify({ clicks })}`,
    );
  }

  test('the frame is sandboxed with scripts only, on another site', async ({ page }) => {
    const running = await runHostile(page, 'frame-target');
    await readReport(running);
    const iframe = running.panel.locator('iframe');
    await expect(iframe).toHaveAttribute('sandbox', 'allow-scripts');
    await expect(iframe).toHaveAttribute('referrerpolicy', 'no-referrer');
    const frame = await running.handle();
    expect(new URL(frame.url()).hostname).not.toBe(new URL(APP_URL).hostname);
    expect(await frame.evaluate(() => self.origin)).toBe('null');
  });

  test("messages forged to the page's window are ignored", async ({ page }) => {
    const running = await runHostile(page, 'frame-target');
    await readReport(running);
    const columnsBefore = await page.getByTestId('row-count').textContent();
    const frame = await running.handle();
    const forged = await frame.evaluate(async () => {
      const instanceId = location.pathname.split('/')[2];
      const ipc = new ArrayBuffer(16);
      parent.postMessage({ kind: 'ready' }, '*');
      parent.postMessage({ kind: 'crashed', message: 'forged' }, '*');
      parent.postMessage(
        { kind: 'call', id: 1, method: 'data.write', params: { mode: 'columns', ipc } },
        '*',
      );
      parent.postMessage(
        JSON.parse('{"kind":"call","id":2,"method":"session.info","params":{"__proto__":{"x":1}}}'),
        '*',
      );
      // A port of its own, offered as if it were the handshake's: nobody must answer on it.
      const channel = new MessageChannel();
      const answers: unknown[] = [];
      channel.port1.onmessage = (event) => answers.push(event.data);
      parent.postMessage(
        {
          type: 'enclave:handshake',
          version: 1,
          instanceId,
          pluginId: 'enclave.stats',
          permissions: ['data:read', 'data:write'],
        },
        '*',
        [channel.port2],
      );
      channel.port1.postMessage({ kind: 'call', id: 3, method: 'session.info', params: {} });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return answers.length;
    });
    expect(forged).toBe(0);
    await expect(page.getByTestId('row-count')).toHaveText(columnsBefore ?? '');
    await expect(page.getByRole('alert').filter({ hasText: nameOf('frame-target') })).toHaveCount(
      0,
    );
    await expectStillAnswers(running, 1);
  });

  test('the frame cannot read the parent page, cookies, storage or IndexedDB', async ({ page }) => {
    const running = await runHostile(page, 'frame-target');
    await readReport(running);
    const frame = await running.handle();
    const results = await frame.evaluate(async (app) => {
      const attempt = async (action: () => unknown) => {
        try {
          return `reached: ${String(await action())}`;
        } catch (error) {
          return `blocked: ${(error as Error).name}`;
        }
      };
      return {
        parentDocument: await attempt(() => parent.document.title),
        parentLocation: await attempt(() => parent.location.href),
        parentStorage: await attempt(() => parent.localStorage.length),
        cookie: await attempt(() => document.cookie),
        localStorage: await attempt(() => localStorage.length),
        sessionStorage: await attempt(() => sessionStorage.length),
        indexedDB: await attempt(
          () =>
            new Promise((resolve, reject) => {
              const request = indexedDB.open('enclave-datasets');
              request.onsuccess = () => resolve('opened');
              request.onerror = () => reject(request.error ?? new Error('error event'));
            }),
        ),
        caches: await attempt(() => caches.keys()),
        api: await attempt(() => fetch(`${app}/api/v1/me`).then((response) => response.status)),
      };
    }, APP_URL);
    expect(results).toEqual({
      parentDocument: blocked,
      parentLocation: blocked,
      parentStorage: blocked,
      cookie: blocked,
      localStorage: blocked,
      sessionStorage: blocked,
      indexedDB: blocked,
      caches: blocked,
      api: blocked,
    });
    // And the API itself refuses a request from an opaque origin.
    const fromNull = await fetch(`${APP_URL}/api/v1/config`, { headers: { origin: 'null' } });
    expect(fromNull.headers.get('access-control-allow-origin')).not.toBe('*');
    await expectStillAnswers(running, 1);
  });

  test('pop-ups, forms, downloads and top navigation from the frame do nothing', async ({
    page,
    context,
  }) => {
    const running = await runHostile(page, 'frame-target');
    await readReport(running);
    const popups: string[] = [];
    context.on('page', (opened) => popups.push(opened.url()));
    const downloads: string[] = [];
    page.on('download', (download) => downloads.push(download.url()));
    const appUrl = page.url();
    const frame = await running.handle();
    const results = await frame.evaluate(async (target) => {
      const attempt = (action: () => unknown) => {
        try {
          return `done: ${String(action())}`;
        } catch (error) {
          return `blocked: ${(error as Error).name}`;
        }
      };
      const click = (attributes: Record<string, string>) => {
        const link = document.createElement('a');
        for (const [name, value] of Object.entries(attributes)) link.setAttribute(name, value);
        document.body.append(link);
        link.click();
        link.remove();
      };
      const submit = (targetName: string) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = `${target}/form-${targetName}`;
        form.target = targetName;
        const field = document.createElement('input');
        field.name = 'secret';
        field.value = '1';
        form.append(field);
        document.body.append(form);
        form.submit();
        form.remove();
      };
      const results = {
        open: attempt(() => window.open(`${target}/popup`)),
        openBlank: attempt(() => window.open(`${target}/popup-blank`, '_blank')),
        linkBlank: attempt(() => click({ href: `${target}/link-blank`, target: '_blank' })),
        download: attempt(() =>
          click({
            href: URL.createObjectURL(new Blob(['secret'], { type: 'text/plain' })),
            download: 'secret.txt',
          }),
        ),
        formTop: attempt(() => submit('_top')),
        formBlank: attempt(() => submit('_blank')),
        formSelf: attempt(() => submit('_self')),
        topNavigation: attempt(() => {
          top!.location.href = `${target}/top`;
        }),
      };
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return results;
    }, egress.http.origin);
    expect(results).toMatchObject({
      open: 'done: null',
      openBlank: 'done: null',
      topNavigation: blocked,
    });
    await page.waitForTimeout(1000);
    expect(popups).toEqual([]);
    expect(downloads).toEqual([]);
    expect(page.url()).toBe(appUrl);
    await expectNothingReached(page);
    await expectStillAnswers(running, 1);
  });

  test('navigating the frame away is blocked, and the host tears the plugin down', async ({
    page,
  }) => {
    // A listener of its own: Chromium opens a TCP connection to a navigation's target before the
    // app's frame-src refuses it (no request is sent), which the shared one must not count.
    const target = await startEgressListeners();
    try {
      const running = await runHostile(page, 'frame-target');
      await readReport(running);
      const frame = await running.handle();
      // The frame's document goes away while this runs; its promise may never settle.
      void frame
        .evaluate((origin) => {
          location.href = `${origin}/navigate`;
        }, target.http.origin)
        .catch(() => undefined);
      await expectTerminated(page, nameOf('frame-target'), /navigated/i);
      await page.waitForTimeout(1000);
      expect(target.http.hits).toEqual([]);
      expect(target.udp.packets()).toBe(0);
      test.info().annotations.push({
        type: 'preconnect',
        description: `${String(target.http.connections())} TCP connection(s) without a request`,
      });
      await expectNothingReached(page);
      await expectWorkbenchWorks(page);
    } finally {
      await target.close();
    }
  });

  test('navigating the frame to its own document again is refused (single use)', async ({
    page,
  }) => {
    const running = await runHostile(page, 'frame-target');
    await readReport(running);
    const frame = await running.handle();
    const documentUrl = frame.url();
    const again = await fetch(documentUrl);
    expect(again.status).toBe(404);
    void frame
      .evaluate(() => {
        location.reload();
      })
      .catch(() => undefined);
    await expectTerminated(page, nameOf('frame-target'), /navigated/i);
  });
});

test.describe('installation', () => {
  test('a plugin whose files changed on disk after installation is refused', async ({ page }) => {
    const tamperedName = 'Fixture: tampered files';
    await signIn(page, 'bob', '/data');
    await openCsv(page, 'assay-tampered.csv', assayCsv());
    const original = await launchPlugin(page, tamperedName);
    expect(await readReport(original)).toEqual({ version: 'original' });
    await original.panel.getByRole('button', { name: `Close ${tamperedName}` }).click();

    // Rewrite the installed worker: same name, other content, which would phone home.
    const installed = path.join(
      pluginsDirFor(Number(new URL(APP_URL).port)),
      'e2e.fixture.tampered',
      'worker.js',
    );
    const tampered = `${workerScript(path.join(BUNDLED_FIXTURES_DIR, 'tampered'))}
fetch('${egress.http.origin}/tampered').catch(() => undefined);
void wire.report('tampered files', { version: 'tampered' });
`;
    writeFileSync(installed, tampered);
    expect(sha256Hex(utf8(tampered))).not.toBe(
      sha256Hex(utf8(workerScript(path.join(BUNDLED_FIXTURES_DIR, 'tampered')))),
    );

    const relaunched = await launchPlugin(page, tamperedName);
    await expect(page.getByRole('alert').filter({ hasText: tamperedName })).toBeVisible({
      timeout: 20_000,
    });
    await expect(relaunched.frame.getByText(/"version":"tampered"/)).toHaveCount(0);
    const summary = await alice.call('GET', '/plugins/e2e.fixture.tampered');
    expect(summary.body).toMatchObject({ runnable: false, blockedReason: expect.any(String) });
    await expectNothingReached(page);
    await expectWorkbenchWorks(page);
  });

  test('uploads with a wrong hash, a stray file, a bundled id or from a non-admin are refused', async () => {
    const plugin = packagePlugin(path.join(HOSTILE_DIR, 'fetch'), {
      __LISTENER__: egress.http.origin,
    });
    const renamed = (id: string): PluginPackage => ({
      ...plugin,
      manifest: { ...plugin.manifest, id },
    });
    const zip = { 'content-type': 'application/zip' };

    const wrongHash = renamed('e2e.hostile.wrong-hash');
    const badHash = await alice.call(
      'POST',
      '/plugins',
      zipPlugin({ ...wrongHash, files: { 'worker.js': utf8('/* changed */') } }),
      zip,
    );
    expect(badHash.status).toBe(422);
    expect(JSON.stringify(badHash.body)).toContain('worker.js');

    const stray = renamed('e2e.hostile.stray-file');
    const strayFile = await alice.call(
      'POST',
      '/plugins',
      zipPlugin({ ...stray, files: { ...stray.files, 'extra.js': utf8('1') } }),
      zip,
    );
    expect(strayFile.status).toBe(422);
    expect(JSON.stringify(strayFile.body)).toContain('extra.js');

    // A bundled plugin's id is taken (an upload of its own id again replaces the upload).
    const taken = await alice.call(
      'POST',
      '/plugins',
      zipPlugin(renamed('e2e.fixture.tampered')),
      zip,
    );
    expect(taken.status).toBe(409);

    const byUser = await bob.call(
      'POST',
      '/plugins',
      zipPlugin(renamed('e2e.hostile.by-bob')),
      zip,
    );
    expect(byUser.status).toBe(403);
    expect(egress.seen()).toEqual([]);
  });
});

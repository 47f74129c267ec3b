/**
 * The Data pages in a real browser against the real server: files of every format are opened,
 * explored (filter, sort, group, chart) and kept on the device, encrypted, with the demo users.
 * What is proved here and nowhere else: nothing of an opened file leaves the browser (every request
 * the browser makes, service worker included, and the server's own log are searched for a marker
 * only the file holds); the IndexedDB store keeps datasets across a reload, apart per user, and
 * reports a full quota; sign-out offers to wipe them.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFile } from 'node:fs/promises';
import type { BrowserContext, Page } from '@playwright/test';
import { csvToArrowIpc } from '../server/arrow/index.ts';
import { tableToIpc } from '../workers/engine/arrow/index.ts';
import { serverLog } from './support/server-log.ts';
import { cspViolations, expect, signIn, test, waitForServiceWorker } from './support/fixtures.ts';

const suffix = Date.now().toString(36);

interface FilePayload {
  readonly name: string;
  readonly mimeType: string;
  readonly buffer: Buffer;
}

/** An assay table of `rows` rows; every `note` carries `marker`, so its content is recognisable. */
function assayCsv(rows: number, marker: string): string {
  const lines = ['compound,dose_mg,signal,active,run_date,plate,note'];
  for (let i = 0; i < rows; i++) {
    const signal = (20 + 10 * Math.sin(i)).toFixed(4);
    const day = `2024-0${1 + (i % 9)}-1${i % 9}`;
    lines.push(
      `CMP-${i},${(i % 97) * 0.5},${signal},${i % 3 === 0},${day},P${i % 12},${marker}-${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function csvFile(name: string, text: string): FilePayload {
  return { name, mimeType: 'text/csv', buffer: Buffer.from(text) };
}

/** Rows of the assay table whose dose is above `dose` (the filter the test applies). */
function rowsAbove(rows: number, dose: number): number {
  let count = 0;
  for (let i = 0; i < rows; i++) if ((i % 97) * 0.5 > dose) count++;
  return count;
}

async function openFile(page: Page, file: FilePayload): Promise<void> {
  await page.goto('/data');
  await page
    .getByRole('region', { name: 'Open a file' })
    .locator('input[type=file]')
    .setInputFiles({
      ...file,
    });
}

/** Waits for the workbench of a file just opened: its row and column counts. */
async function expectWorkbench(page: Page, rows: number, columns: number): Promise<void> {
  await expect(page.getByTestId('row-count')).toContainText(
    `${rows.toLocaleString('en-US')} rows, ${columns} columns`,
    { timeout: 20_000 },
  );
}

/** How many pixels of the chart's canvas are painted: 0 means a blank chart. */
async function paintedPixels(page: Page, name: RegExp): Promise<number> {
  const chart = page.getByRole('img', { name });
  await expect(chart.locator('canvas')).toBeVisible();
  return chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  });
}

/**
 * Reads every record the app keeps in IndexedDB, as the browser stores them: whether any byte
 * or string of them holds `marker`, and whether each user key can be exported.
 */
async function inspectKeptDatasets(page: Page, marker: string) {
  return page.evaluate(async (needle) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('enclave-datasets');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = (store: string) =>
      new Promise<unknown[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const bytes = new TextEncoder().encode(needle);
    const holds = (value: unknown): boolean => {
      if (typeof value === 'string') return value.includes(needle);
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const view =
          value instanceof ArrayBuffer
            ? new Uint8Array(value)
            : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        outer: for (let at = 0; at + bytes.length <= view.length; at++) {
          for (let i = 0; i < bytes.length; i++) if (view[at + i] !== bytes[i]) continue outer;
          return true;
        }
        return false;
      }
      if (value instanceof Blob || value instanceof CryptoKey) return false;
      if (typeof value === 'object' && value !== null) return Object.values(value).some(holds);
      return false;
    };
    const records = [...(await all('datasets')), ...(await all('chunks'))];
    const keys = (await all('keys')) as { key: CryptoKey }[];
    const exports = await Promise.all(
      keys.map((entry) =>
        crypto.subtle.exportKey('raw', entry.key).then(
          () => 'exported',
          () => 'refused',
        ),
      ),
    );
    db.close();
    return { records: records.length, plaintext: records.some(holds), exports };
  }, marker);
}

/** Signs out, answering the offer to delete kept datasets when it comes, and waits until out. */
async function signOut(page: Page, kept?: 'Keep and sign out' | 'Delete and sign out') {
  await page.getByRole('button', { name: 'Sign out' }).click();
  if (kept) {
    await page
      .getByRole('dialog', { name: /kept on this device/ })
      .getByRole('button', { name: kept })
      .click();
  }
  await expect(page.getByRole('heading', { level: 1, name: 'You are signed out' })).toBeVisible();
}

/** Everything the browser sends (pages and service worker): URLs and bodies as text. */
function recordRequests(context: BrowserContext): string[] {
  const sent: string[] = [];
  context.on('request', (request) => {
    sent.push(request.url());
    const body = request.postDataBuffer();
    if (body) sent.push(body.toString('latin1'));
  });
  return sent;
}

test('a CSV is explored in the browser, and no byte of it reaches the server', async ({
  page,
  context,
  browserProblems,
}) => {
  const marker = `ENCLAVE-MARKER-${suffix}-${Math.random().toString(36).slice(2)}`;
  const rows = 5_000;
  const sent = recordRequests(context);
  await signIn(page, 'bob', '/data');
  await openFile(page, csvFile(`assay-${suffix}.csv`, assayCsv(rows, marker)));
  await expectWorkbench(page, rows, 7);

  const grid = page.getByRole('grid', { name: `assay-${suffix}.csv` });
  await expect(grid.getByLabel('Type of dose_mg')).toHaveValue('float');
  await expect(grid.getByLabel('Type of run_date')).toHaveValue('date');
  await expect(grid.getByRole('columnheader', { name: /plate/ })).toContainText('12 distinct');
  await expect(grid.getByRole('gridcell', { name: `${marker}-0`, exact: true })).toBeVisible();

  // Filter: dose above 40.
  const filter = page.getByRole('form', { name: 'Filter rows' });
  await filter.getByRole('button', { name: 'Add condition' }).click();
  await filter.getByLabel('Column of condition 1').selectOption('dose_mg');
  await filter.getByLabel('Operator of condition 1').selectOption('gt');
  await filter.getByLabel('Value of condition 1').fill('40');
  await filter.getByRole('button', { name: 'Apply filter' }).click();
  const matching = rowsAbove(rows, 40);
  await expect(page.getByTestId('row-count')).toContainText(
    `${matching.toLocaleString('en-US')} match the filter`,
  );

  // Sort by dose: smallest first (40.5 is the smallest above 40), then largest first (48).
  const sortByDose = grid.getByRole('button', { name: 'Sort by dose_mg' });
  const firstDose = grid.getByRole('row').nth(1).getByRole('gridcell').nth(1);
  await sortByDose.click();
  await expect(firstDose).toHaveText('40.5');
  await sortByDose.click();
  await expect(firstDose).toHaveText('48');
  await expect(grid.getByRole('columnheader', { name: /dose_mg/ })).toHaveAttribute(
    'aria-sort',
    'descending',
  );

  // Chart: a histogram of the filtered rows is drawn, and so is a 5,000-point scatter.
  const chart = page.getByRole('region', { name: 'Chart' });
  expect(await paintedPixels(page, /Histogram of dose_mg/)).toBeGreaterThan(1_000);
  await chart.getByLabel('Kind').selectOption('scatter');
  await chart.getByLabel('Y axis').selectOption('signal');
  await expect(chart.getByTestId('chart-points')).toHaveText(
    `${matching.toLocaleString('en-US')} points`,
  );
  expect(await paintedPixels(page, /Scatter of dose_mg/)).toBeGreaterThan(1_000);
  await chart.getByLabel('Kind').selectOption('bar');
  await chart.getByLabel('Values of').selectOption('plate');
  expect(await paintedPixels(page, /Bar \(rows per value\) of plate/)).toBeGreaterThan(1_000);
  await chart.getByLabel('Kind').selectOption('line');
  await chart.getByLabel('X axis').selectOption('run_date');
  await chart.getByLabel('Y axis').selectOption('signal');
  expect(await paintedPixels(page, /Line of run_date/)).toBeGreaterThan(1_000);
  await chart.getByLabel('Kind').selectOption('box');
  await chart.getByLabel('One box per').selectOption('plate');
  expect(await paintedPixels(page, /Box plot of signal/)).toBeGreaterThan(1_000);
  await expect(chart.getByRole('alert')).toHaveCount(0);

  // Group the filtered rows by plate: one row per plate.
  const group = page.getByRole('form', { name: 'Group rows' });
  await group.getByLabel('Group by').selectOption('plate');
  await group.getByRole('button', { name: 'Group', exact: true }).click();
  await expect(page.getByTestId('row-count')).toContainText('12 groups');
  const grouped = page.getByRole('grid', { name: `assay-${suffix}.csv, grouped` });
  await expect(grouped.getByRole('columnheader', { name: /count/ })).toBeVisible();

  // Kept on this device only as ciphertext, under a key that cannot be exported.
  await expect
    .poll(async () => (await inspectKeptDatasets(page, marker)).records)
    .toBeGreaterThan(1);
  expect(await inspectKeptDatasets(page, marker)).toMatchObject({
    plaintext: false,
    exports: ['refused'],
  });

  // Nothing of the file left the browser: no URL or body carried the marker, nor did the log.
  expect(sent.filter((text) => text.includes(marker))).toEqual([]);
  expect(sent.length).toBeGreaterThan(0);
  expect(await serverLog()).not.toContain(marker);
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('TSV, Arrow IPC, Parquet and JSON lines open in the workbench', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'bob', '/data');

  await openFile(page, {
    name: 'plates.tsv',
    mimeType: 'text/tab-separated-values',
    buffer: Buffer.from('plate\twell\tsignal\nP1\tA1\t0.5\nP1\tA2\t0.75\nP2\tA1\t1.25\n'),
  });
  await expectWorkbench(page, 3, 3);
  await expect(page.getByRole('gridcell', { name: '1.25', exact: true })).toBeVisible();

  // A large Arrow stream: the grid scrolls to its last row.
  const arrowRows = 200_000;
  const { ipc } = csvToArrowIpc(Buffer.from(assayCsv(arrowRows, 'arrow')));
  await openFile(page, {
    name: 'screen.arrow',
    mimeType: 'application/vnd.apache.arrow.stream',
    buffer: Buffer.from(ipc),
  });
  await expectWorkbench(page, arrowRows, 7);
  const grid = page.getByRole('grid', { name: 'screen.arrow' });
  await grid.focus();
  await page.keyboard.press('Control+End');
  await expect(
    grid.getByRole('gridcell', { name: `arrow-${arrowRows - 1}`, exact: true }),
  ).toBeVisible();

  const parquet = parquetWriteBuffer({
    columnData: [
      { name: 'compound', data: ['aspirin', 'caffeine', 'ibuprofen', 'caffeine'] },
      { name: 'ic50', data: [1.5, 2.25, 0.5, null] },
    ],
  });
  await openFile(page, {
    name: 'potency.parquet',
    mimeType: 'application/vnd.apache.parquet',
    buffer: Buffer.from(parquet),
  });
  await expectWorkbench(page, 4, 2);
  await expect(page.getByRole('gridcell', { name: 'ibuprofen', exact: true })).toBeVisible();

  await openFile(page, {
    name: 'events.jsonl',
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(
      '{"sample":"S1","count":3,"ok":true}\n{"sample":"S2","count":5,"ok":false}\n',
    ),
  });
  await expectWorkbench(page, 2, 3);
  await expect(page.getByRole('gridcell', { name: 'S2', exact: true })).toBeVisible();

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('the grid scrolls through ten million rows', async ({ page, browserProblems }) => {
  // A 40 MB file crosses from the test to the browser and into the engine.
  test.slow();
  const rows = 10_000_000;
  const values = new Int32Array(rows);
  for (let row = 0; row < rows; row++) values[row] = row * 3;
  const ipc = tableToIpc({
    length: rows,
    columns: [
      {
        name: 'reading',
        data: { kind: 'number', type: 'int', length: rows, values, validity: null },
      },
    ],
  });
  await signIn(page, 'bob', '/data');
  await openFile(page, {
    name: 'readings.arrow',
    mimeType: 'application/vnd.apache.arrow.stream',
    buffer: Buffer.from(ipc.buffer, ipc.byteOffset, ipc.byteLength),
  });
  await expectWorkbench(page, rows, 1);
  const grid = page.getByRole('grid', { name: 'readings.arrow' });
  const cell = (row: number) => grid.getByRole('gridcell', { name: String(row * 3), exact: true });
  await expect(cell(0)).toBeVisible();

  // Halfway down by the scroll bar, then to the very end by keyboard: each shows its rows.
  await grid.evaluate((element) => {
    element.scrollTop = (element.scrollHeight - element.clientHeight) / 2;
  });
  const middle = grid.getByRole('row').nth(1).getByRole('rowheader');
  await expect(middle).toHaveText(/^4,99\d,\d{3}$|^5,00\d,\d{3}$/);
  await grid.focus();
  await page.keyboard.press('Control+End');
  await expect(grid.getByRole('rowheader').filter({ hasText: /^10,000,000$/ })).toBeVisible();
  await expect(cell(rows - 1)).toBeVisible();
  expect(browserProblems).toEqual([]);
});

test('a malformed file says where its first problem is; a long load shows progress and can be cancelled', async ({
  page,
  browserProblems,
}, testInfo) => {
  await signIn(page, 'bob', '/data');
  await openFile(page, csvFile('broken.csv', 'a,b\n1,2\n3,"unterminated\n4,5\n'));
  const failure = page.getByRole('alert').filter({ hasText: 'The file could not be opened' });
  await expect(failure).toContainText(/line 3/i);

  // A file of about 120 MB (too large to hand over as a buffer, so from disk) takes long enough.
  const bigFile = testInfo.outputPath('big.csv');
  const block = Array.from({ length: 100_000 }, (_, i) => `${i},${i * 0.25},L${i % 1000}\n`).join(
    '',
  );
  await writeFile(bigFile, `id,value,label\n${block.repeat(45)}`);
  await page
    .getByRole('region', { name: 'Open a file' })
    .locator('input[type=file]')
    .setInputFiles(bigFile);
  const loading = page.getByRole('status').filter({ hasText: 'Reading big.csv' });
  await expect(loading.getByRole('progressbar')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('Opening the file was cancelled.')).toBeVisible();
  await expect(loading).toHaveCount(0);
  await expect(page).toHaveURL('/data');
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test.describe('with almost no storage granted', () => {
  // The service worker's precache would use the little storage there is before the test starts.
  test.use({ serviceWorkers: 'block' });

  test('a full quota is reported, not swallowed, and the table stays open', async ({
    page,
    context,
    browserProblems,
  }) => {
    // Chromium applies a quota to an IndexedDB database opened after the override, so it is set
    // before the app first opens its store.
    const cdp = await context.newCDPSession(page);
    await page.goto('/healthz');
    const origin = new URL(page.url()).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 300_000 });
    await signIn(page, 'bob', '/data');
    await openFile(page, csvFile('too-big.csv', assayCsv(20_000, 'quota')));
    await expectWorkbench(page, 20_000, 7);
    await expect(
      page.getByRole('alert').filter({ hasText: 'could not be kept on this device' }),
    ).toContainText(/storage/i);
    await expect(page.getByRole('gridcell', { name: 'quota-0', exact: true })).toBeVisible();
    expect(await cspViolations(page)).toEqual([]);
    expect(browserProblems.filter((line) => !line.includes('blocked by Playwright'))).toEqual([]);
  });
});

test('kept datasets survive a reload, stay apart per user, and sign-out offers to wipe them', async ({
  page,
  browserProblems,
}) => {
  const name = `kept-${suffix}`;
  await signIn(page, 'bob', '/data');
  await openFile(page, csvFile(`${name}.csv`, assayCsv(1_000, 'kept')));
  await expectWorkbench(page, 1_000, 7);
  await openFile(page, csvFile(`${name}-scratch.csv`, assayCsv(10, 'scratch')));
  await expectWorkbench(page, 10, 7);

  // After a reload the dataset is read back from IndexedDB, decrypted, and opens again.
  await page.goto('/data');
  await page.reload();
  const kept = page.getByRole('table', { name: 'Datasets on this device' });
  await expect(kept.getByRole('row', { name: new RegExp(`^${name} `) })).toContainText('1,000');
  await kept.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expectWorkbench(page, 1_000, 7);
  await expect(page.getByRole('gridcell', { name: 'kept-999', exact: true })).toHaveCount(0);
  await expect(page.getByRole('gridcell', { name: 'kept-0', exact: true })).toBeVisible();

  // Deleting one removes it from the list.
  await page.goto('/data');
  const scratchRow = kept.getByRole('row', { name: new RegExp(`^${name}-scratch `) });
  await scratchRow.getByRole('button', { name: /Delete/ }).click();
  await scratchRow.getByRole('button', { name: 'Yes, delete it' }).click();
  await expect(scratchRow).toHaveCount(0);

  // Signing out offers to wipe; bob keeps them. Dave, on the same browser, sees none of them.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('dialog', { name: /kept on this device/ })).toContainText(
    'One dataset is kept on this device.',
  );
  await page.getByRole('button', { name: 'Cancel' }).click();
  await signOut(page, 'Keep and sign out');
  await signIn(page, 'dave', '/data');
  await expect(page.getByText('No datasets are kept on this device yet.')).toBeVisible();
  await signOut(page);

  // Bob finds his dataset again, and this time wipes it as he signs out.
  await signIn(page, 'bob', '/data');
  await expect(kept.getByRole('link', { name, exact: true })).toBeVisible();
  await signOut(page, 'Delete and sign out');
  await signIn(page, 'bob', '/data');
  await expect(page.getByText('No datasets are kept on this device yet.')).toBeVisible();

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('a view saved into a project dashboard is drawn there for every member', async ({
  page,
  browserProblems,
}) => {
  const projectName = `Dose finding ${suffix}`;
  const dashboardTitle = `Dose overview ${suffix}`;
  await signIn(page, 'bob', '/projects');
  const create = page.getByRole('form', { name: 'Create a project' });
  await create.getByLabel('Name').fill(projectName);
  await create.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: projectName })).toBeVisible();
  const members = page.getByRole('region', { name: 'Members' });
  const addMember = members.getByRole('form', { name: 'Add a member' });
  await addMember.getByLabel('User or group').selectOption({ label: 'Dave Davis (dave)' });
  await addMember.getByLabel('Role', { exact: true }).selectOption('viewer');
  await addMember.getByRole('button', { name: 'Add member' }).click();
  await expect(members.getByLabel('Role of dave')).toHaveValue('viewer');
  const createDashboard = page.getByRole('form', { name: 'Create a dashboard' });
  await createDashboard.getByLabel('New dashboard title').fill(dashboardTitle);
  await createDashboard.getByRole('button', { name: 'Create dashboard' }).click();
  await expect(page.getByRole('link', { name: dashboardTitle })).toBeVisible();

  const rows = 3_000;
  await openFile(page, csvFile(`doses-${suffix}.csv`, assayCsv(rows, 'shared')));
  await expectWorkbench(page, rows, 7);
  const filter = page.getByRole('form', { name: 'Filter rows' });
  await filter.getByRole('button', { name: 'Add condition' }).click();
  await filter.getByLabel('Column of condition 1').selectOption('dose_mg');
  await filter.getByLabel('Operator of condition 1').selectOption('gt');
  await filter.getByLabel('Value of condition 1').fill('40');
  await filter.getByRole('button', { name: 'Apply filter' }).click();
  const matching = rowsAbove(rows, 40).toLocaleString('en-US');
  await expect(page.getByTestId('row-count')).toContainText(`${matching} match the filter`);

  const save = page.getByRole('form', { name: 'Save to a dashboard' });
  await save.getByLabel('Project').selectOption({ label: projectName });
  await save.getByLabel('Dashboard').selectOption({ label: dashboardTitle });
  await save.getByLabel('View title').fill('High doses');
  await save.getByRole('button', { name: 'Share and save' }).click();
  await save.getByRole('status').getByRole('link', { name: dashboardTitle }).click();

  // On the dashboard the view is computed again in this browser, from the shared version.
  await expect(page.getByRole('heading', { level: 1, name: dashboardTitle })).toBeVisible();
  const view = page.getByRole('region', { name: 'High doses' });
  await expect(view).toContainText(`${matching} of ${rows.toLocaleString('en-US')} rows`);
  expect(await paintedPixels(page, /High doses/)).toBeGreaterThan(1_000);
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);

  // Dave, a viewer of the project, sees the same chart.
  await signOut(page, 'Delete and sign out');
  await signIn(page, 'dave', '/dashboards');
  await page.getByRole('link', { name: dashboardTitle }).click();
  await expect(page.getByRole('region', { name: 'High doses' })).toContainText(
    `${matching} of ${rows.toLocaleString('en-US')} rows`,
  );
  expect(await paintedPixels(page, /High doses/)).toBeGreaterThan(1_000);
});

test('a kept dataset opens and is explored offline', async ({ page, context, browserProblems }) => {
  const name = `offline-${suffix}`;
  await signIn(page, 'bob', '/data');
  await waitForServiceWorker(page);
  await openFile(page, csvFile(`${name}.csv`, assayCsv(500, 'offline')));
  await expectWorkbench(page, 500, 7);

  await context.setOffline(true);
  await page.goto('/data');
  await expect(page.getByText('Offline', { exact: true })).toBeVisible();
  await page
    .getByRole('table', { name: 'Datasets on this device' })
    .getByRole('link', { name, exact: true })
    .click();
  await expectWorkbench(page, 500, 7);
  const group = page.getByRole('form', { name: 'Group rows' });
  await group.getByLabel('Group by').selectOption('plate');
  await group.getByRole('button', { name: 'Group', exact: true }).click();
  await expect(page.getByTestId('row-count')).toContainText('12 groups');
  await expect(page.getByRole('region', { name: 'Save to a dashboard' })).toContainText(
    'cannot reach',
  );
  await context.setOffline(false);
  // Offline, the browser reports the requests it could not make; nothing else may go wrong.
  expect(
    browserProblems.filter((line) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(line)),
  ).toEqual([]);
});

test('a column’s type can be changed, and the file is read again with it', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'bob', '/data');
  await openFile(page, csvFile(`types-${suffix}.csv`, assayCsv(200, 'types')));
  await expectWorkbench(page, 200, 7);
  const grid = page.getByRole('grid', { name: `types-${suffix}.csv` });
  await expect(grid.getByLabel('Type of active')).toHaveValue('bool');
  await grid.getByLabel('Type of active').selectOption('string');
  await expect(
    page.getByRole('grid', { name: `types-${suffix}.csv` }).getByLabel('Type of active'),
  ).toHaveValue('string');
  await expect(page.getByRole('gridcell', { name: 'true', exact: true }).first()).toBeVisible();
  // JSON lines too: a count read as text.
  await openFile(page, {
    name: `events-${suffix}.jsonl`,
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from('{"sample":"S1","count":3}\n{"sample":"S2","count":5}\n'),
  });
  await expectWorkbench(page, 2, 2);
  const events = page.getByRole('grid', { name: `events-${suffix}.jsonl` });
  await expect(events.getByLabel('Type of count')).toHaveValue('int');
  await events.getByLabel('Type of count').selectOption('string');
  await expect(
    page.getByRole('grid', { name: `events-${suffix}.jsonl` }).getByLabel('Type of count'),
  ).toHaveValue('string');
  await page.goto('/data');
  await expect(
    page
      .getByRole('table', { name: 'Datasets on this device' })
      .getByRole('link', { name: `events-${suffix}`, exact: true }),
  ).toHaveCount(1);

  // The retyped table is the one kept on this device: one dataset, not two.
  await page.goto('/data');
  await expect(
    page
      .getByRole('table', { name: 'Datasets on this device' })
      .getByRole('link', { name: `types-${suffix}`, exact: true }),
  ).toHaveCount(1);
  expect(browserProblems).toEqual([]);
});

/**
 * The plugin platform's happy paths with the first-party plugins, in a real browser against the
 * real server: the admin sees every plugin; a user runs the statistics plugin on a CSV, approves
 * its permissions (shown in plain words) once, and gets its results as labelled columns; the
 * chart plugin draws an SVG chart; the chemistry plugin adds mw, formula and logp from SMILES.
 * Consent revoked on the Plugins page is asked for again; an admin's block stops a running
 * instance within seconds and the user is told; a block scheduled for later does not bite now.
 * A plugin that started in its frame is reported by the browser as a client event of the user.
 */
import type { Page } from '@playwright/test';
import { apiAs, type PluginApi } from './support/plugin-api.ts';
import {
  assayCsv,
  expectTerminated,
  launchPlugin,
  openCsv,
  runDialog,
  runningPlugin,
} from './support/plugin-ui.ts';
import { expect, signIn, test } from './support/fixtures.ts';

const FIRST_PARTY = ['Chart', 'Descriptive statistics', 'Chemistry', 'Template'];

let alice: PluginApi;
let bob: PluginApi;
const rules: string[] = [];

test.beforeAll(async () => {
  alice = await apiAs('alice');
  bob = await apiAs('bob');
});

test.afterEach(async () => {
  // A rule a test made must not outlive it: the other tests run the same plugins.
  for (const id of rules.splice(0)) await alice.call('DELETE', `/plugin-policies/${id}`);
});

/** Makes an admin policy rule through the API, removed after the test. */
async function addRule(rule: {
  pluginId: string;
  effect: 'allow' | 'block';
  startsAt?: string | null;
  endsAt?: string | null;
}): Promise<void> {
  const { status, body } = await alice.call<{ id: string }>('POST', '/plugin-policies', {
    groupIds: null,
    startsAt: null,
    endsAt: null,
    ...rule,
  });
  expect(status, JSON.stringify(body)).toBe(201);
  rules.push(body.id);
}

async function bobOnAssay(page: Page, name = 'assay.csv'): Promise<void> {
  await signIn(page, 'bob', '/data');
  await openCsv(page, name, assayCsv());
}

test('the admin sees every installed plugin, with its permissions', async ({ page }) => {
  await signIn(page, 'alice', '/plugins');
  const list = page.getByRole('list', { name: 'Plugins' });
  for (const name of FIRST_PARTY) {
    await expect(list.getByRole('heading', { name, exact: true })).toBeVisible();
  }
  await expect(list).toContainText('Show a panel beside your data');
  await page.screenshot({ path: 'test-results/plugins-admin-page.png', fullPage: true });
});

test('statistics: consent in plain words once, results added as labelled columns', async ({
  page,
}) => {
  await bobOnAssay(page);
  const name = 'Descriptive statistics';
  const plugin = await launchPlugin(page, name, {
    columns: ['dose_mg', 'signal'],
    approve: false,
  });
  const dialog = runDialog(page);
  await expect(dialog.getByRole('heading', { name: `Allow ${name} to…` })).toBeVisible();
  await expect(dialog.getByRole('list', { name: 'Permissions' }).getByRole('listitem')).toHaveText([
    'Read the columns you pick: dose_mg, signal',
    'Add result columns to this table, or make a new table (never change your columns)',
    'Show a panel beside your data',
    'Keep a small store of its own on this device',
  ]);
  await page.screenshot({ path: 'test-results/plugins-consent.png' });
  await dialog.getByRole('button', { name: 'Approve', exact: true }).click();

  const summary = plugin.frame.getByRole('table');
  await expect(summary.getByRole('row')).toHaveCount(3, { timeout: 20_000 });
  await expect(summary).toContainText('dose_mg');
  await expect(summary).toContainText('signal');
  await plugin.frame.getByRole('button', { name: 'Add 2 column(s)' }).click();
  await expect(plugin.frame.getByText(/^Added dose_mg_z, signal_z/)).toBeVisible();
  await page.screenshot({ path: 'test-results/plugins-stats-panel.png', fullPage: true });

  await expect(page.getByTestId('row-count')).toContainText('20 rows, 7 columns');
  const grid = page.getByRole('grid').first();
  for (const column of ['dose_mg_z', 'signal_z']) {
    const header = grid.getByRole('columnheader', { name: new RegExp(column) });
    await expect(header).toBeVisible();
    await expect(header).toContainText(name);
  }

  // Approved once: the next run does not ask again.
  await plugin.panel.getByRole('button', { name: `Close ${name}` }).click();
  const again = await launchPlugin(page, name, { columns: ['signal'], approve: false });
  await expect(again.panel).toBeVisible();
  await expect(runDialog(page).getByRole('button', { name: 'Approve' })).toHaveCount(0);
});

test('statistics on a table longer than one read page: all 250,001 rows in, all rows back', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const rows = 250_001;
  await signIn(page, 'bob', '/data');
  await openCsv(page, 'long.csv', assayCsv(rows));
  await expect(page.getByTestId('row-count')).toContainText('250,001 rows, 5 columns');
  const plugin = await launchPlugin(page, 'Descriptive statistics', { columns: ['dose_mg'] });
  const summary = plugin.frame.getByRole('table');
  // The count column says every row reached the plugin (the SDK read them in pages).
  await expect(summary.getByRole('row').nth(1)).toContainText(/dose_mg\s*250,?001/, {
    timeout: 60_000,
  });
  await plugin.frame.getByRole('button', { name: 'Add 1 column(s)' }).click();
  await expect(
    plugin.frame.getByText(/^Added dose_mg_z to long\.csv \(250,001 rows\)/),
  ).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByTestId('row-count')).toContainText('250,001 rows, 6 columns');
});

test('chart: an SVG chart is drawn in the panel', async ({ page }) => {
  await bobOnAssay(page);
  const plugin = await launchPlugin(page, 'Chart', { columns: ['dose_mg', 'signal'] });
  const chart = plugin.frame.locator('svg').first();
  await expect(chart).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(() => chart.locator('path, circle, rect, line').count(), { timeout: 20_000 })
    .toBeGreaterThan(10);
  // The panel itself: a full-page capture can catch the plugin's frame before it repaints.
  await plugin.panel.screenshot({ path: 'test-results/plugins-chart-panel.png' });
});

test('chemistry: mw, formula and logp are added from a SMILES column', async ({ page }) => {
  await bobOnAssay(page, 'molecules.csv');
  const plugin = await launchPlugin(page, 'Chemistry', { columns: ['compound', 'smiles'] });
  await plugin.frame.getByRole('button', { name: 'Add mw, formula and logp' }).click();
  await expect(plugin.frame.getByText(/^Added .*mw.*formula.*logp/)).toBeVisible({
    timeout: 30_000,
  });
  const grid = page.getByRole('grid').first();
  for (const column of ['mw', 'formula', 'logp']) {
    await expect(grid.getByRole('columnheader', { name: new RegExp(column) })).toBeVisible();
  }
  // Ethanol (CCO) is the first molecule: C2H6O, 46.07 g/mol.
  await expect(grid.getByRole('gridcell', { name: 'C2H6O' }).first()).toBeVisible();
  await expect(grid.getByRole('gridcell', { name: /^46\.0[67]/ }).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/plugins-chemistry.png', fullPage: true });
});

test('a launch is audited by the server, its start in the frame by the browser (source client)', async ({
  page,
}) => {
  const from = new Date(Date.now() - 1000).toISOString();
  await bobOnAssay(page, 'started.csv');
  const plugin = await launchPlugin(page, 'Template', { columns: ['compound'] });
  await expect(plugin.frame.locator('body')).not.toBeEmpty();

  const me = (await bob.call<{ id: string }>('GET', '/me')).body.id;
  const query = `actorPlugin=enclave.template&from=${encodeURIComponent(from)}`;
  const started = async () =>
    (
      await bob.call<{ events: Record<string, unknown>[] }>(
        'GET',
        `/audit?${query}&action=plugin.started`,
      )
    ).body.events;
  await expect.poll(async () => (await started()).length, { timeout: 10_000 }).toBe(1);
  expect((await started())[0]).toMatchObject({
    source: 'client',
    actorPlugin: 'enclave.template',
    actorUserId: me,
    outcome: 'ok',
    details: { tableName: expect.any(String) },
  });
  const launches = await bob.call<{ events: Record<string, unknown>[] }>(
    'GET',
    `/audit?${query}&action=plugin.launch`,
  );
  expect(launches.body.events).toEqual([
    expect.objectContaining({ source: 'server', actorUserId: me }),
  ]);
});

test('consent revoked on the Plugins page is asked for again', async ({ page }) => {
  await bobOnAssay(page);
  const first = await launchPlugin(page, 'Template', { columns: ['compound'] });
  await expect(first.frame.locator('body')).not.toBeEmpty();

  await page.goto('/plugins');
  const revoke = page.getByRole('button', { name: 'Revoke the approval of Template' });
  await revoke.click();
  await expect(revoke).toHaveCount(0);
  await expect(
    page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Template' }) }),
  ).toContainText('It asks for your approval when you first run it.');
  await page.screenshot({ path: 'test-results/plugins-revoked.png', fullPage: true });

  await openCsv(page, 'assay-again.csv', assayCsv());
  await launchPlugin(page, 'Template', { columns: ['compound'], approve: false });
  const dialog = runDialog(page);
  await expect(dialog.getByRole('heading', { name: 'Allow Template to…' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Approve', exact: true })).toBeVisible();
});

test("an admin's block stops a running instance within seconds, and the user is told", async ({
  page,
}) => {
  await bobOnAssay(page);
  const plugin = await launchPlugin(page, 'Chart', { columns: ['dose_mg', 'signal'] });
  await expect(plugin.frame.locator('svg').first()).toBeVisible({ timeout: 20_000 });

  const blockedAt = Date.now();
  await addRule({ pluginId: 'enclave.chart', effect: 'block' });
  await expectTerminated(page, 'Chart', /block/i, 10_000);
  expect(Date.now() - blockedAt).toBeLessThan(10_000);
  await page.screenshot({ path: 'test-results/plugins-blocked.png', fullPage: true });

  // Blocked for everyone: no longer offered to bob.
  await page.getByRole('button', { name: 'Run plugin', exact: true }).click();
  const choice = runDialog(page).getByLabel('Plugin', { exact: true });
  await expect(choice.locator('option').filter({ hasText: /^Template / })).toHaveCount(1);
  await expect(choice.locator('option').filter({ hasText: /^Chart / })).toHaveCount(0);
});

test('a block scheduled for later does not block now', async ({ page }) => {
  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  await addRule({
    pluginId: 'enclave.chart',
    effect: 'block',
    startsAt: tomorrow.toISOString(),
    endsAt: new Date(tomorrow.getTime() + 24 * 3600_000).toISOString(),
  });
  await bobOnAssay(page);
  const plugin = await launchPlugin(page, 'Chart', { columns: ['dose_mg', 'signal'] });
  await expect(plugin.frame.locator('svg').first()).toBeVisible({ timeout: 20_000 });
  // Still running after a few of the host's 2-second policy checks.
  await page.waitForTimeout(5000);
  await expect(runningPlugin(page, 'Chart').panel.locator('iframe')).toHaveCount(1);
});

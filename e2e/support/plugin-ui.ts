/**
 * Plugins in the browser, the way a person uses them: open a CSV in the workbench, run a plugin
 * on it (picking the columns to hand it, approving its permissions the first time), and read
 * what the plugin drew in its panel. Hostile plugins draw `report: {…json…}`; `readReport`
 * parses it from the frame.
 */
import type { Frame, FrameLocator, Locator, Page } from '@playwright/test';
import { expect } from './fixtures.ts';

/** A small assay table; `secret_note` is a column no plugin is handed unless a test picks it. */
export function assayCsv(rows = 20): string {
  const lines = ['compound,dose_mg,signal,smiles,secret_note'];
  const smiles = ['CCO', 'c1ccccc1', 'CC(=O)O', 'CCN(CC)CC', 'O=C=O'];
  for (let i = 0; i < rows; i++) {
    const signal = (20 + 10 * Math.sin(i)).toFixed(3);
    lines.push(`CMP-${String(i)},${String(i * 0.5)},${signal},${smiles[i % 5]!},note-${String(i)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Opens a CSV in the workbench and waits until its grid is shown.
 *
 * @example
 * await openCsv(page, 'assay.csv', assayCsv());
 */
export async function openCsv(page: Page, name: string, text: string): Promise<void> {
  await page.goto('/data');
  await page
    .getByRole('region', { name: 'Open a file' })
    .locator('input[type=file]')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await expect(page.getByTestId('row-count')).toContainText(/\d+ rows, \d+ columns/, {
    timeout: 20_000,
  });
}

/** A plugin running in the workbench: its panel in the app, and its frame. */
export interface RunningPlugin {
  /** The panel the host draws around the plugin's frame (title, close, messages). */
  readonly panel: Locator;
  /** The plugin's frame, for locators. */
  readonly frame: FrameLocator;
  /** The plugin's frame, for `evaluate` inside its document. */
  handle(): Promise<Frame>;
}

export interface LaunchOptions {
  /** The columns to hand the plugin (none are checked at first). */
  readonly columns?: readonly string[];
  /** Approve the permissions when the dialog asks (default true); false leaves it asking. */
  readonly approve?: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The workbench's "Run plugin" dialog. */
export function runDialog(page: Page): Locator {
  return page.getByRole('dialog');
}

/**
 * Runs a plugin on the table open in the workbench, through the "Run plugin" dialog: picks the
 * plugin and the columns, and approves its permissions when asked.
 *
 * @example
 * const plugin = await launchPlugin(page, 'Descriptive statistics', { columns: ['signal'] });
 */
export async function launchPlugin(
  page: Page,
  pluginName: string,
  options: LaunchOptions = {},
): Promise<RunningPlugin> {
  const panelsBefore = await pluginPanels(page, pluginName).count();
  await page.getByRole('button', { name: 'Run plugin', exact: true }).click();
  const dialog = runDialog(page);
  const choice = dialog.getByLabel('Plugin', { exact: true });
  const option = choice
    .locator('option')
    .filter({ hasText: new RegExp(`^${escapeRegExp(pluginName)} \\d`) });
  await expect(option).toHaveCount(1);
  await choice.selectOption((await option.getAttribute('value')) ?? '');
  const columns = dialog.getByRole('group', { name: 'Columns to hand it' });
  for (const column of options.columns ?? []) {
    await columns.getByLabel(column, { exact: true }).check();
  }
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  const approve = dialog.getByRole('button', { name: 'Approve', exact: true });
  const launched = pluginPanels(page, pluginName).nth(panelsBefore);
  await expect(approve.or(launched)).toBeVisible({ timeout: 15_000 });
  if ((options.approve ?? true) && (await approve.isVisible())) await approve.click();
  return runningPlugin(page, pluginName, panelsBefore);
}

/**
 * The panels of a plugin's instances: headed by its name (and the title it set after it), with
 * the button that closes it (or dismisses it once the host stopped it); the workbench's own
 * regions may have the same name ("Chart").
 */
function pluginPanels(page: Page, pluginName: string): Locator {
  const name = escapeRegExp(pluginName);
  return page
    .getByRole('region', { name: new RegExp(`^${name}( · .*)?$`) })
    .filter({ has: page.getByRole('button', { name: new RegExp(`^(Close|Dismiss) ${name}$`) }) });
}

/**
 * The panel of a running plugin, found by its name (the `index`-th one when several run).
 *
 * @example
 * const plugin = runningPlugin(page, 'Chart');
 */
export function runningPlugin(page: Page, pluginName: string, index = 0): RunningPlugin {
  const panel = pluginPanels(page, pluginName).nth(index);
  const iframe = panel.locator('iframe');
  return {
    panel,
    frame: iframe.contentFrame(),
    async handle() {
      const element = await iframe.elementHandle({ timeout: 15_000 });
      const frame = await element?.contentFrame();
      if (!frame) throw new Error(`the frame of ${pluginName} is gone`);
      return frame;
    },
  };
}

/**
 * The report a hostile plugin draws as `report: {…}`, parsed.
 *
 * @example
 * expect(await readReport(plugin)).toMatchObject({ get: 'blocked: TypeError' });
 */
export async function readReport(
  plugin: RunningPlugin,
  timeout = 20_000,
): Promise<Record<string, unknown>> {
  const line = plugin.frame.getByText(/^report: /);
  await expect(line).toBeVisible({ timeout });
  const text = (await line.textContent()) ?? '';
  return JSON.parse(text.slice('report: '.length)) as Record<string, unknown>;
}

/**
 * Waits until the host has torn a plugin down and says so in its panel: the message names the
 * plugin and the reason, and the frame is gone.
 *
 * @example
 * await expectTerminated(page, 'Hostile: busy loop', /stopped answering/);
 */
export async function expectTerminated(
  page: Page,
  pluginName: string,
  reason: RegExp,
  timeout = 20_000,
): Promise<void> {
  const message = page.getByRole('alert').filter({ hasText: pluginName });
  await expect(message).toContainText(reason, { timeout });
  await expect(runningPlugin(page, pluginName).panel.locator('iframe')).toHaveCount(0);
}

/**
 * Proves the workbench still works: a filter applied to the grid gives the expected count.
 *
 * @example
 * await expectWorkbenchWorks(page); // 10 of the 20 assay rows have dose_mg > 4.5
 */
export async function expectWorkbenchWorks(page: Page): Promise<void> {
  const filter = page.getByRole('form', { name: 'Filter rows' });
  await filter.getByRole('button', { name: 'Add condition' }).click();
  await filter.getByLabel('Column of condition 1').selectOption('dose_mg');
  await filter.getByLabel('Operator of condition 1').selectOption('gt');
  await filter.getByLabel('Value of condition 1').fill('4.5');
  await filter.getByRole('button', { name: 'Apply filter' }).click();
  await expect(page.getByTestId('row-count')).toContainText('10 match the filter');
}

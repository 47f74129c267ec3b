/**
 * The Audit page in a real browser against the real server, with the demo users: alice (Admin)
 * renames a project, finds the change in the trail filtered to that project, reads its
 * before/after difference and reverts it, and the name is back with the revert on record; a
 * change made again since cannot be reverted, and the page names the later event and shows it;
 * the filtered export downloads a file with the events; verification says the trail is intact;
 * carol (system Viewer) sees only what she did herself; alice reverts everything bob changed
 * since a time in one go; bob restores an earlier version of a shared dataset as a new version.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { cspViolations, expect, signIn, test } from './support/fixtures.ts';
import { apiAs } from './support/plugin-api.ts';

test.describe.configure({ mode: 'serial' });

const stamp = Date.now().toString(36);
const originalName = `Audit trail ${stamp}`;
const renamedName = `Audit trail renamed ${stamp}`;
const secondName = `Audit trail again ${stamp}`;
const bobsName = `Batch revert ${stamp}`;
let projectId = '';
/** A `datetime-local` value (browser time) from before bob's changes. */
let bobStarted = '';

/** The browser logs refused requests as console errors; the test expects those it provokes. */
function unexpected(problems: string[], ...statuses: number[]): string[] {
  return problems.filter(
    (line) => !statuses.some((status) => line.includes(`status of ${String(status)}`)),
  );
}

async function renameProject(page: Page, from: string, to: string) {
  await page.goto(`/projects/${projectId}`);
  await expect(page.getByRole('heading', { level: 1, name: from })).toBeVisible();
  await page.getByLabel('Project name').fill(to);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: to })).toBeVisible();
}

async function openAuditForProject(page: Page, projectName: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  const filters = page.getByRole('form', { name: 'Filter events' });
  await filters.getByLabel('Project').selectOption({ label: projectName });
  await filters.getByRole('button', { name: 'Apply filters' }).click();
}

/** The row of the newest event whose "did what" reads `sentence`. */
function eventRow(page: Page, sentence: string): Locator {
  return page.locator('tr.audit-row').filter({ hasText: sentence }).first();
}

test('alice renames a project, finds it in the trail and reverts it', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'alice', '/projects');
  const create = page.getByRole('form', { name: 'Create a project' });
  await create.getByLabel('Name').fill(originalName);
  await create.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: originalName })).toBeVisible();
  projectId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  expect(projectId).not.toBe('');

  await renameProject(page, originalName, renamedName);
  await openAuditForProject(page, renamedName);

  const rename = eventRow(page, 'renamed project');
  await expect(rename).toContainText('alice');
  await expect(rename).toContainText('web app');
  await expect(rename).toContainText(`project ${renamedName}`);
  await expect(rename).toContainText('Done');
  await expect(eventRow(page, 'created project')).toBeVisible();
  // Only this project's events are listed.
  await expect(page.locator('tr.audit-row')).toHaveCount(2);

  await rename.getByRole('button', { name: /^Details/ }).click();
  const detail = page.locator('.audit-detail');
  const diff = detail.getByRole('table', { name: /before and after/i });
  const nameRow = diff.getByRole('row', { name: /^name/ });
  await expect(nameRow).toContainText('Changed');
  await expect(nameRow).toContainText(originalName);
  await expect(nameRow).toContainText(renamedName);
  await expect(nameRow).toHaveClass(/diff-changed/);
  await expect(diff.getByRole('row', { name: /^description/ })).toContainText('Same');
  await page.screenshot({ path: '/tmp/audit-detail.png', fullPage: true });

  await detail.getByRole('button', { name: /^Revert this change/ }).click();
  await detail.getByRole('button', { name: 'Revert change' }).click();
  await expect(detail.getByRole('status').filter({ hasText: 'Reverted' })).toContainText(
    'the change is undone',
  );

  // The revert is on record, newest first, and the project has its name back.
  const revertRow = eventRow(page, 'reverted “rename project”');
  await expect(revertRow).toBeVisible();
  await expect(revertRow).toContainText('alice');
  await expect(page.locator('tr.audit-row').first()).toContainText('reverted “rename project”');
  await page.screenshot({ path: '/tmp/audit-reverted.png', fullPage: true });
  await page.goto(`/projects/${projectId}`);
  await expect(page.getByRole('heading', { level: 1, name: originalName })).toBeVisible();

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('a change made again since is not reverted, and the later event is named', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'alice', `/projects/${projectId}`);
  await renameProject(page, originalName, renamedName);
  await renameProject(page, renamedName, secondName);
  await openAuditForProject(page, secondName);

  const renames = page.locator('tr.audit-row').filter({ hasText: 'renamed project' });
  // The first test's rename, and the two just made (the revert reads differently).
  await expect(renames).toHaveCount(3);
  const later = renames.nth(0);
  const earlier = renames.nth(1);
  const laterId = await later.getAttribute('data-event-id');
  expect(laterId).toBeTruthy();

  await earlier.getByRole('button', { name: /^Details/ }).click();
  const detail = page.locator('.audit-detail');
  await detail.getByRole('button', { name: /^Revert this change/ }).click();
  await detail.getByRole('button', { name: 'Revert change' }).click();
  const refusal = detail.getByRole('alert');
  await expect(refusal).toContainText(String(laterId));
  await expect(refusal).toContainText('revert that first');
  await page.screenshot({ path: '/tmp/audit-conflict.png', fullPage: true });

  await refusal.getByRole('button', { name: 'Show the later event' }).click();
  const laterRow = page.locator(`tr.audit-row[data-event-id="${String(laterId)}"]`);
  await expect(laterRow).toHaveClass(/audit-row-open/);
  await expect(
    page.getByRole('form', { name: 'Filter events' }).getByLabel('Resource type'),
  ).toHaveValue('project');
  await expect(page.locator('.audit-detail')).toContainText(String(laterId));
  await page.screenshot({ path: '/tmp/audit-later-event.png', fullPage: true });

  // The project keeps the later name.
  await page.goto(`/projects/${projectId}`);
  await expect(page.getByRole('heading', { level: 1, name: secondName })).toBeVisible();
  expect(unexpected(browserProblems, 409)).toEqual([]);
});

test('alice exports the filtered events and verifies the trail', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'alice', '/');
  await openAuditForProject(page, secondName);
  await expect(eventRow(page, 'renamed project')).toBeVisible();

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSONL' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^audit-.*\.jsonl$/);
  const lines = (await readFile(await file.path(), 'utf8')).trim().split('\n');
  const exported = lines.map((line) => JSON.parse(line) as { action: string; projectId: string });
  expect(exported.length).toBeGreaterThanOrEqual(5);
  expect(exported.every((event) => event.projectId === projectId)).toBe(true);
  expect(exported.map((event) => event.action)).toEqual(
    expect.arrayContaining(['project.create', 'project.update', 'audit.revert']),
  );
  await expect(page.getByText(`Downloaded ${file.suggestedFilename()}`)).toBeVisible();

  const csvDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = await readFile(await (await csvDownload).path(), 'utf8');
  expect(csv.split('\r\n')[0]).toMatch(/^seq,id,occurredAt,actorUserId/);
  expect(csv).toContain('project.update');

  const integrity = page.getByRole('region', { name: 'Integrity' });
  await integrity.getByRole('button', { name: 'Verify the trail' }).click();
  await expect(integrity.getByText(/^Trail intact: \d+ events$/)).toBeVisible();
  await page.screenshot({ path: '/tmp/audit-verify.png', fullPage: true });
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('carol, a Viewer, sees only her own events', async ({ page, browserProblems }) => {
  await signIn(page, 'carol', '/audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Integrity' })).toHaveCount(0);
  const rows = page.locator('tr.audit-row');
  await expect(rows.first()).toBeVisible();
  const who = await rows.locator('td:nth-child(2)').allTextContents();
  expect(who.length).toBeGreaterThan(0);
  expect(new Set(who)).toEqual(new Set(['carol']));
  await expect(page.getByText(renamedName)).toHaveCount(0);
  await page.screenshot({ path: '/tmp/audit-viewer.png', fullPage: true });
  expect(browserProblems).toEqual([]);
});

test('bob creates and renames a project of his own', async ({ page, browserProblems }) => {
  await signIn(page, 'bob', '/projects');
  bobStarted = await page.evaluate(() => {
    // The filter's input has minutes only: the minute bob starts in (earlier tests may have
    // changed something of bob's in it too, so the count below is not fixed).
    const start = new Date();
    start.setMinutes(start.getMinutes() - start.getTimezoneOffset());
    return start.toISOString().slice(0, 16);
  });
  const create = page.getByRole('form', { name: 'Create a project' });
  await create.getByLabel('Name').fill(bobsName);
  await create.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: bobsName })).toBeVisible();
  await page.getByLabel('Project name').fill(`${bobsName} renamed`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${bobsName} renamed` })).toBeVisible();
  expect(browserProblems).toEqual([]);
});

test('alice reverts everything bob changed since then', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/audit');
  const filters = page.getByRole('form', { name: 'Filter events' });
  await filters.getByLabel('Person').selectOption({ label: 'Bob Brown (bob)' });
  await filters.getByLabel('From').fill(bobStarted);
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(eventRow(page, 'renamed project')).toContainText('bob');

  const batch = page.getByRole('region', { name: /^Revert everything bob did since/ });
  await batch.getByRole('button', { name: 'Preview' }).click();
  await expect(batch.getByText(/^Preview: \d+ events would be considered\.$/)).toBeVisible();
  await batch.getByRole('button', { name: /^Revert all/ }).click();
  await batch.getByRole('button', { name: 'Revert all', exact: true }).click();
  await expect(batch.getByText(/^Done: \d+ of \d+ events reverted\.$/)).toBeVisible();
  const results = batch.getByRole('table');
  await expect(results.getByRole('row').filter({ hasText: 'project.update' })).toContainText(
    'Reverted',
  );
  await expect(results.getByRole('row').filter({ hasText: 'project.create' })).toContainText(
    'Reverted',
  );
  await page.screenshot({ path: '/tmp/audit-batch.png', fullPage: true });

  // Reverting the creation removed bob's project.
  await page.goto('/projects');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(page.getByRole('link', { name: new RegExp(bobsName) })).toHaveCount(0);
  expect(browserProblems).toEqual([]);
});

test('bob restores an earlier dataset version as a new version, from the dataset page', async ({
  page,
  browserProblems,
}) => {
  const bob = await apiAs('bob');
  const project = await bob.call('POST', '/projects', { name: `Versions ${stamp}` });
  expect(project.status).toBe(201);
  const dataset = await bob.call('POST', `/projects/${project.body.id}/datasets`, {
    name: 'Plate reads',
  });
  expect(dataset.status).toBe(201);
  const csv = { 'content-type': 'text/csv' };
  const encode = (text: string) => new TextEncoder().encode(text);
  const first = await bob.call(
    'POST',
    `/datasets/${dataset.body.id}/versions`,
    encode('well,signal\nA1,1\n'),
    csv,
  );
  expect(first.status).toBe(201);
  const second = await bob.call(
    'POST',
    `/datasets/${dataset.body.id}/versions`,
    encode('well,signal\nA1,2\nA2,3\n'),
    csv,
  );
  expect(second.status).toBe(201);

  await signIn(page, 'bob', `/projects/${project.body.id}/datasets/${dataset.body.id}`);
  await expect(page.getByRole('button', { name: /^Restore as new version/ })).toHaveCount(1);
  await page.getByRole('button', { name: 'Restore as new version from version 1' }).click();
  await page.getByRole('button', { name: 'Yes, restore it' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'Version 1 was restored as version 3.' }),
  ).toBeVisible();
  await page.screenshot({ path: '/tmp/dataset-restore.png', fullPage: true });

  const shown = await bob.call('GET', `/datasets/${dataset.body.id}`);
  expect(shown.body.latestVersion).toBe(3);
  const byNumber = new Map(
    (shown.body.versions as { number: number; sha256: string; rowCount: number }[]).map(
      (version) => [version.number, version],
    ),
  );
  expect(byNumber.get(3)?.sha256).toBe(byNumber.get(1)?.sha256);
  expect(byNumber.get(3)?.rowCount).toBe(1);
  expect(browserProblems).toEqual([]);
});

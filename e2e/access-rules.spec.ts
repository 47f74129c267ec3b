/**
 * Attribute rules in a real browser against the real server, with the demo users: alice (Admin)
 * creates a group, bob creates a project and makes dave an editor, alice tags the project
 * `sensitivity=restricted` and restricts that tag to her group, which dave is not in: the project
 * vanishes from dave's list and its address answers "not found". Once alice deletes the rule, dave
 * sees the project again. The steps share one project and one rule, so they run in order.
 */
import type { Page } from '@playwright/test';
import { cspViolations, expect, signIn, test } from './support/fixtures.ts';

const suffix = Date.now().toString(36);
const groupName = `oncology-${suffix}`;
const projectName = `Tumour panel ${suffix}`;
const ruleLine = `sensitivity=restricted → only ${groupName}`;

test.describe.configure({ mode: 'serial' });

let projectPath = '';

/** The browser logs a refused request as a failed load; nothing else may go wrong. */
function unexpected(problems: string[]): string[] {
  return problems.filter((line) => !line.includes('status of 404'));
}

async function openAccessPage(page: Page) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Access' })
    .click();
  return page.getByRole('region', { name: 'Attribute rules' });
}

test('alice creates a group on the Groups page', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/groups');
  const create = page.getByRole('form', { name: 'Create a group' });
  await create.getByLabel('Group name').fill(groupName);
  await create.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('link', { name: groupName })).toBeVisible();

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('bob creates a project and makes dave an editor', async ({ page, browserProblems }) => {
  await signIn(page, 'bob', '/projects');
  const create = page.getByRole('form', { name: 'Create a project' });
  await create.getByLabel('Name').fill(projectName);
  await create.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: projectName })).toBeVisible();
  projectPath = new URL(page.url()).pathname;

  const members = page.getByRole('region', { name: 'Members' });
  const addMember = members.getByRole('form', { name: 'Add a member' });
  await addMember.getByLabel('User or group').selectOption({ label: 'Dave Davis (dave)' });
  await addMember.getByLabel('Role', { exact: true }).selectOption('editor');
  await addMember.getByRole('button', { name: 'Add member' }).click();
  await expect(members.getByLabel('Role of dave')).toHaveValue('editor');

  // bob is no Admin: the project has no tags, so he sees no Tags section at all.
  await expect(page.getByRole('region', { name: 'Tags' })).toHaveCount(0);

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('alice tags the project and restricts the tag to her group', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'alice', projectPath);
  await expect(page.getByRole('heading', { level: 1, name: projectName })).toBeVisible();
  const tags = page.getByRole('region', { name: 'Tags' });
  await expect(tags.getByText('This project has no tags.')).toBeVisible();
  const addTag = tags.getByRole('form', { name: 'Add a tag' });

  // Checked in the page before anything is sent.
  await addTag.getByLabel('Tag key').fill('needs review');
  await addTag.getByLabel('Tag value').fill('yes');
  await addTag.getByRole('button', { name: 'Add tag' }).click();
  await expect(addTag.getByRole('alert')).toContainText('The key may hold only letters');

  await addTag.getByLabel('Tag key').fill('sensitivity');
  await addTag.getByLabel('Tag value').fill('restricted');
  await addTag.getByRole('button', { name: 'Add tag' }).click();
  const chips = tags.getByRole('list', { name: 'Tags of the project' }).getByRole('listitem');
  await expect(chips).toHaveText(['sensitivity=restricted×']);
  await expect(addTag.getByLabel('Tag key')).toHaveValue('');

  const rules = await openAccessPage(page);
  const create = rules.getByRole('form', { name: 'Create a rule' });
  await create.getByLabel('Tag key').fill('sensitivity');
  await create.getByLabel('Tag value').fill('restricted');
  await create.getByRole('checkbox', { name: groupName, exact: true }).check();
  await create.getByRole('button', { name: 'Create rule' }).click();
  await expect(rules.getByRole('list', { name: 'Attribute rules' })).toContainText(ruleLine);

  // A second rule for the same tag is refused by the server, which says why.
  await create.getByLabel('Tag key').fill('sensitivity');
  await create.getByLabel('Tag value').fill('restricted');
  await create.getByRole('button', { name: 'Create rule' }).click();
  await expect(create.getByRole('alert')).toContainText('exists already');

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems.filter((line) => !line.includes('status of 409'))).toEqual([]);
});

test('dave no longer finds the project, and its address says not found', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'dave', '/projects');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(page.getByRole('link', { name: projectName })).toHaveCount(0);

  await page.goto(projectPath);
  const failure = page.getByRole('alert');
  await expect(failure).toContainText('The project could not be loaded');
  await expect(failure).toContainText('No project with this id, or you may not see it.');

  expect(await cspViolations(page)).toEqual([]);
  expect(unexpected(browserProblems)).toEqual([]);
});

test('alice deletes the rule', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/');
  const rules = await openAccessPage(page);
  const row = rules.getByRole('listitem').filter({ hasText: ruleLine });
  await row.getByRole('button', { name: 'Delete rule sensitivity=restricted' }).click();
  await row
    .getByRole('group', { name: 'Confirm: Delete rule sensitivity=restricted' })
    .getByRole('button', { name: 'Yes, delete it' })
    .click();
  await expect(rules.getByText(ruleLine)).toHaveCount(0);

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('dave sees the project again, with its tag read-only', async ({ page, browserProblems }) => {
  await signIn(page, 'dave', '/projects');
  await page.getByRole('link', { name: projectName }).click();
  await expect(page.getByRole('heading', { level: 1, name: projectName })).toBeVisible();
  const tags = page.getByRole('region', { name: 'Tags' });
  await expect(tags.getByRole('listitem')).toHaveText(['sensitivity=restricted']);
  await expect(tags.getByRole('textbox')).toHaveCount(0);
  await expect(tags.getByRole('button')).toHaveCount(0);

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

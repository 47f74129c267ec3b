/**
 * Sharing through a group in a real browser against the real server, with the demo users: alice
 * (Admin) creates a group and adds dave; bob makes a project, shares it with the group as viewer,
 * creates a dashboard in it and a database connection. Dave finds the dashboard on his Dashboards
 * page and opens it, but the connection stays out of his reach (the Datagrok case). The
 * connection's password never reaches a browser: no response bob's page receives carries it, and
 * the edit form's password field stays empty. The steps share one group, project and connection,
 * so they run in order.
 */
import type { Page } from '@playwright/test';
import { cspViolations, expect, signIn, test } from './support/fixtures.ts';

const suffix = Date.now().toString(36);
const groupName = `assay-readers-${suffix}`;
const projectName = `Plate reader ${suffix}`;
const dashboardTitle = `Assay overview ${suffix}`;
const connectionName = `LIMS ${suffix}`;
const password = `pw-never-shown-${suffix}`;

test.describe.configure({ mode: 'serial' });

let connectionPath = '';

/** Every response body the page receives, to search for what must never reach it. */
function recordResponses(page: Page): Promise<string>[] {
  const bodies: Promise<string>[] = [];
  page.on('response', (response) => {
    bodies.push(response.text().catch(() => ''));
  });
  return bodies;
}

test('alice creates a group and adds dave to it', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/groups');
  const create = page.getByRole('form', { name: 'Create a group' });
  await create.getByLabel('Group name').fill(groupName);
  await create.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('link', { name: groupName }).click();
  await expect(page.getByRole('heading', { level: 1, name: groupName })).toBeVisible();

  const add = page.getByRole('form', { name: 'Add a member' });
  await add.getByLabel('User').selectOption({ label: 'Dave Davis (dave)' });
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('row', { name: /dave/ })).toBeVisible();

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('bob shares a project with the group, adds a dashboard and a connection', async ({
  page,
  browserProblems,
}) => {
  const bodies = recordResponses(page);
  await signIn(page, 'bob', '/projects');
  const createProject = page.getByRole('form', { name: 'Create a project' });
  await createProject.getByLabel('Name').fill(projectName);
  await createProject.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: projectName })).toBeVisible();

  const members = page.getByRole('region', { name: 'Members' });
  const addMember = members.getByRole('form', { name: 'Add a member' });
  await addMember.getByLabel('User or group').selectOption({ label: groupName });
  await addMember.getByLabel('Role', { exact: true }).selectOption('viewer');
  await addMember.getByRole('button', { name: 'Add member' }).click();
  await expect(members.getByRole('row', { name: new RegExp(groupName) })).toContainText('Group');

  const createDashboard = page.getByRole('form', { name: 'Create a dashboard' });
  await createDashboard.getByLabel('New dashboard title').fill(dashboardTitle);
  await createDashboard.getByRole('button', { name: 'Create dashboard' }).click();
  await expect(page.getByRole('link', { name: dashboardTitle })).toBeVisible();

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Connections' })
    .click();
  const createConnection = page.getByRole('form', { name: 'Add a PostgreSQL connection' });
  await createConnection.getByLabel('Name').fill(connectionName);
  await createConnection.getByLabel('Host').fill('lims.example.org');
  await createConnection.getByLabel('Database', { exact: true }).fill('lims');
  await createConnection.getByLabel('Database user').fill('reader');
  await createConnection.getByLabel('Password').fill(password);
  await createConnection.getByRole('button', { name: 'Add connection' }).click();
  await expect(page.getByRole('heading', { level: 1, name: connectionName })).toBeVisible();
  connectionPath = new URL(page.url()).pathname;

  // Write-only: after a reload the edit form starts empty, and no answer carried the password.
  await page.reload();
  const edit = page.getByRole('form', { name: 'Edit the connection' });
  await expect(edit.getByLabel('Host')).toHaveValue('lims.example.org');
  await expect(edit.getByLabel('Password')).toHaveValue('');
  expect(await page.content()).not.toContain(password);
  const received = await Promise.all(bodies);
  expect(received.length).toBeGreaterThan(5);
  expect(received.filter((body) => body.includes(password))).toEqual([]);

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('dave opens the dashboard through the group, but not the connection', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'dave', '/');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Dashboards' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboards' })).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(dashboardTitle) });
  await expect(row).toContainText(projectName);
  await row.getByRole('link', { name: dashboardTitle }).click();
  await expect(page.getByRole('heading', { level: 1, name: dashboardTitle })).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete/ })).toHaveCount(0);

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Connections' })
    .click();
  await expect(page.getByText('No connections you may use.')).toBeVisible();
  await expect(page.getByRole('link', { name: connectionName })).toHaveCount(0);
  await page.goto(connectionPath);
  const failure = page.getByRole('alert');
  await expect(failure).toContainText('The connection could not be loaded');
  await expect(failure).not.toContainText(connectionName);

  expect(await cspViolations(page)).toEqual([]);
  // The browser logs the refused connection as a failed load; nothing else may go wrong.
  expect(browserProblems.filter((line) => !line.includes('status of 404'))).toEqual([]);
});

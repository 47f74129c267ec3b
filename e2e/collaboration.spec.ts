/**
 * Collaboration in a real browser against the real server, with the demo users: bob (User)
 * creates a project and adds dave as a viewer; dave sees it read-only, without a control he may
 * not use; carol (system Viewer) is not offered to create a project; alice (Admin) asks the
 * access explainer why bob may delete the project and sees the owner grant. The steps share one
 * project, so they run in order.
 */
import { cspViolations, expect, signIn, test } from './support/fixtures.ts';

const projectName = `Kinase screening ${Date.now().toString(36)}`;

test.describe.configure({ mode: 'serial' });

test('bob creates a project and adds dave as a viewer', async ({ page, browserProblems }) => {
  await signIn(page, 'bob', '/projects');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  const create = page.getByRole('form', { name: 'Create a project' });
  await create.getByLabel('Name').fill(projectName);
  await create.getByLabel('Description').fill('Dose–response runs of the kinase panel.');
  await create.getByRole('button', { name: 'Create project' }).click();

  await expect(page.getByRole('heading', { level: 1, name: projectName })).toBeVisible();
  await expect(page.getByTestId('my-project-role')).toHaveText('Your role: Owner');
  const members = page.getByRole('region', { name: 'Members' });
  await expect(members.getByRole('row', { name: /bob/ })).toContainText('User');

  const addMember = members.getByRole('form', { name: 'Add a member' });
  await addMember.getByLabel('User or group').selectOption({ label: 'Dave Davis (dave)' });
  await addMember.getByLabel('Role', { exact: true }).selectOption('viewer');
  await addMember.getByRole('button', { name: 'Add member' }).click();
  await expect(members.getByLabel('Role of dave')).toHaveValue('viewer');

  // The last owner cannot be removed: the server says why, and bob stays owner.
  await members.getByRole('button', { name: 'Remove bob' }).click();
  await members
    .getByRole('group', { name: 'Confirm: Remove bob' })
    .getByRole('button', {
      name: 'Remove',
    })
    .click();
  await expect(members.getByRole('alert')).toContainText('needs an owner');
  await expect(members.getByLabel('Role of bob')).toHaveValue('owner');

  expect(await cspViolations(page)).toEqual([]);
  // The refused removal is logged by the browser as a failed request; nothing else may be.
  expect(browserProblems.filter((line) => !line.includes('status of 409'))).toEqual([]);
});

test('dave sees the project read-only, with no control he may not use', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'dave', '/projects');
  await page.getByRole('link', { name: projectName }).click();
  await expect(page.getByRole('heading', { level: 1, name: projectName })).toBeVisible();
  await expect(page.getByTestId('my-project-role')).toHaveText('Your role: Viewer');

  const members = page.getByRole('region', { name: 'Members' });
  await expect(members.getByRole('row', { name: /dave/ })).toContainText('Viewer');
  await expect(members.getByRole('combobox')).toHaveCount(0);
  await expect(members.getByRole('form', { name: 'Add a member' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Create a dashboard' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Create a dataset' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Settings' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Delete|Remove|Save/ })).toHaveCount(0);
  await expect(page.getByRole('textbox')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Explain access to this project' })).toHaveCount(0);

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('carol, a system Viewer, is not offered to create a project', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'carol', '/projects');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await expect(page.getByText('You are not a member of any project yet.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create project' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Create a project' })).toHaveCount(0);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Access' })).toHaveCount(0);

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('alice asks the explainer why bob may delete the project and sees the owner grant', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'alice', '/');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Access' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Access explainer' })).toBeVisible();

  const question = page.getByRole('form', { name: 'Question' });
  await question.getByLabel('User').selectOption({ label: 'Bob Brown (bob)' });
  await question.getByLabel('Kind of resource').selectOption('project');
  await question.getByLabel('Project').selectOption({ label: projectName });
  await question.getByLabel('Action').selectOption('project.delete');
  await question.getByRole('button', { name: 'Explain' }).click();

  const answer = page.getByRole('region', { name: 'Allowed' });
  await expect(answer).toBeVisible();
  await expect(answer.getByTestId('decision-reason')).toHaveText(
    'Project owners may delete the project.',
  );
  const chain = answer.getByRole('list', { name: 'Grant chain' }).getByRole('listitem');
  await expect(chain).toHaveText([
    'bob (the user asked about)',
    `holds the role Owner on the project ${projectName}`,
  ]);

  // The question is in the address: a reload asks it again.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Allowed' })).toBeVisible();

  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

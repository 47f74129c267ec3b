/**
 * The Admin page in a real browser against the real server, with the demo users: alice (Admin)
 * makes carol a User, and carol may create projects on her next visit; alice disables dave, whose
 * sign-in is then refused, and enables him again; alice resets the password of the first
 * administrator account, `admin`, and signing in with the temporary one she is shown makes its
 * owner choose their own. The demo users are left as they were found, for the other files.
 */
import type { Page } from '@playwright/test';
import { cspViolations, expect, signIn, submitSignInForm, test } from './support/fixtures.ts';

test.describe.configure({ mode: 'serial' });

let temporaryPassword = '';

async function setRole(page: Page, username: string, role: 'user' | 'viewer') {
  await signIn(page, 'alice', '/admin');
  const select = page.getByLabel(`System role of ${username}`);
  await select.selectOption(role);
  await expect(select).toHaveValue(role);
  await expect(select).toBeEnabled();
  await page.reload();
  await expect(page.getByLabel(`System role of ${username}`)).toHaveValue(role);
}

test('alice cannot change her own role or disable herself', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/admin');
  await expect(page.getByRole('heading', { level: 1, name: 'Admin' })).toBeVisible();
  await expect(page.getByLabel('System role of alice')).toBeDisabled();
  const ownRow = page.getByRole('row', { name: /alice/ });
  await expect(ownRow.getByRole('button', { name: /Disable/ })).toHaveCount(0);
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('alice makes carol a User', async ({ page, browserProblems }) => {
  await setRole(page, 'carol', 'user');
  expect(browserProblems).toEqual([]);
});

test('carol, now a User, is offered to create a project', async ({ page, browserProblems }) => {
  await signIn(page, 'carol', '/projects');
  await expect(page.getByRole('form', { name: 'Create a project' })).toBeVisible();
  expect(browserProblems).toEqual([]);
});

test('alice makes carol a Viewer again', async ({ page, browserProblems }) => {
  await setRole(page, 'carol', 'viewer');
  expect(browserProblems).toEqual([]);
});

test('alice disables dave', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/admin');
  const row = page.getByRole('row', { name: /dave/ });
  await row.getByRole('button', { name: 'Disable dave' }).click();
  await row.getByRole('button', { name: 'Disable', exact: true }).click();
  await expect(row.getByText('Disabled', { exact: true })).toBeVisible();
  expect(browserProblems).toEqual([]);
});

test('dave cannot sign in while disabled', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await submitSignInForm(page, 'dave', 'dave-demo-password');
  await expect(page.getByRole('alert')).toContainText('This account is disabled.');
});

test('alice enables dave', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/admin');
  const row = page.getByRole('row', { name: /dave/ });
  await row.getByRole('button', { name: 'Enable dave' }).click();
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
  expect(browserProblems).toEqual([]);
});

test('dave signs in again once enabled', async ({ page, browserProblems }) => {
  await signIn(page, 'dave', '/');
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }),
  ).toHaveCount(0);
  expect(browserProblems).toEqual([]);
});

test('alice resets the password of the admin account', async ({ page, browserProblems }) => {
  await signIn(page, 'alice', '/admin');
  const row = page.getByRole('row', { name: /^admin/ });
  await row.getByRole('button', { name: 'Reset password admin' }).click();
  await row.getByRole('button', { name: 'Reset', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Temporary password for admin' });
  temporaryPassword = (await panel.getByTestId('temporary-password').textContent()) ?? '';
  expect(temporaryPassword.length).toBeGreaterThanOrEqual(12);
  await panel.getByRole('button', { name: 'Done' }).click();
  await expect(panel).toHaveCount(0);
  expect(await page.content()).not.toContain(temporaryPassword);
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('the temporary password signs in and asks for a new one', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await submitSignInForm(page, 'admin', temporaryPassword);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Choose a new password' }),
  ).toBeVisible();
  const chosen = `tundra ledger ${Date.now().toString(36)} quince harbour`;
  await page.locator('input[name="newPassword"]').fill(chosen);
  await page.locator('input[name="repeatPassword"]').fill(chosen);
  await page.getByRole('button', { name: 'Save and continue' }).click();
  await expect(page.getByTestId('current-user')).toContainText('Administrator');
});

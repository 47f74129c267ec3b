/**
 * The external-issuer mode in a real browser: the second Enclave server trusts a stand-in company
 * issuer (another process, another origin) instead of its built-in provider. The app signs in
 * there, the API knows the person by the issuer's token (groups and admin group included), and
 * sign-out ends the session at the issuer.
 */
import {
  ADMIN_GROUP,
  EXTERNAL_APP_URL,
  STAND_IN_ISSUER,
  STAND_IN_USERS,
} from './support/external-issuer.ts';
import { cspViolations, expect, test } from './support/fixtures.ts';

test.use({ baseURL: EXTERNAL_APP_URL });

test('people sign in at the company issuer and the app knows their groups and role', async ({
  page,
  browserProblems,
}) => {
  const erin = STAND_IN_USERS.erin;
  const me = page.waitForResponse(
    (response) => response.url().endsWith('/api/v1/me') && response.status() === 200,
  );
  await page.goto('/data');
  await expect(page.getByText(new URL(STAND_IN_ISSUER).host)).toBeVisible();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  // The issuer's own page, on its own origin: Enclave's sign-in page is not involved.
  await expect(page).toHaveURL(new RegExp(`^${STAND_IN_ISSUER}/login/`));
  await page.getByLabel('Username').fill(erin.username);
  await page.getByLabel('Password').fill(erin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(`${EXTERNAL_APP_URL}/data`);
  await expect(page.getByTestId('current-user')).toContainText(erin.name);
  await expect(page.getByRole('banner')).toContainText('System role: Admin');
  const account = (await (await me).json()) as { source: string; groups: string[] };
  expect(account.source).toBe('oidc');
  expect(account.groups.sort()).toEqual([ADMIN_GROUP, 'oncology']);

  // The built-in provider is off on this server.
  expect((await page.request.get('/oidc/.well-known/openid-configuration')).status()).toBe(404);

  await page.reload();
  await expect(page.getByTestId('current-user')).toContainText(erin.name);
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);

  // Sign-out ends the session at the issuer too, which asks for confirmation on its own page.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(new RegExp(`^${STAND_IN_ISSUER}/session/end`));
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'You are signed out' })).toBeVisible();
  await expect(page).toHaveURL(`${EXTERNAL_APP_URL}/auth/signed-out`);
});

test('a person outside the admin group is a user', async ({ page }) => {
  const frank = STAND_IN_USERS.frank;
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByLabel('Username').fill(frank.username);
  await page.getByLabel('Password').fill(frank.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toContainText(frank.name);
  await expect(page.getByRole('banner')).toContainText('System role: User');
});

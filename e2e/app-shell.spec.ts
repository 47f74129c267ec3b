/**
 * The app shell in a real browser against the real server, signed in: it loads, every area is reachable
 * through the navigation, deep links survive a reload, unknown addresses get a not-found page,
 * API errors show their request id, and nothing trips the console, the CSP or Trusted Types.
 */
import { readFileSync } from 'node:fs';
import { cspViolations, expect, signIn, test, waitForServiceWorker } from './support/fixtures.ts';

/** Areas that work, as bob (a User) sees them in the navigation. */
const workingAreas = [
  'Data',
  'Dashboards',
  'Projects',
  'Groups',
  'Connections',
  'Plugins',
  'Audit',
] as const;
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

test('loads the overview with the server status and offline readiness', async ({
  page,
  browserProblems,
}) => {
  await signIn(page);
  await expect(page).toHaveTitle('Overview · Enclave');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  const server = page.getByRole('region', { name: 'Server' });
  await expect(server.getByText('Healthy')).toBeVisible();
  await expect(server.getByText(version, { exact: true })).toBeVisible();
  await waitForServiceWorker(page);
  const offline = page.getByRole('region', { name: 'Offline use and network guard' });
  await expect(offline.getByText('Ready', { exact: true })).toBeVisible();
  await expect(offline.getByText(`${new URL(page.url()).origin} (this app)`)).toBeVisible();
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('every area is reachable through the navigation', async ({ page, browserProblems }) => {
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const heading = page.getByRole('heading', { level: 1 });
  for (const area of workingAreas) {
    const link = nav.getByRole('link', { name: area, exact: true });
    await link.click();
    await expect(page).toHaveURL(`/${area.toLowerCase()}`);
    await expect(heading).toHaveText(area);
    await expect(page).toHaveTitle(`${area} · Enclave`);
    await expect(link).toHaveAttribute('aria-current', 'page');
    await expect(nav.locator('[aria-current="page"]')).toHaveCount(1);
    await expect(page.getByText('Not available yet')).toHaveCount(0);
    // Focus follows the navigation to the new page's heading.
    await expect(heading).toBeFocused();
  }
  // Administration is for Admins: a User is not even shown the way there.
  await expect(nav.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Overview' }).click();
  await expect(page).toHaveURL('/');
  await expect(heading).toHaveText('Overview');
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('a deep link loads directly and survives a reload', async ({ page, browserProblems }) => {
  await signIn(page, 'bob', '/audit');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText('Audit');
  await waitForServiceWorker(page);
  await page.reload();
  await expect(heading).toHaveText('Audit');
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }),
  ).toHaveAttribute('aria-current', 'page');
  expect(await cspViolations(page)).toEqual([]);
  expect(browserProblems).toEqual([]);
});

test('an unknown address shows the not-found page inside the layout', async ({
  page,
  browserProblems,
}) => {
  await signIn(page, 'bob', '/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page.getByText('/no/such/page')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the overview' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  expect(browserProblems).toEqual([]);
});

test.describe('when the API fails', () => {
  // Routing in Playwright sees only requests that no service worker answered.
  test.use({ serviceWorkers: 'block' });

  test('the overview shows the error and its request id', async ({ page }) => {
    await signIn(page);
    await page.route('**/api/v1/config', (route) =>
      route.fulfill({
        status: 503,
        json: {
          error: {
            code: 'service_unavailable',
            message: 'The store does not answer.',
            requestId: 'e2e-request-7',
          },
        },
      }),
    );
    await page.reload();
    const server = page.getByRole('region', { name: 'Server' });
    await expect(server.getByText('The store does not answer.')).toBeVisible({ timeout: 15_000 });
    await expect(server.getByText('e2e-request-7')).toBeVisible();
  });
});

test('looks right at 1280x800', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page);
  await expect(page.getByRole('region', { name: 'Server' }).getByText('Healthy')).toBeVisible();
  await waitForServiceWorker(page);
  await expect(page.getByText('Ready', { exact: true })).toBeVisible();
  const home = await page.screenshot({ path: 'test-results/screenshots/home.png' });
  await testInfo.attach('home', { body: home, contentType: 'image/png' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Data' })).toBeVisible();
  const data = await page.screenshot({ path: 'test-results/screenshots/data.png' });
  await testInfo.attach('data', { body: data, contentType: 'image/png' });
});

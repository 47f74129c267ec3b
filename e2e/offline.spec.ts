/**
 * Offline: after one visit, the app opens, reloads and navigates with no network at all, the
 * service worker included.
 */
import { expect, signIn, test, waitForServiceWorker } from './support/fixtures.ts';

test('after the first visit the app shell works offline', async ({ page, context }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await waitForServiceWorker(page);

  await context.setOffline(true);
  // Proof that the worker has no network either, so what follows comes from its precache.
  const [worker] = context.serviceWorkers();
  expect(worker).toBeDefined();
  const fromWorker = await worker!.evaluate(() =>
    fetch('/healthz', { cache: 'no-store' }).then(
      (response) => `status ${response.status}`,
      () => 'network error',
    ),
  );
  expect(fromWorker).toBe('network error');

  await page.reload();
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText('Overview');
  await expect(page.getByRole('banner').getByText('Offline')).toBeVisible();

  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Dashboards' }).click();
  await expect(heading).toHaveText('Dashboards');

  // A deep link never visited before also opens: navigations fall back to the cached shell.
  await page.goto('/projects');
  await expect(heading).toHaveText('Projects');
  await expect(nav).toBeVisible();

  await context.setOffline(false);
});

/**
 * Shared Playwright fixtures: a record of everything that went wrong in the browser (console
 * errors and warnings, uncaught exceptions, CSP and Trusted Types violations), and a helper that
 * waits until the service worker controls a page.
 */
import { test as base, expect, type Page } from '@playwright/test';

export { expect };

declare global {
  interface Window {
    /** Filled by the init script below; read by `cspViolations()`. */
    __enclaveCspViolations?: string[];
  }
}

interface Fixtures {
  /** Console errors and warnings, uncaught exceptions and CSP violations, as readable lines. */
  browserProblems: string[];
  /** Records CSP violations in every page, for `cspViolations()`. */
  cspRecorder: void;
}

export const test = base.extend<Fixtures>({
  cspRecorder: [
    async ({ context }, use) => {
      // Runs before any page script, outside the page's CSP; every violation, Trusted Types
      // ones included, fires this event on the document.
      await context.addInitScript(() => {
        window.__enclaveCspViolations = [];
        document.addEventListener('securitypolicyviolation', (event) => {
          const line = `${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'}`;
          window.__enclaveCspViolations?.push(line);
          console.error(`CSP violation: ${line}`);
        });
      });
      await use();
    },
    { auto: true },
  ],
  browserProblems: async ({ context }, use) => {
    const problems: string[] = [];
    context.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`console.${message.type()}: ${message.text()}`);
      }
    });
    context.on('weberror', (error) => problems.push(`uncaught: ${error.error().message}`));
    await use(problems);
  },
});

/**
 * Waits until a service worker controls the page (the first visit installs and claims it).
 *
 * @example
 * await page.goto('/');
 * await waitForServiceWorker(page);
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  try {
    // Installing precaches the whole app shell, which takes longer on a busy two-core machine.
    await page.waitForFunction(
      () => navigator.serviceWorker.controller?.state === 'activated',
      null,
      { timeout: 30_000 },
    );
  } catch (error) {
    const state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return JSON.stringify({
        controller: navigator.serviceWorker.controller?.state ?? null,
        installing: registration?.installing?.state ?? null,
        waiting: registration?.waiting?.state ?? null,
        active: registration?.active?.state ?? null,
      });
    });
    throw new Error(`No service worker took control of the page: ${state}`, { cause: error });
  }
}

/**
 * The CSP violations the page has seen since it loaded.
 *
 * @example
 * expect(await cspViolations(page)).toEqual([]);
 */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__enclaveCspViolations ?? []);
}

/** The demo users the e2e server seeds, with their names and system roles. */
export const DEMO_USERS = {
  alice: { displayName: 'Alice Adams', role: 'Admin' },
  bob: { displayName: 'Bob Brown', role: 'User' },
  carol: { displayName: 'Carol Clark', role: 'Viewer' },
  dave: { displayName: 'Dave Davis', role: 'User' },
} as const;

export type DemoUser = keyof typeof DEMO_USERS;

/**
 * Signs a demo user in the way a person does: the app's "Sign in" button, the provider's form,
 * and back to `path`, where the header then names the user.
 *
 * @example
 * await signIn(page, 'alice', '/projects');
 */
export async function signIn(page: Page, username: DemoUser = 'bob', path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await submitSignInForm(page, username, `${username}-demo-password`);
  await expect(page.getByTestId('current-user')).toContainText(DEMO_USERS[username].displayName);
}

/**
 * Fills and sends the provider's sign-in form.
 *
 * @example
 * await submitSignInForm(page, 'bob', 'wrong password');
 */
export async function submitSignInForm(page: Page, username: string, password: string) {
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

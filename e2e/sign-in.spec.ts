/**
 * Sign-in in a real browser against the real server and its built-in provider: each demo user
 * signs in and stays signed in across a reload, sign-out ends the session, wrong passwords and
 * throttling say so, tokens stay out of Web Storage, a copied access token is useless without the
 * browser's DPoP key, and a session ended elsewhere shows its own screen.
 */
import type { Page, Request } from '@playwright/test';
import {
  DEMO_USERS,
  cspViolations,
  expect,
  signIn,
  submitSignInForm,
  test,
  type DemoUser,
} from './support/fixtures.ts';

/** The first API call to /me the page makes from now on, with the headers it carried. */
function nextMeRequest(page: Page): Promise<Request> {
  return page.waitForRequest((request) => request.url().endsWith('/api/v1/me'));
}

for (const [username, { displayName, role }] of Object.entries(DEMO_USERS)) {
  test(`${username} signs in, stays signed in across a reload, and signs out`, async ({
    page,
    browserProblems,
  }) => {
    await signIn(page, username as DemoUser, '/projects');
    await expect(page).toHaveURL('/projects');
    const user = page.getByTestId('current-user');
    await expect(user).toContainText(displayName);
    await expect(page.getByRole('banner')).toContainText(`System role: ${role}`);

    await page.reload();
    await expect(user).toContainText(displayName);
    await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'You are signed out' })).toBeVisible();
    await expect(page).toHaveURL('/auth/signed-out');

    // Signed out for real: the app asks to sign in, and the provider asks for the password again.
    await page.goto('/');
    await expect(page.getByTestId('current-user')).toHaveCount(0);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();

    expect(await cspViolations(page)).toEqual([]);
    expect(browserProblems).toEqual([]);
  });
}

test('a wrong password says so and lets the person try again', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await submitSignInForm(page, 'dave', 'not-daves-password');
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expect(page.getByLabel('Username')).toHaveValue('dave');
  await expect(page.getByLabel('Password')).toHaveValue('');

  await page.getByLabel('Password').fill('dave-demo-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByTestId('current-user')).toContainText('Dave Davis');
});

test('repeated failures are throttled with a message that says how long to wait', async ({
  page,
}) => {
  // An account nobody has: throttling works the same for it, and no demo user is locked out.
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await submitSignInForm(page, 'mallory', `guess-number-${attempt}`);
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  }
  await submitSignInForm(page, 'mallory', 'guess-number-6');
  await expect(page.getByRole('alert')).toHaveText(
    /Too many failed sign-ins for this account\. Try again in \d+ minutes?\./,
  );
});

test('tokens never reach Web Storage, cookies or the address bar', async ({ page }) => {
  const meRequest = nextMeRequest(page);
  await signIn(page, 'bob');
  const authorization = (await meRequest).headers().authorization ?? '';
  const accessToken = authorization.replace(/^DPoP /, '');
  expect(accessToken.split('.')).toHaveLength(3);

  const visible = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
    url: location.href,
  }));
  for (const [place, content] of Object.entries(visible)) {
    expect(content, place).not.toContain(accessToken);
    expect(content, place).not.toMatch(/eyJ[\w-]+\.eyJ/);
  }
});

test('every API call carries a fresh DPoP proof, and a copied token is refused elsewhere', async ({
  page,
  browser,
  baseURL,
}) => {
  const first = nextMeRequest(page);
  await signIn(page, 'alice');
  const request = await first;
  const headers = request.headers();
  expect(headers.authorization).toMatch(/^DPoP ey/);
  expect(headers.dpop).toMatch(/^ey/);
  const token = headers.authorization!.replace(/^DPoP /, '');
  const proof = headers.dpop!;

  const second = nextMeRequest(page);
  await page.reload();
  expect((await second).headers().dpop).not.toBe(proof);

  // Another browser context (another machine, as far as the server can tell) has the token but
  // not the non-extractable key it is bound to.
  const thief = await browser.newContext({ baseURL });
  const thiefPage = await thief.newPage();
  await thiefPage.goto('/');
  await expect(thiefPage.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  const attempts = await thiefPage.evaluate(
    async ({ token, proof }) => {
      const me = '/api/v1/me';
      const status = (init: RequestInit) => fetch(me, init).then((response) => response.status);
      return {
        withoutProof: await status({ headers: { authorization: `DPoP ${token}` } }),
        asBearer: await status({ headers: { authorization: `Bearer ${token}` } }),
        replayedProof: await status({ headers: { authorization: `DPoP ${token}`, dpop: proof } }),
      };
    },
    { token, proof },
  );
  expect(attempts).toEqual({ withoutProof: 401, asBearer: 401, replayedProof: 401 });
  await thief.close();

  // The rightful browser is not disturbed.
  await page.reload();
  await expect(page.getByTestId('current-user')).toContainText('Alice Adams');
});

test('a session ended elsewhere shows a clear screen, and signing in again returns to the page', async ({
  page,
  request,
  baseURL,
}) => {
  const tokenResponse = page.waitForResponse(
    (response) => response.url().endsWith('/oidc/token') && response.status() === 200,
  );
  await signIn(page, 'carol', '/dashboards');
  const { refresh_token: refreshToken } = (await (await tokenResponse).json()) as {
    refresh_token: string;
  };

  // As an administrator would: the session's refresh token is revoked, and with it the grant.
  const revoked = await request.post(`${baseURL}/oidc/token/revocation`, {
    form: { token: refreshToken, token_type_hint: 'refresh_token', client_id: 'enclave-web' },
  });
  expect(revoked.status()).toBe(200);

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Your session has ended' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in again' }).click();
  // Her sign-in at the provider is still open (only the app's tokens were revoked), so she comes
  // straight back with new tokens.
  await expect(page.getByTestId('current-user')).toContainText('Carol Clark');
  await expect(page).toHaveURL('/dashboards');
});

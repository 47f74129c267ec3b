/**
 * The built-in provider's HTTP surface under `/oidc`: the sign-in and new-password pages (ours,
 * rendered by Hono), their two static files, and everything else handed to `oidc-provider`
 * (discovery, JWKS, authorize, token, revocation, sign-out).
 *
 * The forms are protected against cross-site posting twice: the interaction cookie is
 * `SameSite=Lax` (a foreign site's POST arrives without it and finds no sign-in to continue),
 * and a POST whose `Origin` (with `Sec-Fetch-Site`, see origin-guard) is not ours is refused.
 */
import { readFileSync } from 'node:fs';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isOwnOrigin } from '../../origin-guard/index.ts';
import { MIN_PASSWORD_LENGTH } from '../passwords.ts';
import type { PasswordSignIn, SignInRefusal } from '../password-sign-in.ts';
import {
  PROVIDER_MOUNT_PATH,
  type BuiltInProvider,
  type PendingInteraction,
} from './oidc-provider.ts';
import {
  SIGN_IN_ASSETS_PATH,
  newPasswordPage,
  signInErrorPage,
  signInPage,
} from './sign-in-pages.ts';

export interface ProviderRoutesOptions {
  provider: BuiltInProvider;
  passwordSignIn: PasswordSignIn;
  publicUrl: string;
  /** The client address of a request (proxies accounted for). */
  clientAddress: (c: Context) => string;
  /** The security headers a response to this path gets. */
  responseHeaders: (path: string) => Readonly<Record<string, string>>;
  /** Shown under the password field when LDAP is on. */
  directoryHint?: string | undefined;
}

type ProviderEnv = { Bindings: HttpBindings; Variables: { requestId: string } };

const assets = {
  'sign-in-pages.css': {
    body: readFileSync(new URL('./sign-in-pages.css', import.meta.url), 'utf8'),
    type: 'text/css; charset=utf-8',
  },
  'sign-out.js': {
    body: readFileSync(new URL('./sign-out.js', import.meta.url), 'utf8'),
    type: 'text/javascript; charset=utf-8',
  },
} as const;

const statusByRefusal: Record<SignInRefusal, ContentfulStatusCode> = {
  missing_credentials: 400,
  invalid_credentials: 401,
  login_throttled: 429,
  account_locked: 429,
  account_disabled: 403,
  directory_unavailable: 503,
};

/** A form field as text; absent, repeated or file fields count as empty. */
function field(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value : '';
}

/**
 * The `/oidc` routes, to mount at the root of the app.
 *
 * @example
 * app.route('/', providerRoutes({ provider, passwordSignIn, publicUrl, clientAddress, responseHeaders }));
 */
export function providerRoutes(options: ProviderRoutesOptions) {
  const { provider, passwordSignIn } = options;
  const publicOrigin = new URL(options.publicUrl).origin;
  const routes = new Hono<ProviderEnv>();
  const interactionPath = `${PROVIDER_MOUNT_PATH}/interaction/:uid`;

  const context = (c: Context<ProviderEnv>, interaction: PendingInteraction) => ({
    ip: options.clientAddress(c),
    requestId: c.var.requestId,
    clientId: interaction.clientId,
  });

  const interactionUrl = (uid: string, step: string) =>
    `${PROVIDER_MOUNT_PATH}/interaction/${uid}/${step}`;
  const loginForm = (uid: string, state: { username?: string; error?: string }) =>
    signInPage({
      action: interactionUrl(uid, 'login'),
      cancelAction: interactionUrl(uid, 'abort'),
      directoryHint: options.directoryHint,
      ...state,
    });
  const passwordForm = (uid: string, state: { username: string; error?: string }) =>
    newPasswordPage({
      action: interactionUrl(uid, 'password'),
      minLength: MIN_PASSWORD_LENGTH,
      ...state,
    });

  const expired = (c: Context<ProviderEnv>) =>
    c.html(
      signInErrorPage({
        title: 'Sign-in expired',
        message:
          'This sign-in page is no longer valid: it took too long, was finished in another tab, or was opened from another site.',
        code: 'session_not_found',
        requestId: c.var.requestId,
      }),
      400,
    );

  /** The pending interaction of this request, if it is the one the URL names. */
  async function pending(c: Context<ProviderEnv>): Promise<PendingInteraction | null> {
    const interaction = await provider.interaction(c.env.incoming, c.env.outgoing);
    return interaction && interaction.uid === c.req.param('uid') ? interaction : null;
  }

  routes.get(`${SIGN_IN_ASSETS_PATH}/:file`, (c) => {
    const asset = assets[c.req.param('file') as keyof typeof assets] as
      (typeof assets)[keyof typeof assets] | undefined;
    if (!asset) return c.notFound();
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  routes.use(`${interactionPath}/*`, bodyLimit({ maxSize: 16 * 1024 }));
  routes.use(`${interactionPath}/*`, async (c, next) => {
    const sender = { origin: c.req.header('origin'), fetchSite: c.req.header('sec-fetch-site') };
    if (c.req.method === 'POST' && !isOwnOrigin(sender, publicOrigin)) {
      return c.html(
        signInErrorPage({
          title: 'Sign-in refused',
          message: 'The sign-in form was sent from another site.',
          code: 'forbidden_origin',
          requestId: c.var.requestId,
        }),
        403,
      );
    }
    c.header('Cache-Control', 'no-store');
    await next();
  });

  routes.get(interactionPath, async (c) => {
    c.header('Cache-Control', 'no-store');
    const interaction = await pending(c);
    if (!interaction) return expired(c);
    const uid = interaction.uid;
    if (interaction.passwordChangeFor) {
      return c.html(passwordForm(uid, { username: interaction.passwordChangeFor.username }));
    }
    return c.html(loginForm(uid, {}));
  });

  routes.post(`${interactionPath}/login`, async (c) => {
    const interaction = await pending(c);
    if (!interaction) return expired(c);
    const form = await c.req.parseBody();
    const username = field(form, 'username');
    const result = await passwordSignIn.signIn(
      username,
      field(form, 'password'),
      context(c, interaction),
    );
    if (!result.ok) {
      return c.html(
        loginForm(interaction.uid, { username: username.slice(0, 256), error: result.message }),
        statusByRefusal[result.refusal],
      );
    }
    if (result.mustChangePassword) {
      await interaction.requirePasswordChange({
        accountId: result.account.id,
        username: result.account.username,
      });
      return c.redirect(`${PROVIDER_MOUNT_PATH}/interaction/${interaction.uid}`, 303);
    }
    return c.redirect(await interaction.finishLogin(result.account.id), 303);
  });

  routes.post(`${interactionPath}/password`, async (c) => {
    const interaction = await pending(c);
    if (!interaction?.passwordChangeFor) return expired(c);
    const form = await c.req.parseBody();
    const { accountId, username } = interaction.passwordChangeFor;
    const result = await passwordSignIn.changePassword(
      accountId,
      field(form, 'newPassword'),
      field(form, 'repeatPassword'),
      context(c, interaction),
    );
    if (!result.ok) {
      return c.html(passwordForm(interaction.uid, { username, error: result.message }), 400);
    }
    return c.redirect(await interaction.finishLogin(accountId), 303);
  });

  routes.post(`${interactionPath}/abort`, async (c) => {
    const interaction = await pending(c);
    if (!interaction) return expired(c);
    return c.redirect(await interaction.abort(), 303);
  });

  const handOver = async (c: Context<ProviderEnv>) => {
    await provider.handle(c.env.incoming, c.env.outgoing, {
      clientAddress: options.clientAddress(c),
      responseHeaders: options.responseHeaders(c.req.path),
    });
    return RESPONSE_ALREADY_SENT;
  };
  routes.all(PROVIDER_MOUNT_PATH, handOver);
  routes.all(`${PROVIDER_MOUNT_PATH}/*`, handOver);
  return routes;
}

/**
 * The HTML pages of the built-in provider: sign in, choose a new password, sign out, and errors.
 * Rendered on the server with `hono/html`, which escapes every interpolated value; no inline
 * script or style (the page CSP allows neither): the look comes from `sign-in-pages.css` and the
 * one behaviour, submitting the sign-out form, from `sign-out.js`.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** Where the provider serves the stylesheet and script these pages use. */
export const SIGN_IN_ASSETS_PATH = '/oidc/assets';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

function layout(title: string, body: Html, options: { script?: string } = {}): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Enclave</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="${SIGN_IN_ASSETS_PATH}/sign-in-pages.css" />
        ${
          options.script
            ? html`<script src="${SIGN_IN_ASSETS_PATH}/${options.script}" defer></script>`
            : ''
        }
      </head>
      <body>
        <header class="top">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span class="brand-name">Enclave</span>
          <span class="brand-tagline">Secure workbench for scientific data</span>
        </header>
        <main id="main">
          <div class="card">${body}</div>
        </main>
        <footer>Your data stays in your browser; this server only checks who you are.</footer>
      </body>
    </html>`;
}

function alert(kind: 'error' | 'info', message: string | undefined): Html | '' {
  if (!message) return '';
  return kind === 'error'
    ? html`<div class="alert alert-error" role="alert" id="form-error">${message}</div>`
    : html`<div class="alert alert-info" role="status">${message}</div>`;
}

export interface SignInPageOptions {
  /** Where the form posts to. */
  action: string;
  /** What the person typed last time, kept so they only retype the password. */
  username?: string | undefined;
  error?: string | undefined;
  info?: string | undefined;
  /** Shown when LDAP is on, so people know which password to use. */
  directoryHint?: string | undefined;
  cancelAction: string;
}

/**
 * The sign-in form.
 *
 * @example
 * c.html(signInPage({ action: `/oidc/interaction/${uid}/login`, cancelAction, error }));
 */
export function signInPage(options: SignInPageOptions): Html {
  const invalid = options.error ? 'true' : 'false';
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
      <p class="lead">Sign in to Enclave to open your projects, datasets and dashboards.</p>
      ${alert('info', options.info)} ${alert('error', options.error)}
      <form method="post" action="${options.action}" novalidate>
        <label
          >Username
          <input
            type="text"
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            required
            maxlength="256"
            value="${options.username ?? ''}"
            aria-invalid="${invalid}"
            ${options.error ? raw('aria-describedby="form-error"') : ''}
            ${options.username ? '' : raw('autofocus')}
        /></label>
        <label
          >Password
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            maxlength="256"
            aria-invalid="${invalid}"
            ${options.error ? raw('aria-describedby="form-error"') : ''}
            ${options.username ? raw('autofocus') : ''}
          />
          ${options.directoryHint ? html`<span class="hint">${options.directoryHint}</span>` : ''}
        </label>
        <div class="actions"><button type="submit">Sign in</button></div>
      </form>
      <form method="post" action="${options.cancelAction}" class="cancel">
        <button type="submit" class="secondary">Cancel sign-in</button>
      </form>`,
  );
}

export interface NewPasswordPageOptions {
  action: string;
  username: string;
  error?: string | undefined;
  minLength: number;
}

/**
 * The forced password change after the first sign-in with a password somebody else chose.
 *
 * @example
 * c.html(newPasswordPage({ action, username: 'admin', minLength: 12 }));
 */
export function newPasswordPage(options: NewPasswordPageOptions): Html {
  return layout(
    'Choose a new password',
    html`<h1>Choose a new password</h1>
      <p class="lead">
        You signed in as <strong>${options.username}</strong> with a password someone else set.
        Choose your own before you go on.
      </p>
      ${alert('error', options.error)}
      <form method="post" action="${options.action}" novalidate>
        <input
          type="text"
          name="username"
          value="${options.username}"
          autocomplete="username"
          hidden
          readonly
        />
        <label
          >New password
          <input
            type="password"
            name="newPassword"
            autocomplete="new-password"
            required
            minlength="${options.minLength}"
            maxlength="256"
            autofocus
            aria-describedby="password-rules"
          />
          <span class="hint" id="password-rules"
            >At least ${options.minLength} characters; a passphrase of unrelated words works well.
            Common or guessable passwords are refused.</span
          >
        </label>
        <label
          >New password again
          <input
            type="password"
            name="repeatPassword"
            autocomplete="new-password"
            required
            maxlength="256"
          />
        </label>
        <div class="actions"><button type="submit">Save and continue</button></div>
      </form>`,
  );
}

/**
 * The sign-out page around the provider's own form. When the request proved who asked (an ID
 * token of the signed-in user), `sign-out.js` submits it at once; otherwise the person confirms,
 * so that no other site can sign anyone out by sending them here.
 *
 * @example
 * ctx.body = await signOutPage({ formHtml: form, autoSubmit: true });
 */
export function signOutPage(options: { formHtml: string; autoSubmit: boolean }): Html {
  return layout(
    'Sign out',
    html`<h1>${options.autoSubmit ? 'Signing you out…' : 'Sign out of Enclave?'}</h1>
      <p class="lead">
        ${
          options.autoSubmit
            ? 'One moment. If nothing happens, press the button below.'
            : 'You will need your password to sign in again.'
        }
      </p>
      ${raw(options.formHtml)}
      <div class="actions">
        <button type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>
          Sign out
        </button>
        ${
          options.autoSubmit
            ? ''
            : html`<button type="submit" form="op.logoutForm" class="secondary">
                Stay signed in
              </button>`
        }
      </div>`,
    options.autoSubmit ? { script: 'sign-out.js' } : {},
  );
}

/**
 * Shown after sign-out when no app asked to be returned to.
 *
 * @example
 * ctx.body = await signedOutPage();
 */
export function signedOutPage(): Html {
  return layout(
    'Signed out',
    html`<h1>You are signed out</h1>
      <p class="lead">Your session with Enclave has ended on this browser.</p>
      <div class="actions"><a href="/">Back to Enclave</a></div>`,
  );
}

/**
 * An error the sign-in could not get past, said plainly, with the provider's code for support.
 *
 * @example
 * ctx.body = await signInErrorPage({ title: 'Sign-in failed', message, code: 'invalid_request' });
 */
export function signInErrorPage(options: {
  title: string;
  message: string;
  code?: string | undefined;
  requestId?: string | undefined;
}): Html {
  return layout(
    options.title,
    html`<h1>${options.title}</h1>
      ${alert('error', options.message)}
      <p>Go back to Enclave and sign in again. If this keeps happening, tell your administrator.</p>
      <div class="actions"><a href="/">Back to Enclave</a></div>
      ${
        options.code || options.requestId
          ? html`<p class="details">
              ${options.code ? html`Code: <code>${options.code}</code>` : ''}
              ${options.requestId ? html` · Request id: <code>${options.requestId}</code>` : ''}
            </p>`
          : ''
      }`,
  );
}

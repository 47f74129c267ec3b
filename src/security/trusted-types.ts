/**
 * The app's one Trusted Types policy, `enclave`. The server's CSP requires Trusted Types for every
 * DOM script sink and allows only this policy name, so a script URL (the service worker, a Web
 * Worker) reaches the DOM only through here, and only if it is on the app's own origin.
 *
 * No `default` policy exists on purpose: a string passed straight to a sink is an error, not a
 * silent conversion.
 */

declare const trustedScriptUrlBrand: unique symbol;

/** A script URL this policy vouched for (the DOM typings do not declare Trusted Types). */
export interface TrustedScriptURL {
  readonly [trustedScriptUrlBrand]: true;
}

interface TrustedTypePolicy {
  createScriptURL(input: string): TrustedScriptURL;
}

interface TrustedTypePolicyFactory {
  createPolicy(
    name: string,
    rules: { createScriptURL: (input: string) => string },
  ): TrustedTypePolicy;
}

/** The name the server's CSP allows (`trusted-types enclave`). */
const POLICY_NAME = 'enclave';

/**
 * Resolves a script URL against the page and returns it only if it is an http(s) URL on the
 * page's own origin; anything else throws.
 *
 * @example
 * sameOriginScriptUrl('/sw.js', 'https://enclave.example.com'); // 'https://enclave.example.com/sw.js'
 * sameOriginScriptUrl('https://cdn.test/x.js', 'https://enclave.example.com'); // throws TypeError
 */
export function sameOriginScriptUrl(input: string, pageOrigin: string): string {
  const url = new URL(input, pageOrigin);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== pageOrigin) {
    throw new TypeError(`Refusing script URL ${JSON.stringify(input)}: not on ${pageOrigin}.`);
  }
  return url.href;
}

let policy: TrustedTypePolicy | undefined;

function enclavePolicy(): TrustedTypePolicy | undefined {
  const factory = (globalThis as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
  if (!factory) return undefined;
  policy ??= factory.createPolicy(POLICY_NAME, {
    createScriptURL: (input) => sameOriginScriptUrl(input, globalThis.location.origin),
  });
  return policy;
}

/**
 * A script URL for a DOM sink such as `navigator.serviceWorker.register` or `new Worker`. Where
 * the browser has no Trusted Types the same check still runs and the plain string is returned.
 *
 * @example
 * await navigator.serviceWorker.register(trustedScriptUrl('/sw.js') as string, { scope: '/' });
 */
export function trustedScriptUrl(input: string): TrustedScriptURL | string {
  const trusted = enclavePolicy();
  return trusted
    ? trusted.createScriptURL(input)
    : sameOriginScriptUrl(input, globalThis.location.origin);
}

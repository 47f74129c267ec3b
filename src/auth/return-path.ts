/**
 * Where the app may send someone after signing in. The place they were going travels through the
 * sign-in state, which page code could have tampered with, so before navigating it must prove to
 * be a path on this app's own origin: never another site, never a `javascript:` URL, never a
 * protocol-relative `//host` or `/\host` that browsers read as another site.
 */

/** Where people land when the stored place cannot be trusted or is missing. */
export const DEFAULT_RETURN_PATH = '/';

/** Longer values are refused rather than parsed: no real page path comes near it. */
const MAX_RETURN_PATH_LENGTH = 2048;

/** Pages of the sign-in flow itself: returning there would start the flow over. */
const SIGN_IN_FLOW_PREFIX = '/auth/';

function hasBackslashOrControlCharacter(value: string): boolean {
  return [...value].some((char) => {
    const code = char.charCodeAt(0);
    return char === '\\' || code < 0x20 || code === 0x7f;
  });
}

/**
 * The same-origin path (with its query and fragment) that `candidate` names, or `fallback` when
 * it is anything else.
 *
 * @example
 * safeReturnPath('/data?sort=name', 'https://enclave.example'); // '/data?sort=name'
 * safeReturnPath('//evil.example/x', 'https://enclave.example'); // '/'
 * safeReturnPath('javascript:alert(1)', 'https://enclave.example'); // '/'
 */
export function safeReturnPath(
  candidate: unknown,
  origin: string,
  fallback: string = DEFAULT_RETURN_PATH,
): string {
  if (typeof candidate !== 'string' || candidate.length > MAX_RETURN_PATH_LENGTH) return fallback;
  // Only an absolute path qualifies; a backslash or control character anywhere is refused
  // outright, since URL parsers drop or reinterpret them (`/\evil`, `/\t/evil` become `//evil`).
  if (!candidate.startsWith('/') || candidate.startsWith('//')) return fallback;
  if (hasBackslashOrControlCharacter(candidate)) return fallback;
  let url: URL;
  try {
    url = new URL(candidate, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  if (url.pathname.startsWith(SIGN_IN_FLOW_PREFIX)) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

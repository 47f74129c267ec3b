/**
 * Test support: a second, independent OpenID provider process standing in for a company issuer
 * (Keycloak-like), so Enclave's external-issuer mode (`OIDC_ISSUER_URL`) is proven over real HTTP
 * against a server on another loopback port that shares no code path, key or storage with it.
 *
 * `startStandInIssuer` spawns `stand-in-issuer-main.ts` (panva's `oidc-provider`, in-memory
 * storage, its own ES256 key), waits until its discovery answers, and returns controls: rotate
 * the signing key, change a user's groups, take its JWKS down, stop. Its issuer is `http://127.0.0.1:<port>/realms/
 * stand-in`; access tokens are DPoP-bound JWTs (unless a client is registered without DPoP) for
 * the client's audience and carry `preferred_username`, `name`, `email` and the groups claim.
 * `submitStandInLogin` posts its login form for `signInWithPassword`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { SignInFlowError, browserRequest, type LoginPage } from './relying-party.ts';
import { stopChild } from './child-process.ts';

/** A person the stand-in knows; the password is compared as is (test data only). */
export interface StandInUser {
  username: string;
  password: string;
  name: string;
  email: string;
  groups: string[];
}

/** A public client registered at the stand-in. */
export interface StandInClient {
  clientId: string;
  /** Exact redirect URIs, e.g. `${enclave.url}/auth/callback`. */
  redirectUris: string[];
  /** Register with `dpop_bound_access_tokens` (default true); false issues Bearer tokens. */
  dpopBound?: boolean;
  /** The audience of this client's access tokens; default the issuer-wide `audience`. */
  audience?: string;
}

export interface StandInIssuerOptions {
  /** The audience (resource indicator) access tokens are issued for, e.g. Enclave's `OIDC_AUDIENCE`. */
  audience: string;
  clients: StandInClient[];
  users: StandInUser[];
  /** The access token claim that lists the groups; default `groups`. */
  groupsClaim?: string;
  /** Access token lifetime; default 300 s. */
  accessTokenTtlSeconds?: number;
  /** A port to listen on (a restarted stand-in takes its predecessor's); default a free one. */
  port?: number;
  /** The private ES256 JWK (with `kid`) to sign with; default a new one. */
  signingKey?: JWK;
}

/** What the process reads from `STAND_IN_ISSUER_OPTIONS`. */
export type StandInIssuerProcessOptions = StandInIssuerOptions & { signingKey: JWK };

export interface StandInIssuer {
  /** `http://127.0.0.1:<port>`: where the test controls live. */
  url: string;
  /** The issuer identifier (`${url}/realms/stand-in`); Enclave's `OIDC_ISSUER_URL`. */
  issuer: string;
  port: number;
  /** The key it started with; pass it and `port` to a new stand-in to bring this one back. */
  signingKey: JWK;
  /**
   * Signs with a new key (new `kid`) from now on; the JWKS publishes it, and the old ones too
   * when `keepOld`. Sessions, grants and refresh tokens carry over. Resolves with the new kid.
   */
  rotateKeys(options?: { keepOld?: boolean }): Promise<string>;
  /** Changes the groups the user's next access tokens list. */
  setGroups(username: string, groups: string[]): Promise<void>;
  /** While on, the JWKS answers 503 (discovery and sign-in still work). */
  setJwksOutage(on: boolean): Promise<void>;
  /** Ends the process (and with it every session, grant and key it held). */
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./stand-in-issuer-main.ts', import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/**
 * The stand-in's subject for a username: stable across restarts, opaque (Keycloak's are UUIDs),
 * so a test can tell that Enclave names accounts after `preferred_username`, not `sub`.
 *
 * @example
 * subjectOf('erin'); // '5d41…-…' (the same on every run)
 */
export function subjectOf(username: string): string {
  const hex = createHash('sha256').update(`stand-in ${username}`).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

/**
 * Posts the stand-in's login form (for `signInWithPassword`'s `submitLogin`).
 *
 * @example
 * await signInWithPassword({ issuer: standIn.issuer, ..., submitLogin: submitStandInLogin });
 */
export async function submitStandInLogin(page: LoginPage): Promise<Response> {
  const action = /<form method="post" action="([^"]+)"/.exec(page.html)?.[1];
  if (!action) throw new SignInFlowError('no stand-in login form on the page', 200, page.html);
  const target = new URL(action, page.url);
  return browserRequest(target.href, page.cookies, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: target.origin },
    body: new URLSearchParams({ username: page.username, password: page.password }),
  });
}

/**
 * A new private ES256 signing key with a fresh `kid`.
 *
 * @example
 * const key = await newStandInSigningKey(); // { kty: 'EC', crv: 'P-256', d: …, kid: …, alg: 'ES256', use: 'sig' }
 */
export async function newStandInSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    ...(await exportJWK(privateKey)),
    kid: crypto.randomUUID(),
    alg: 'ES256',
    use: 'sig',
  };
}

/** Waits for the process's `{"url", "issuer"}` line; rejects with its output when it dies. */
function listeningAddress(child: ChildProcess): Promise<{ url: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string) =>
      reject(new Error(`the stand-in issuer did not start (${why}):\n${stderr}${stdout}`));
    const timer = setTimeout(() => fail('timed out'), START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"url"'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; issuer: string });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`exited with ${code ?? signal}`);
    });
  });
}

/**
 * Starts a stand-in issuer process on a loopback port.
 *
 * @example
 * const standIn = await startStandInIssuer({
 *   audience: 'https://enclave.test/api',
 *   clients: [{ clientId: 'enclave', redirectUris: [`${enclaveUrl}/auth/callback`] }],
 *   users: [{ username: 'erin', password: 'erin-pw', name: 'Erin E.', email: 'erin@lab.test', groups: ['oncology'] }],
 * });
 * await standIn.setGroups('erin', ['chemistry']);
 * await standIn.stop();
 */
export async function startStandInIssuer(options: StandInIssuerOptions): Promise<StandInIssuer> {
  const signingKey = options.signingKey ?? (await newStandInSigningKey());
  const processOptions: StandInIssuerProcessOptions = { ...options, signingKey };
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, STAND_IN_ISSUER_OPTIONS: JSON.stringify(processOptions) },
    // Its stdin is ours: when this process dies, the pipe closes and the stand-in exits too.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  try {
    const { url, issuer } = await listeningAddress(child);
    const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
    if (!discovery.ok) throw new Error(`stand-in discovery answered ${discovery.status}`);
    const control = async (path: string, body: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
      return (await response.json()) as Record<string, unknown>;
    };
    return {
      url,
      issuer,
      port: Number(new URL(url).port),
      signingKey,
      async rotateKeys(rotation = {}) {
        const { kid } = await control('/test/rotate-keys', { keepOld: rotation.keepOld ?? false });
        return String(kid);
      },
      async setGroups(username, groups) {
        await control('/test/users', { username, groups });
      },
      async setJwksOutage(on) {
        await control('/test/jwks-outage', { on });
      },
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

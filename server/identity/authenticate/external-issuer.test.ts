/**
 * The external-issuer mode (`OIDC_ISSUER_URL`), proven over real HTTP against a second,
 * independent OpenID provider process on another loopback port (the stand-in issuer): people
 * sign in there with a standard relying party, and Enclave verifies their tokens by the issuer's
 * JWKS and maps the groups claim to groups on every request.
 */
import net from 'node:net';
import { and, eq } from 'drizzle-orm';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, schema, type Store } from '../../store/index.ts';
import { startTestServer, type TestServer } from '../../test-server.ts';
import { signInWithPassword, type SignedInClient } from '../testing/relying-party.ts';
import {
  startStandInIssuer,
  subjectOf,
  submitStandInLogin,
  type StandInIssuer,
  type StandInIssuerOptions,
} from '../testing/stand-in-issuer.ts';

const CLIENT_ID = 'enclave-web';
const BEARER_CLIENT_ID = 'lab-bearer-tool';
const OTHER_CLIENT_ID = 'other-service';
const AUDIENCE = 'https://enclave.lab.test/api';
const OTHER_AUDIENCE = 'https://other-service.lab.test/api';
// Not the default `groups`: proves OIDC_GROUPS_CLAIM is what Enclave reads.
const GROUPS_CLAIM = 'enclave_groups';
const ADMIN_GROUP = 'enclave-admins';

const USERS: StandInIssuerOptions['users'] = [
  {
    username: 'erin',
    password: 'erin-issuer-password',
    name: 'Erin Example',
    email: 'erin@lab.test',
    groups: ['oncology'],
  },
  {
    username: 'gina',
    password: 'gina-issuer-password',
    name: 'Gina Groups',
    email: 'gina@lab.test',
    groups: ['oncology', 'chemistry'],
  },
  {
    username: 'hank',
    password: 'hank-issuer-password',
    name: 'Hank Admin',
    email: 'hank@lab.test',
    groups: [ADMIN_GROUP, 'oncology'],
  },
];

function passwordOf(username: string): string {
  return USERS.find((user) => user.username === username)!.password;
}

/** A free loopback port: Enclave's origin must be known before the stand-in registers it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function callbackOn(port: number): string {
  return `http://127.0.0.1:${port}/auth/callback`;
}

function enclaveEnv(standIn: StandInIssuer, extra: Record<string, string> = {}) {
  return {
    OIDC_ISSUER_URL: standIn.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_AUDIENCE: AUDIENCE,
    OIDC_GROUPS_CLAIM: GROUPS_CLAIM,
    OIDC_ADMIN_GROUP: ADMIN_GROUP,
    ...extra,
  };
}

/** Signs in at the issuer the way the SPA would: with what Enclave publishes in its config. */
async function signIn(
  enclave: TestServer,
  username: string,
  client: { clientId?: string; dpop?: boolean } = {},
): Promise<SignedInClient> {
  const published = (await (await fetch(`${enclave.url}/api/v1/config`)).json()) as {
    auth: { issuer: string; clientId: string; scope: string };
  };
  return signInWithPassword({
    issuer: published.auth.issuer,
    clientId: client.clientId ?? published.auth.clientId,
    redirectUri: `${enclave.url}/auth/callback`,
    scope: published.auth.scope,
    username,
    password: passwordOf(username),
    submitLogin: submitStandInLogin,
    dpop: client.dpop ?? true,
  });
}

interface Me {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  systemRole: string;
  source: string;
  groups: string[];
}

async function me(client: SignedInClient, enclave: TestServer): Promise<Me> {
  const response = await client.fetch(`${enclave.url}/api/v1/me`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Me;
}

/** Calls `/me` with a chosen token, as a DPoP client with a correct proof of its key. */
async function meWithToken(client: SignedInClient, enclave: TestServer, token: string) {
  const url = `${enclave.url}/api/v1/me`;
  return fetch(url, {
    headers: {
      authorization: `DPoP ${token}`,
      dpop: await client.proof({ method: 'GET', url, accessToken: token }),
    },
  });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('an external issuer (OIDC_ISSUER_URL) in a separate process', () => {
  let standIn: StandInIssuer;
  /** One database under both Enclave instances, as behind a load balancer. */
  let store: Store;
  /** The default settings: DPoP required. */
  let enclave: TestServer;
  /** `OIDC_REQUIRE_DPOP=false`, for an issuer whose tokens cannot be bound. */
  let bearerEnclave: TestServer;

  beforeAll(async () => {
    const [port, bearerPort] = [await freePort(), await freePort()];
    const redirectUris = [callbackOn(port), callbackOn(bearerPort)];
    standIn = await startStandInIssuer({
      audience: AUDIENCE,
      groupsClaim: GROUPS_CLAIM,
      clients: [
        { clientId: CLIENT_ID, redirectUris },
        { clientId: BEARER_CLIENT_ID, redirectUris, dpopBound: false },
        { clientId: OTHER_CLIENT_ID, redirectUris, audience: OTHER_AUDIENCE },
      ],
      users: USERS,
    });
    store = await openStore({});
    // A rotated key must be picked up at the next unknown kid, not after jose's 30 s cooldown.
    enclave = await startTestServer({ port, store, env: enclaveEnv(standIn), jwksCooldownMs: 0 });
    bearerEnclave = await startTestServer({
      port: bearerPort,
      store,
      env: enclaveEnv(standIn, { OIDC_REQUIRE_DPOP: 'false' }),
    });
  });
  afterAll(async () => {
    await enclave?.close();
    await bearerEnclave?.close();
    await store?.close();
    await standIn?.stop();
  });

  it('turns the built-in provider off and sends the SPA to the external issuer', async () => {
    for (const path of ['/oidc/.well-known/openid-configuration', '/oidc/jwks', '/oidc/auth']) {
      expect((await fetch(`${enclave.url}${path}`)).status, path).toBe(404);
    }
    const config = (await (await fetch(`${enclave.url}/api/v1/config`)).json()) as {
      oidcIssuer: string;
      allowedOrigins: string[];
      auth: { issuer: string; clientId: string; scope: string };
    };
    expect(config.oidcIssuer).toBe(standIn.issuer);
    expect(config.auth).toMatchObject({ issuer: standIn.issuer, clientId: CLIENT_ID });
    expect(config.auth.scope.split(' ')).toEqual(expect.arrayContaining(['openid']));
    expect(config.allowedOrigins).toEqual([standIn.url]);
  });

  it('knows a person signed in at the issuer by the claims of their token, and creates the account once', async () => {
    const erin = await signIn(enclave, 'erin');
    expect(erin.tokenType.toLowerCase()).toBe('dpop');
    const claims = decodeJwt(erin.accessToken);
    expect(claims).toMatchObject({
      iss: standIn.issuer,
      aud: AUDIENCE,
      sub: subjectOf('erin'),
      [GROUPS_CLAIM]: ['oncology'],
    });

    const first = await me(erin, enclave);
    expect(first).toMatchObject({
      username: 'erin',
      displayName: 'Erin Example',
      email: 'erin@lab.test',
      systemRole: 'user',
      source: 'oidc',
      groups: ['oncology'],
    });
    const second = await me(erin, enclave);
    expect(second.id).toBe(first.id);

    const rows = await enclave.store.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.externalSubject, `${standIn.issuer} ${subjectOf('erin')}`));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first.id, source: 'oidc', passwordHash: null });
    const created = await enclave.store.db
      .select()
      .from(schema.auditEvents)
      .where(
        and(
          eq(schema.auditEvents.action, 'user.create'),
          eq(schema.auditEvents.resourceId, first.id),
        ),
      );
    expect(created).toHaveLength(1);
    // The issuer's `sid` names the sign-in on what its first request recorded.
    expect(typeof claims.sid).toBe('string');
    expect(created[0]?.sessionId).toBe(claims.sid);
  });

  it("attributes the events of a request to the issuer's sign-in session (`sid`)", async () => {
    const erin = await signIn(enclave, 'erin');
    const other = await signIn(enclave, 'erin');
    const [session, otherSession] = [
      decodeJwt(erin.accessToken).sid,
      decodeJwt(other.accessToken).sid,
    ];
    expect(session).not.toBe(otherSession);
    for (const client of [erin, other]) {
      const response = await client.fetch(`${enclave.url}/api/v1/audit/verify`);
      expect(response.status).toBe(403);
    }
    const denials = await enclave.store.db
      .select({ sessionId: schema.auditEvents.sessionId })
      .from(schema.auditEvents)
      .where(
        and(
          eq(schema.auditEvents.action, 'audit.verify'),
          eq(schema.auditEvents.outcome, 'denied'),
        ),
      )
      .orderBy(schema.auditEvents.seq);
    expect(denials.map((denial) => denial.sessionId).slice(-2)).toEqual([session, otherSession]);
  });

  it('maps the groups claim to groups on every request, never into a local group of the same name', async () => {
    const now = new Date();
    const localChemistry = { id: crypto.randomUUID(), name: 'chemistry', source: 'local' };
    await enclave.store.db.insert(schema.groups).values({ ...localChemistry, createdAt: now });

    const gina = await signIn(enclave, 'gina');
    expect(decodeJwt(gina.accessToken)[GROUPS_CLAIM]).toEqual(['oncology', 'chemistry']);
    const before = await me(gina, enclave);
    expect(before.groups).toEqual(['oncology']);
    const localMembers = await enclave.store.db
      .select()
      .from(schema.groupMembers)
      .where(eq(schema.groupMembers.groupId, localChemistry.id));
    expect(localMembers).toEqual([]);

    // The issuer changes her groups (one as a Keycloak full path); her token still lists the old.
    await standIn.setGroups('gina', ['oncology', '/genomics']);
    expect((await me(gina, enclave)).groups).toEqual(['oncology']);
    await gina.refresh();
    expect((await me(gina, enclave)).groups).toEqual(['genomics', 'oncology']);

    await standIn.setGroups('gina', ['genomics']);
    await gina.refresh();
    const after = await me(gina, enclave);
    expect(after.id).toBe(before.id);
    expect(after.groups).toEqual(['genomics']);
  });

  it('makes members of OIDC_ADMIN_GROUP administrators, and demotes them when they leave it', async () => {
    const hank = await signIn(enclave, 'hank');
    expect(await me(hank, enclave)).toMatchObject({
      systemRole: 'admin',
      groups: [ADMIN_GROUP, 'oncology'],
    });

    await standIn.setGroups('hank', ['oncology']);
    await hank.refresh();
    expect(await me(hank, enclave)).toMatchObject({ systemRole: 'user', groups: ['oncology'] });

    await standIn.setGroups('hank', [ADMIN_GROUP]);
    await hank.refresh();
    expect((await me(hank, enclave)).systemRole).toBe('admin');
  });

  it('refuses a token the issuer made for another audience', async () => {
    const elsewhere = await signIn(enclave, 'erin', { clientId: OTHER_CLIENT_ID });
    expect(decodeJwt(elsewhere.accessToken).aud).toBe(OTHER_AUDIENCE);
    const response = await elsewhere.fetch(`${enclave.url}/api/v1/me`);
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('invalid_token');
    expect(response.headers.get('www-authenticate')).toContain('not meant for this API');
  });

  it("refuses a token signed by another key under the issuer's key id", async () => {
    const erin = await signIn(enclave, 'erin');
    expect((await meWithToken(erin, enclave, erin.accessToken)).status).toBe(200);

    // The very same header (kid included) and claims, signed by a key the issuer never had.
    const attacker = await generateKeyPair('ES256');
    const forged = await new SignJWT(decodeJwt(erin.accessToken))
      .setProtectedHeader(decodeProtectedHeader(erin.accessToken) as { alg: string })
      .sign(attacker.privateKey);
    expect(decodeProtectedHeader(forged).kid).toBe(decodeProtectedHeader(erin.accessToken).kid);
    const response = await meWithToken(erin, enclave, forged);
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('invalid_token');
    expect(response.headers.get('www-authenticate')).toContain('signature is not valid');
  });

  it('refuses a DPoP-bound token sent as Bearer, whether or not DPoP is required', async () => {
    const erin = await signIn(enclave, 'erin');
    expect(decodeJwt(erin.accessToken).cnf).toHaveProperty('jkt');
    for (const server of [enclave, bearerEnclave]) {
      const response = await fetch(`${server.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${erin.accessToken}` },
      });
      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe('invalid_token');
      expect(response.headers.get('www-authenticate')).toContain('DPoP-bound');
    }
  });

  it('accepts an unbound Bearer token only where OIDC_REQUIRE_DPOP=false', async () => {
    const tool = await signIn(bearerEnclave, 'erin', {
      clientId: BEARER_CLIENT_ID,
      dpop: false,
    });
    expect(tool.tokenType.toLowerCase()).toBe('bearer');
    expect(decodeJwt(tool.accessToken).cnf).toBeUndefined();
    const bearer = { authorization: `Bearer ${tool.accessToken}` };

    const accepted = await fetch(`${bearerEnclave.url}/api/v1/me`, { headers: bearer });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ username: 'erin', source: 'oidc' });

    const refused = await fetch(`${enclave.url}/api/v1/me`, { headers: bearer });
    expect(refused.status).toBe(401);
    expect(await errorCode(refused)).toBe('invalid_token');
    const challenge = refused.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^DPoP /);
    expect(challenge).not.toContain('Bearer');
    expect(challenge).toContain('not DPoP-bound');

    // Its ID token is signed by the same issuer, but is for the client, not for the API.
    const idToken = await fetch(`${bearerEnclave.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${tool.idToken}` },
    });
    expect(idToken.status).toBe(401);
    expect(idToken.headers.get('www-authenticate')).toContain('not meant for this API');
  });

  // Last: from here on the stand-in signs with other keys than at the start.
  it('picks up a rotated signing key by fetching the JWKS again', async () => {
    const erin = await signIn(enclave, 'erin');
    await me(erin, enclave); // Enclave now holds the JWKS with the current key only.
    const firstToken = erin.accessToken;
    const firstKid = decodeProtectedHeader(firstToken).kid;
    const publishedKids = async () => {
      const discovery = (await (
        await fetch(`${standIn.issuer}/.well-known/openid-configuration`)
      ).json()) as { jwks_uri: string };
      const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: JWK[] };
      return keys.map((key) => key.kid);
    };

    // Rotation that retires the old key at once: new tokens verify, old ones no longer do.
    const secondKid = await standIn.rotateKeys({ keepOld: false });
    expect(secondKid).not.toBe(firstKid);
    expect(await publishedKids()).toEqual([secondKid]);
    await erin.refresh();
    const secondToken = erin.accessToken;
    expect(decodeProtectedHeader(secondToken).kid).toBe(secondKid);
    expect((await me(erin, enclave)).username).toBe('erin');
    const retired = await meWithToken(erin, enclave, firstToken);
    expect(retired.status).toBe(401);
    expect(retired.headers.get('www-authenticate')).toContain('unknown key');

    // Rotation with an overlap: tokens of both keys verify.
    const thirdKid = await standIn.rotateKeys({ keepOld: true });
    expect(await publishedKids()).toEqual([thirdKid, secondKid]);
    await erin.refresh();
    expect(decodeProtectedHeader(erin.accessToken).kid).toBe(thirdKid);
    expect((await me(erin, enclave)).username).toBe('erin');
    expect((await meWithToken(erin, enclave, secondToken)).status).toBe(200);
  });
});

describe('an external issuer that cannot be reached', () => {
  let options: StandInIssuerOptions;
  let standIn: StandInIssuer;
  let enclave: TestServer;

  beforeAll(async () => {
    const port = await freePort();
    options = {
      audience: AUDIENCE,
      groupsClaim: GROUPS_CLAIM,
      clients: [{ clientId: CLIENT_ID, redirectUris: [callbackOn(port)] }],
      users: USERS,
    };
    standIn = await startStandInIssuer(options);
    enclave = await startTestServer({ port, env: enclaveEnv(standIn), jwksCooldownMs: 0 });
  });
  afterAll(async () => {
    await enclave?.close();
    await standIn?.stop();
  });

  it('answers 503 issuer_unavailable until the issuer is back, then accepts the same token', async () => {
    const erin = await signIn(enclave, 'erin');

    // Gone before Enclave ever fetched its discovery document or keys.
    const first = standIn;
    await first.stop();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await erin.fetch(`${enclave.url}/api/v1/me`);
      expect(response.status).toBe(503);
      expect(await errorCode(response)).toBe('issuer_unavailable');
    }

    // Back on the same address with the same key: the token that was refused is good again.
    standIn = await startStandInIssuer({
      ...options,
      port: first.port,
      signingKey: first.signingKey,
    });
    expect(standIn.issuer).toBe(first.issuer);
    // A failed discovery is remembered for a few seconds (requests fail fast meanwhile), then
    // the issuer is asked again.
    await expect
      .poll(async () => (await erin.fetch(`${enclave.url}/api/v1/me`)).status, {
        timeout: 15_000,
        interval: 500,
      })
      .toBe(200);
    expect(await me(erin, enclave)).toMatchObject({ username: 'erin', source: 'oidc' });
  });

  it('answers 503, not 401, while the JWKS fails to fetch a key Enclave has not seen', async () => {
    const before = await signIn(enclave, 'erin');
    await me(before, enclave); // Discovery and the keys of today are cached now.

    await standIn.setJwksOutage(true);
    await standIn.rotateKeys({ keepOld: true });
    const erin = await signIn(enclave, 'erin');
    const refused = await erin.fetch(`${enclave.url}/api/v1/me`);
    expect(refused.status).toBe(503);
    expect(await errorCode(refused)).toBe('issuer_unavailable');
    // A token of a key Enclave holds needs no fetch, and still works meanwhile.
    expect((await me(before, enclave)).username).toBe('erin');

    await standIn.setJwksOutage(false);
    expect((await me(erin, enclave)).username).toBe('erin');
  });
});

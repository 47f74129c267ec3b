import net from 'node:net';
import { Attribute, Change, Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../config/index.ts';
import {
  LdapUnavailableError,
  authenticateWithLdap,
  escapeDnValue,
  groupFilterFor,
  loadLdapSettings,
  normalizeLdapUsername,
  userDnFor,
  type LdapSettings,
} from './ldap-directory.ts';
import {
  TEST_BASE_DN,
  TEST_GROUPS_DN,
  TEST_ROOT_DN,
  TEST_ROOT_PASSWORD,
  TEST_USERS,
  TEST_USER_DN_TEMPLATE,
  startTestSlapd,
  testGroupDn,
  testUserDn,
  type TestSlapd,
} from './test-slapd.ts';

/** Usernames an attacker would try; none may bind, and none may widen a search. */
const HOSTILE_USERNAMES = [
  '*',
  'alice*',
  ')(uid=*',
  'alice)(|(uid=*',
  '*)(objectClass=*',
  'admin,ou=x',
  'alice,ou=people',
  `uid=alice,ou=people,${TEST_BASE_DN}`,
  '\\',
  'alice\\2a',
  'alice\u0000',
  '\u0000',
  'alice ',
  ' alice',
  '#alice',
  'alice+cn=x',
  'a'.repeat(10 * 1024),
  '',
];

/** A loopback port nothing listens on: any connection attempt fails at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

describe('loadLdapSettings', () => {
  const complete = {
    LDAP_URL: 'ldaps://ldap.example.org',
    LDAP_USER_DN_TEMPLATE: TEST_USER_DN_TEMPLATE,
    LDAP_GROUP_BASE: TEST_GROUPS_DN,
  };

  it('is off without LDAP_URL', () => {
    expect(loadLdapSettings({})).toBeUndefined();
    expect(loadLdapSettings({ LDAP_URL: '' })).toBeUndefined();
  });

  it('reads a complete setup, with and without a group base', () => {
    expect(loadLdapSettings(complete)).toEqual({
      url: 'ldaps://ldap.example.org',
      userDnTemplate: TEST_USER_DN_TEMPLATE,
      groupBase: TEST_GROUPS_DN,
    });
    expect(loadLdapSettings({ ...complete, LDAP_GROUP_BASE: undefined })).toEqual({
      url: 'ldaps://ldap.example.org',
      userDnTemplate: TEST_USER_DN_TEMPLATE,
    });
  });

  it.each([
    [{ LDAP_URL: 'ldap://x' }, /LDAP_USER_DN_TEMPLATE is required/],
    [{ LDAP_USER_DN_TEMPLATE: TEST_USER_DN_TEMPLATE }, /LDAP_USER_DN_TEMPLATE is set but LDAP_URL/],
    [{ LDAP_GROUP_BASE: TEST_GROUPS_DN }, /LDAP_GROUP_BASE is set but LDAP_URL/],
    [{ ...complete, LDAP_URL: 'http://ldap.example.org' }, /LDAP_URL must start with ldap/],
    [{ ...complete, LDAP_URL: 'not a url' }, /LDAP_URL is not a URL/],
    [{ ...complete, LDAP_USER_DN_TEMPLATE: 'uid=alice,dc=org' }, /LDAP_USER_DN_TEMPLATE must/],
    [{ ...complete, LDAP_USER_DN_TEMPLATE: 'uid={username},cn={username}' }, /exactly once/],
    [{ ...complete, LDAP_USER_DN_TEMPLATE: 'uid=x{username},dc=org' }, /as an attribute value/],
  ])('refuses a half or malformed setup %#, naming the variable', (env, message) => {
    expect(() => loadLdapSettings(env)).toThrow(ConfigError);
    expect(() => loadLdapSettings(env)).toThrow(message);
  });
});

describe('username and escaping', () => {
  it('lower-cases acceptable usernames and refuses everything else', () => {
    expect(normalizeLdapUsername('Alice')).toBe('alice');
    expect(normalizeLdapUsername('j.doe-2_x')).toBe('j.doe-2_x');
    for (const hostile of HOSTILE_USERNAMES) expect(normalizeLdapUsername(hostile)).toBeNull();
  });

  it('escapes DN values per RFC 4514', () => {
    expect(escapeDnValue('alice')).toBe('alice');
    expect(escapeDnValue('admin,ou=x')).toBe('admin\\,ou\\=x');
    expect(escapeDnValue('\\')).toBe('\\\\');
    expect(escapeDnValue('a\u0000b')).toBe('a\\00b');
    expect(escapeDnValue('"+;<>')).toBe('\\"\\+\\;\\<\\>');
    expect(escapeDnValue(' #a ')).toBe('\\ #a\\ ');
    expect(escapeDnValue('#a')).toBe('\\#a');
    expect(userDnFor(TEST_USER_DN_TEMPLATE, 'admin,ou=x')).toBe(
      `uid=admin\\,ou\\=x,ou=people,${TEST_BASE_DN}`,
    );
  });

  it('keeps a hostile DN one opaque value in the group filter (RFC 4515 when printed)', () => {
    expect(groupFilterFor('x)(member=*').toString()).toBe(
      '(&(objectClass=groupOfNames)(member=x\\29\\28member=\\2a))',
    );
    expect(groupFilterFor('a\\b\u0000').toString()).toBe(
      '(&(objectClass=groupOfNames)(member=a\\5cb\\00))',
    );
  });
});

describe('authenticateWithLdap against slapd', () => {
  let slapd: TestSlapd;
  let settings: LdapSettings;
  /** Settings that point at a closed port: returning null there proves no connection was tried. */
  let unreachable: LdapSettings;

  async function asRoot<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ url: slapd.url, timeout: 5_000, connectTimeout: 5_000 });
    try {
      await client.bind(TEST_ROOT_DN, TEST_ROOT_PASSWORD);
      return await work(client);
    } finally {
      await client.unbind();
    }
  }

  function setMembers(group: string, uids: string[]) {
    return asRoot((client) =>
      client.modify(
        testGroupDn(group),
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'member', values: uids.map(testUserDn) }),
        }),
      ),
    );
  }

  beforeAll(async () => {
    slapd = await startTestSlapd();
    settings = {
      url: slapd.url,
      userDnTemplate: TEST_USER_DN_TEMPLATE,
      groupBase: TEST_GROUPS_DN,
      timeoutMs: 3_000,
    };
    unreachable = { ...settings, url: `ldap://127.0.0.1:${await closedPort()}` };
  });

  afterAll(async () => {
    await slapd?.stop();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('signs alice in with her name, mail and groups', async () => {
    const identity = await authenticateWithLdap(settings, 'alice', TEST_USERS.alice.password);
    expect(identity).toEqual({
      username: 'alice',
      dn: testUserDn('alice'),
      displayName: 'Alice L.',
      email: 'alice@example.org',
      groups: ['chemistry', 'oncology'],
    });
    const shouted = await authenticateWithLdap(settings, 'ALICE', TEST_USERS.alice.password);
    expect(shouted?.username).toBe('alice');
  });

  it('falls back to cn for the name and null for a missing mail', async () => {
    const bob = await authenticateWithLdap(settings, 'bob', TEST_USERS.bob.password);
    expect(bob).toMatchObject({ displayName: 'Bob Builder', groups: ['oncology'] });
    const carol = await authenticateWithLdap(settings, 'carol', TEST_USERS.carol.password);
    expect(carol).toMatchObject({ displayName: 'Carol Danvers', email: null, groups: [] });
  });

  it('fails closed when the bound user cannot read their own entry', async () => {
    await expect(
      authenticateWithLdap(settings, 'dave', TEST_USERS.dave.password),
    ).rejects.toMatchObject({ status: 503, code: 'directory_unavailable' });
    expect(await authenticateWithLdap(settings, 'dave', 'wrong-password')).toBeNull();
  });

  it('reports no groups without a group base', async () => {
    const withoutGroups: LdapSettings = { ...settings, groupBase: undefined };
    const identity = await authenticateWithLdap(withoutGroups, 'alice', TEST_USERS.alice.password);
    expect(identity?.groups).toEqual([]);
  });

  it('returns null for a wrong password and for an unknown user', async () => {
    expect(await authenticateWithLdap(settings, 'alice', 'wrong-password')).toBeNull();
    expect(await authenticateWithLdap(settings, 'alice', TEST_USERS.bob.password)).toBeNull();
    expect(await authenticateWithLdap(settings, 'mallory', 'anything')).toBeNull();
  });

  it('refuses an empty password before any bind, though this directory would accept it', async () => {
    // The danger is real here: slapd is configured like lenient servers in the field.
    const client = new Client({ url: slapd.url, timeout: 3_000 });
    try {
      await expect(client.bind(testUserDn('alice'), '')).resolves.toBeUndefined();
    } finally {
      await client.unbind();
    }
    const bind = vi.spyOn(Client.prototype, 'bind');
    expect(await authenticateWithLdap(settings, 'alice', '')).toBeNull();
    expect(await authenticateWithLdap(unreachable, 'alice', '')).toBeNull();
    expect(bind).not.toHaveBeenCalled();
  });

  it('refuses an over-long password without contacting the directory', async () => {
    const bind = vi.spyOn(Client.prototype, 'bind');
    expect(await authenticateWithLdap(unreachable, 'alice', 'x'.repeat(5_000))).toBeNull();
    expect(bind).not.toHaveBeenCalled();
  });

  it.each(HOSTILE_USERNAMES.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    'cannot sign in with the hostile username %s',
    async (_label, name) => {
      const bind = vi.spyOn(Client.prototype, 'bind');
      for (const password of [TEST_USERS.alice.password, TEST_ROOT_PASSWORD, 'x']) {
        expect(await authenticateWithLdap(settings, name, password)).toBeNull();
        expect(await authenticateWithLdap(unreachable, name, password)).toBeNull();
      }
      expect(bind).not.toHaveBeenCalled();
    },
  );

  it('escaping alone stops injection when a hostile value reaches the directory', async () => {
    // The username check runs first in authenticateWithLdap; these go past it on purpose.
    const client = new Client({ url: slapd.url, timeout: 3_000 });
    try {
      const dn = userDnFor(TEST_USER_DN_TEMPLATE, 'alice,ou=people');
      await expect(client.bind(dn, TEST_USERS.alice.password)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    } finally {
      await client.unbind();
    }
    await asRoot(async (client) => {
      const search = (dn: string) =>
        client.search(TEST_GROUPS_DN, { scope: 'sub', filter: groupFilterFor(dn) });
      expect((await search(testUserDn('alice'))).searchEntries).toHaveLength(2);
      for (const dn of ['*', `${testUserDn('alice')})(member=*`, '*)(objectClass=*']) {
        expect((await search(dn)).searchEntries).toHaveLength(0);
      }
    });
  });

  it('closes its connection on success, on a wrong password and on failure', async () => {
    const unbind = vi.spyOn(Client.prototype, 'unbind');
    await authenticateWithLdap(settings, 'alice', TEST_USERS.alice.password);
    await authenticateWithLdap(settings, 'alice', 'wrong-password');
    await expect(authenticateWithLdap(unreachable, 'alice', 'x')).rejects.toThrow();
    const missingBase = { ...settings, groupBase: `ou=nowhere,${TEST_BASE_DN}` };
    await expect(
      authenticateWithLdap(missingBase, 'alice', TEST_USERS.alice.password),
    ).rejects.toBeInstanceOf(LdapUnavailableError);
    expect(unbind).toHaveBeenCalledTimes(4);
  });

  it('sees group changes in the directory at the next sign-in', async () => {
    try {
      await setMembers('chemistry', ['alice', 'bob']);
      await setMembers('oncology', ['bob']);
      const alice = await authenticateWithLdap(settings, 'alice', TEST_USERS.alice.password);
      const bob = await authenticateWithLdap(settings, 'bob', TEST_USERS.bob.password);
      expect(alice?.groups).toEqual(['chemistry']);
      expect(bob?.groups).toEqual(['chemistry', 'oncology']);
    } finally {
      await setMembers('chemistry', ['alice']);
      await setMembers('oncology', ['alice', 'bob']);
    }
  });

  it('throws directory_unavailable when nothing listens', async () => {
    const error = await authenticateWithLdap(unreachable, 'alice', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LdapUnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'directory_unavailable' });
  });

  it('throws directory_unavailable when the directory accepts but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (!address || typeof address !== 'object') throw new Error('no port');
    try {
      const started = Date.now();
      const hung = { ...settings, url: `ldap://127.0.0.1:${address.port}`, timeoutMs: 300 };
      await expect(authenticateWithLdap(hung, 'alice', 'x')).rejects.toBeInstanceOf(
        LdapUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  // Last: it stops the file's directory.
  it('throws directory_unavailable once the directory has stopped', async () => {
    expect(await authenticateWithLdap(settings, 'alice', TEST_USERS.alice.password)).not.toBeNull();
    await slapd.stop();
    await expect(
      authenticateWithLdap(settings, 'alice', TEST_USERS.alice.password),
    ).rejects.toMatchObject({ status: 503, code: 'directory_unavailable' });
  });
});

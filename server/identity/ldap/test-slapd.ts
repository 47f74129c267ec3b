/**
 * Test support: a throwaway OpenLDAP directory (Debian's `slapd`) on a free loopback port, so the
 * LDAP client is proven against a real server rather than a mock that agrees with it.
 *
 * Each call builds its own cn=config and mdb database in a temporary folder, loads a small fixed
 * tree with `slapadd` (offline, fast), runs `slapd` in the foreground as the current user and
 * removes everything on `stop()`. The directory is set up to be as lenient as the worst servers
 * in the field (`allow bind_anon_dn`: a bind with a DN and an empty password succeeds as
 * anonymous), so the client's own guards are what the tests measure.
 *
 * Needs the Debian package `slapd` (it provides slapd, slaptest, slapadd and slappasswd). When it
 * is missing, `startTestSlapd` fails with a message saying so: an LDAP test that skips silently
 * would let the feature rot unseen.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stopChild } from '../testing/child-process.ts';

const run = promisify(execFile);

/** Where Debian installs the OpenLDAP server tools. */
const SBIN = '/usr/sbin';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export const TEST_BASE_DN = 'dc=example,dc=org';
export const TEST_ROOT_DN = `cn=admin,${TEST_BASE_DN}`;
export const TEST_ROOT_PASSWORD = 'root-test-password';
export const TEST_PEOPLE_DN = `ou=people,${TEST_BASE_DN}`;
export const TEST_GROUPS_DN = `ou=groups,${TEST_BASE_DN}`;
export const TEST_USER_DN_TEMPLATE = `uid={username},${TEST_PEOPLE_DN}`;

/**
 * The people loaded into every test directory; `carol` has no mail and no displayName, and the
 * directory's rules hide `dave`'s entry from dave himself (he can bind, but not read it).
 */
export const TEST_USERS = {
  alice: {
    password: 'alice-ldap-password',
    cn: 'Alice Liddell',
    displayName: 'Alice L.',
    mail: 'alice@example.org',
  },
  bob: {
    password: 'bob-ldap-password',
    cn: 'Bob Builder',
    displayName: null,
    mail: 'bob@example.org',
  },
  carol: { password: 'carol-ldap-password', cn: 'Carol Danvers', displayName: null, mail: null },
  dave: { password: 'dave-ldap-password', cn: 'Dave Hidden', displayName: null, mail: null },
} as const;

/** Group name → members (uids) as loaded; `alice` is in both, `bob` in `oncology`. */
export const TEST_GROUPS: Record<string, readonly string[]> = {
  oncology: ['alice', 'bob'],
  chemistry: ['alice'],
};

/** A running throwaway directory. */
export interface TestSlapd {
  /** `ldap://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops slapd and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The DN of a test user.
 *
 * @example
 * testUserDn('alice'); // 'uid=alice,ou=people,dc=example,dc=org'
 */
export function testUserDn(uid: string): string {
  return `uid=${uid},${TEST_PEOPLE_DN}`;
}

/**
 * The DN of a test group.
 *
 * @example
 * testGroupDn('oncology'); // 'cn=oncology,ou=groups,dc=example,dc=org'
 */
export function testGroupDn(cn: string): string {
  return `cn=${cn},${TEST_GROUPS_DN}`;
}

function requireTool(name: string): string {
  const file = path.join(SBIN, name);
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: the LDAP tests need a real OpenLDAP server. Install it with ` +
        '`DEBIAN_FRONTEND=noninteractive apt-get install -y slapd` (Debian/Ubuntu).',
    );
  }
  return file;
}

async function hashPassword(slappasswd: string, password: string): Promise<string> {
  const { stdout } = await run(slappasswd, ['-s', password]);
  return stdout.trim();
}

function slapdConf(dir: string, rootHash: string): string {
  return [
    `include ${SCHEMA_DIR}/core.schema`,
    `include ${SCHEMA_DIR}/cosine.schema`,
    `include ${SCHEMA_DIR}/inetorgperson.schema`,
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    `pidfile ${dir}/slapd.pid`,
    // Lenient on purpose (see the module comment): the client must refuse empty passwords itself.
    'allow bind_anon_dn',
    'database config',
    'database mdb',
    'maxsize 16777216',
    `suffix "${TEST_BASE_DN}"`,
    `rootdn "${TEST_ROOT_DN}"`,
    `rootpw ${rootHash}`,
    `directory ${dir}/data`,
    // Anonymous may only bind; a bound user reads the tree. So attributes and groups can only be
    // read by a client that really is bound as the user.
    'access to attrs=userPassword by self =w by anonymous auth by * none',
    `access to dn.exact="uid=dave,${TEST_PEOPLE_DN}" by anonymous auth by * none`,
    'access to * by users read by * none',
    '',
  ].join('\n');
}

async function entriesLdif(slappasswd: string): Promise<string> {
  const blocks: string[] = [
    `dn: ${TEST_BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ${TEST_PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${TEST_GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups`,
  ];
  for (const [uid, user] of Object.entries(TEST_USERS)) {
    const lines = [
      `dn: ${testUserDn(uid)}`,
      'objectClass: inetOrgPerson',
      `uid: ${uid}`,
      `cn: ${user.cn}`,
      `sn: ${user.cn.split(' ').at(-1) ?? uid}`,
      `userPassword: ${await hashPassword(slappasswd, user.password)}`,
    ];
    if (user.displayName) lines.push(`displayName: ${user.displayName}`);
    if (user.mail) lines.push(`mail: ${user.mail}`);
    blocks.push(lines.join('\n'));
  }
  for (const [cn, members] of Object.entries(TEST_GROUPS)) {
    blocks.push(
      [
        `dn: ${testGroupDn(cn)}`,
        'objectClass: groupOfNames',
        `cn: ${cn}`,
        ...members.map((uid) => `member: ${testUserDn(uid)}`),
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

/**
 * A port that was free a moment ago. slapd binds it right after; the small race is acceptable
 * for a test and beats a fixed port that collides with parallel runs.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(child: ChildProcess, port: number, log: () => string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `slapd exited during start (${child.exitCode ?? child.signalCode}):\n${log()}`,
      );
    }
    if (await answers(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`slapd did not listen on 127.0.0.1:${port} within 15 s:\n${log()}`);
}

/**
 * Starts a throwaway slapd with the test tree (see `TEST_USERS`, `TEST_GROUPS`).
 *
 * @example
 * const slapd = await startTestSlapd();
 * try {
 *   // ... authenticate against slapd.url ...
 * } finally {
 *   await slapd.stop();
 * }
 */
export async function startTestSlapd(): Promise<TestSlapd> {
  const slapd = requireTool('slapd');
  const slaptest = requireTool('slaptest');
  const slapadd = requireTool('slapadd');
  const slappasswd = requireTool('slappasswd');

  const dir = await mkdtemp(path.join(os.tmpdir(), 'enclave-slapd-'));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child) await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const configDir = path.join(dir, 'slapd.d');
    await mkdir(configDir);
    await mkdir(path.join(dir, 'data'));
    const rootHash = await hashPassword(slappasswd, TEST_ROOT_PASSWORD);
    await writeFile(path.join(dir, 'slapd.conf'), slapdConf(dir, rootHash));
    await writeFile(path.join(dir, 'entries.ldif'), await entriesLdif(slappasswd));
    // slapadd creates the database from slapd.conf; only then does slaptest, which opens the
    // database read-only while converting, succeed in writing the cn=config folder.
    const conf = path.join(dir, 'slapd.conf');
    await run(slapadd, ['-f', conf, '-b', TEST_BASE_DN, '-l', path.join(dir, 'entries.ldif')]);
    await run(slaptest, ['-f', conf, '-F', configDir]);

    const port = await freePort();
    const url = `ldap://127.0.0.1:${port}`;
    let output = '';
    // -d 0 keeps slapd in the foreground (so it dies with us and `kill` reaches it) without
    // debug noise; no -u/-g, so it runs as the current user who owns the folder.
    child = spawn(slapd, ['-h', `${url}/`, '-F', configDir, '-d', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await waitUntilListening(child, port, () => output);
    return { url, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

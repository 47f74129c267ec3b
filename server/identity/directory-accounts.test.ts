import { asc, eq, gt, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../audit/index.ts';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import {
  DirectoryAccountConflictError,
  MAX_DIRECTORY_GROUPS,
  syncDirectoryGroups,
  upsertDirectoryAccount,
  type DirectoryIdentity,
} from './directory-accounts.ts';

const { users, groups, groupMembers, auditEvents } = schema;

const quietLogger = { info() {} };
const ISSUER = 'https://issuer.example.org';
const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-02T00:00:00.000Z');

/** Erin as an LDAP directory describes her. */
const erin: DirectoryIdentity = {
  source: 'ldap',
  username: 'erin',
  displayName: 'Erin Example',
  email: 'erin@example.org',
  groups: ['oncology'],
};

describe.each(storeTargets())('directory accounts on $name', (target) => {
  let store: TestStore;
  let audit: AuditTrail;
  /** The last audit seq before the test ran; events after it are the test's own. */
  let mark: number;

  beforeAll(async () => {
    store = await target.open();
    audit = createAuditTrail({ db: store.db, logger: quietLogger, mirrorToLog: false });
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    await store.db.delete(users);
    await store.db.delete(groups);
    const [last] = await store.db
      .select({ seq: auditEvents.seq })
      .from(auditEvents)
      .orderBy(sql`${auditEvents.seq} desc`)
      .limit(1);
    mark = last?.seq ?? 0;
  });

  const options = (now = T0) => ({
    db: store.db,
    audit,
    requestId: 'req-dir-1',
    ip: '198.51.100.4',
    now: () => now,
  });

  async function events() {
    return store.db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, mark))
      .orderBy(asc(auditEvents.seq));
  }

  async function userRow(username: string) {
    const [row] = await store.db.select().from(users).where(eq(users.username, username));
    return row;
  }

  async function userCount(): Promise<number> {
    const [row] = await store.rows<{ n: string | number }>(sql`select count(*) as n from users`);
    return Number(row?.n);
  }

  /** Names of the groups the user belongs to, by source, sorted. */
  async function membership(userId: string) {
    const rows = await store.db
      .select({ name: groups.name, source: groups.source })
      .from(groupMembers)
      .innerJoin(groups, eq(groups.id, groupMembers.groupId))
      .where(eq(groupMembers.userId, userId))
      .orderBy(asc(groups.name));
    return rows.map((row) => `${row.source}:${row.name}`);
  }

  async function insertLocalUser(username: string, systemRole = 'user') {
    const id = crypto.randomUUID();
    await store.db.insert(users).values({
      id,
      username,
      displayName: `Local ${username}`,
      systemRole,
      source: 'local',
      passwordHash:
        'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      createdAt: T0,
      updatedAt: T0,
    });
    return id;
  }

  async function insertGroup(name: string, source: 'local' | 'ldap' | 'oidc') {
    const id = crypto.randomUUID();
    await store.db.insert(groups).values({ id, name, source, createdAt: T0 });
    return id;
  }

  describe('upsertDirectoryAccount', () => {
    it('creates the account with no password, audited as user.create from the directory', async () => {
      const account = await upsertDirectoryAccount(options(), erin);
      expect(account).toEqual({
        id: expect.any(String),
        username: 'erin',
        displayName: 'Erin Example',
        email: 'erin@example.org',
        systemRole: 'user',
        disabled: false,
        created: true,
      });
      expect(await userRow('erin')).toMatchObject({
        id: account.id,
        source: 'ldap',
        passwordHash: null,
        mustChangePassword: false,
        externalSubject: null,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await membership(account.id)).toEqual(['ldap:oncology']);

      const recorded = await events();
      expect(recorded.map((event) => event.action)).toEqual(['user.create', 'user.groups.sync']);
      expect(recorded[0]).toMatchObject({
        outcome: 'ok',
        resourceType: 'user',
        resourceId: account.id,
        actorUserId: account.id,
        actorClient: 'server',
        requestId: 'req-dir-1',
        ip: '198.51.100.4',
        before: null,
        after: {
          id: account.id,
          username: 'erin',
          displayName: 'Erin Example',
          email: 'erin@example.org',
          systemRole: 'user',
          source: 'ldap',
          disabled: false,
        },
        details: { via: 'ldap' },
      });
      expect(JSON.stringify(recorded)).not.toContain('password');
      expect((await audit.verify()).ok).toBe(true);
    });

    it('updates what the directory changed, audits before and after, and keeps the rest', async () => {
      const first = await upsertDirectoryAccount(options(), erin);
      // Things Enclave owns, set by an administrator in the meantime.
      await store.db
        .update(users)
        .set({ systemRole: 'viewer', disabled: true })
        .where(eq(users.id, first.id));
      mark = (await events()).at(-1)?.seq ?? mark;

      const second = await upsertDirectoryAccount(options(T1), {
        ...erin,
        displayName: 'Erin Renamed',
        email: null,
      });
      expect(second).toEqual({
        id: first.id,
        username: 'erin',
        displayName: 'Erin Renamed',
        email: null,
        systemRole: 'viewer',
        disabled: true,
        created: false,
      });
      expect(await userRow('erin')).toMatchObject({
        displayName: 'Erin Renamed',
        email: null,
        systemRole: 'viewer',
        disabled: true,
        source: 'ldap',
        createdAt: T0,
        updatedAt: T1,
      });
      expect(await userCount()).toBe(1);

      const recorded = await events();
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        action: 'user.update',
        outcome: 'ok',
        resourceId: first.id,
        actorUserId: first.id,
        actorClient: 'server',
        requestId: 'req-dir-1',
        ip: '198.51.100.4',
        before: { displayName: 'Erin Example', email: 'erin@example.org', systemRole: 'viewer' },
        after: { displayName: 'Erin Renamed', email: null, systemRole: 'viewer' },
        details: { via: 'ldap' },
      });
    });

    it('writes and audits nothing when the directory says the same again', async () => {
      const first = await upsertDirectoryAccount(options(), { ...erin, groups: ['b', 'a'] });
      mark = (await events()).at(-1)?.seq ?? mark;

      const again = await upsertDirectoryAccount(options(T1), { ...erin, groups: ['a', 'b'] });
      expect(again).toMatchObject({ id: first.id, created: false });
      expect(await events()).toEqual([]);
      expect((await userRow('erin'))?.updatedAt).toEqual(T0);
      expect(await membership(first.id)).toEqual(['ldap:a', 'ldap:b']);
    });

    it('refuses an LDAP identity whose username is a local account, changing nothing', async () => {
      const localId = await insertLocalUser('bob', 'admin');
      const attempt = upsertDirectoryAccount(options(), {
        ...erin,
        username: 'bob',
        displayName: 'Directory Bob',
        groups: ['oncology'],
      });
      await expect(attempt).rejects.toBeInstanceOf(DirectoryAccountConflictError);
      await expect(attempt).rejects.toThrow(/ldap account "bob".*existing local account/);

      expect(await userRow('bob')).toMatchObject({
        id: localId,
        source: 'local',
        displayName: 'Local bob',
        systemRole: 'admin',
      });
      expect(await membership(localId)).toEqual([]);
      expect(await store.db.select().from(groups)).toEqual([]);
      expect(await events()).toEqual([]);
    });

    it('refuses a directory identity that would take over an account of the other directory', async () => {
      const ldapBob = await upsertDirectoryAccount(options(), { ...erin, username: 'bob' });
      await expect(
        upsertDirectoryAccount(options(), { ...erin, source: 'oidc', username: 'bob' }),
      ).rejects.toBeInstanceOf(DirectoryAccountConflictError);
      expect(await userRow('bob')).toMatchObject({ id: ldapBob.id, source: 'ldap' });
    });

    it('gives an issuer identity whose username is taken the first free suffixed one', async () => {
      await insertLocalUser('bob');
      const first = await upsertDirectoryAccount(options(), {
        ...erin,
        source: 'oidc',
        username: 'bob',
        externalSubject: `${ISSUER} sub-1`,
      });
      expect(first).toMatchObject({ username: 'bob-2', created: true });
      const second = await upsertDirectoryAccount(options(), {
        ...erin,
        source: 'oidc',
        username: 'bob',
        externalSubject: `${ISSUER} sub-2`,
      });
      expect(second).toMatchObject({ username: 'bob-3', created: true });

      // Found again by its subject, whatever username the issuer sends now.
      const again = await upsertDirectoryAccount(options(), {
        ...erin,
        source: 'oidc',
        username: 'robert',
        externalSubject: `${ISSUER} sub-1`,
      });
      expect(again).toMatchObject({ id: first.id, username: 'bob-2', created: false });
      expect(await userRow('bob-2')).toMatchObject({
        source: 'oidc',
        externalSubject: `${ISSUER} sub-1`,
      });
      expect(await userRow('bob')).toMatchObject({ source: 'local', externalSubject: null });
      expect(await userCount()).toBe(3);
    });

    it('skips past a run of taken suffixes', async () => {
      for (const name of ['carol', 'carol-2', 'carol-3', 'carol-5']) await insertLocalUser(name);
      const account = await upsertDirectoryAccount(options(), {
        ...erin,
        source: 'oidc',
        username: 'carol',
        externalSubject: `${ISSUER} carol`,
      });
      expect(account.username).toBe('carol-4');
    });

    it('grants and takes away Admin as the directory says, but never demotes a viewer', async () => {
      const issuer = (sub: string, directoryAdmin: boolean | undefined): DirectoryIdentity => ({
        ...erin,
        source: 'oidc',
        username: sub,
        externalSubject: `${ISSUER} ${sub}`,
        directoryAdmin,
      });

      expect(await upsertDirectoryAccount(options(), issuer('ann', true))).toMatchObject({
        systemRole: 'admin',
        created: true,
      });
      // Undefined: the issuer has no admin group configured; the stored role stays.
      expect(await upsertDirectoryAccount(options(), issuer('ann', undefined))).toMatchObject({
        systemRole: 'admin',
      });
      mark = (await events()).at(-1)?.seq ?? mark;
      expect(await upsertDirectoryAccount(options(), issuer('ann', false))).toMatchObject({
        systemRole: 'user',
      });
      expect(await userRow('ann')).toMatchObject({ systemRole: 'user' });
      const [demotion] = await events();
      expect(demotion).toMatchObject({
        action: 'user.update',
        before: { systemRole: 'admin' },
        after: { systemRole: 'user' },
      });

      expect(await upsertDirectoryAccount(options(), issuer('ann', true))).toMatchObject({
        systemRole: 'admin',
      });
      expect(await userRow('ann')).toMatchObject({ systemRole: 'admin' });

      const viewer = await upsertDirectoryAccount(options(), issuer('val', false));
      expect(viewer.systemRole).toBe('user');
      await store.db.update(users).set({ systemRole: 'viewer' }).where(eq(users.id, viewer.id));
      expect(await upsertDirectoryAccount(options(), issuer('val', false))).toMatchObject({
        systemRole: 'viewer',
      });
      expect(await userRow('val')).toMatchObject({ systemRole: 'viewer' });
    });

    it('leaves exactly one account when five requests create the same identity at once', async () => {
      const identity = { ...erin, groups: ['oncology', 'chemistry'] };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => upsertDirectoryAccount(options(), identity)),
      );
      expect(await userCount()).toBe(1);
      const [row] = await store.db.select().from(users);
      expect(new Set(results.map((account) => account.id))).toEqual(new Set([row?.id]));
      expect(results.filter((account) => account.created)).toHaveLength(1);
      expect(await membership(row!.id)).toEqual(['ldap:chemistry', 'ldap:oncology']);
      const actions = (await events()).map((event) => event.action);
      expect(actions.filter((action) => action === 'user.create')).toHaveLength(1);
      // The memberships were made once, so they are recorded once.
      expect(actions.filter((action) => action === 'user.groups.sync')).toHaveLength(1);
      expect((await audit.verify()).ok).toBe(true);
    });

    it('leaves exactly one account when five requests create the same issuer subject at once', async () => {
      await insertLocalUser('erin');
      const identity = { ...erin, source: 'oidc' as const, externalSubject: `${ISSUER} erin` };
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => upsertDirectoryAccount(options(), identity)),
      );
      const rows = await store.db.select().from(users).where(eq(users.source, 'oidc'));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.username).toBe('erin-2');
      for (const result of results) {
        // A loser either continues with the winner's row or is told it could not be created;
        // it never makes a second account.
        if (result.status === 'fulfilled') expect(result.value.id).toBe(rows[0]?.id);
        else expect(result.reason).toBeInstanceOf(DirectoryAccountConflictError);
      }
    });
  });

  describe('syncDirectoryGroups', () => {
    async function directoryUser(username = 'erin') {
      const account = await upsertDirectoryAccount(options(), { ...erin, username, groups: [] });
      mark = (await events()).at(-1)?.seq ?? mark;
      return account.id;
    }

    it('adds and removes memberships to match the list exactly, with one audited change', async () => {
      const userId = await directoryUser();
      await syncDirectoryGroups(options(), userId, 'ldap', ['a', 'b']);
      await syncDirectoryGroups(options(), userId, 'ldap', ['c', 'b']);
      expect(await membership(userId)).toEqual(['ldap:b', 'ldap:c']);

      const recorded = await events();
      expect(recorded).toHaveLength(2);
      expect(recorded[1]).toMatchObject({
        action: 'user.groups.sync',
        outcome: 'ok',
        resourceType: 'user',
        resourceId: userId,
        actorUserId: userId,
        actorClient: 'server',
        requestId: 'req-dir-1',
        ip: '198.51.100.4',
        before: { groups: ['a', 'b'] },
        after: { groups: ['b', 'c'] },
        details: { via: 'ldap' },
      });
      // The group a left is kept for others; only the membership went.
      const names = await store.db.select({ name: groups.name }).from(groups);
      expect(names.map((group) => group.name).sort()).toEqual(['a', 'b', 'c']);

      await syncDirectoryGroups(options(), userId, 'ldap', []);
      expect(await membership(userId)).toEqual([]);
      expect((await events()).at(-1)).toMatchObject({
        before: { groups: ['b', 'c'] },
        after: { groups: [] },
      });
    });

    it('records each change once when syncs of the same user race', async () => {
      const userId = await directoryUser();
      await syncDirectoryGroups(options(), userId, 'ldap', ['a', 'b']);
      mark = (await events()).at(-1)?.seq ?? mark;

      await Promise.all(
        Array.from({ length: 5 }, () => syncDirectoryGroups(options(), userId, 'ldap', ['b', 'c'])),
      );
      expect(await membership(userId)).toEqual(['ldap:b', 'ldap:c']);
      // Racing calls may split the work between them, but every event says what its call did,
      // and together they say each change exactly once.
      const added: string[] = [];
      const removed: string[] = [];
      for (const event of await events()) {
        expect(event.action).toBe('user.groups.sync');
        const before = (event.before as { groups: string[] }).groups;
        const after = (event.after as { groups: string[] }).groups;
        added.push(...after.filter((name) => !before.includes(name)));
        removed.push(...before.filter((name) => !after.includes(name)));
      }
      expect(added).toEqual(['c']);
      expect(removed).toEqual(['a']);
    });

    it('records nothing when the list is unchanged, in any order or with repeats', async () => {
      const userId = await directoryUser();
      await syncDirectoryGroups(options(), userId, 'ldap', ['x', 'y']);
      mark = (await events()).at(-1)?.seq ?? mark;
      await syncDirectoryGroups(options(), userId, 'ldap', ['y', 'x', 'y', ' x ']);
      expect(await events()).toEqual([]);
      expect(await membership(userId)).toEqual(['ldap:x', 'ldap:y']);
    });

    it('never joins a local group of the same name, and leaves local memberships alone', async () => {
      const userId = await directoryUser();
      const localOncology = await insertGroup('oncology', 'local');
      const staff = await insertGroup('staff', 'local');
      await store.db.insert(groupMembers).values({ groupId: staff, userId });

      await syncDirectoryGroups(options(), userId, 'ldap', ['oncology', 'chemistry', 'staff']);
      expect(await membership(userId)).toEqual(['ldap:chemistry', 'local:staff']);
      const localMembers = await store.db
        .select()
        .from(groupMembers)
        .where(eq(groupMembers.groupId, localOncology));
      expect(localMembers).toEqual([]);
      expect((await events()).at(-1)).toMatchObject({
        before: { groups: [] },
        after: { groups: ['chemistry'] },
      });
      // The local group was not turned into a directory group either.
      const [row] = await store.db.select().from(groups).where(eq(groups.name, 'oncology'));
      expect(row).toMatchObject({ id: localOncology, source: 'local' });

      // An empty list removes directory memberships only.
      await syncDirectoryGroups(options(), userId, 'ldap', []);
      expect(await membership(userId)).toEqual(['local:staff']);
    });

    it("never joins another directory's group of the same name", async () => {
      const userId = await directoryUser();
      await insertGroup('lab', 'oidc');
      await syncDirectoryGroups(options(), userId, 'ldap', ['lab']);
      expect(await membership(userId)).toEqual([]);
      expect(await events()).toEqual([]);
    });

    it('keeps the memberships of each source apart', async () => {
      const userId = await directoryUser();
      const issuerGroup = await insertGroup('oidc-only', 'oidc');
      await store.db.insert(groupMembers).values({ groupId: issuerGroup, userId });
      await syncDirectoryGroups(options(), userId, 'ldap', ['ldap-only']);
      await syncDirectoryGroups(options(), userId, 'ldap', []);
      expect(await membership(userId)).toEqual(['oidc:oidc-only']);
    });

    it('ignores blank names and trims the others', async () => {
      const userId = await directoryUser();
      await syncDirectoryGroups(options(), userId, 'ldap', [
        '',
        '   ',
        '\t',
        ' physics ',
        'physics',
      ]);
      expect(await membership(userId)).toEqual(['ldap:physics']);
      const all = await store.db.select({ name: groups.name }).from(groups);
      expect(all.map((group) => group.name)).toEqual(['physics']);
      await syncDirectoryGroups(options(), userId, 'ldap', ['', ' ']);
      expect(await membership(userId)).toEqual([]);
    });

    it('ignores names over 200 characters', async () => {
      const userId = await directoryUser();
      await syncDirectoryGroups(options(), userId, 'ldap', ['g'.repeat(201), 'g'.repeat(200)]);
      expect(await membership(userId)).toEqual([`ldap:${'g'.repeat(200)}`]);
    });

    it(`takes at most ${MAX_DIRECTORY_GROUPS} groups, the first ones listed`, async () => {
      const userId = await directoryUser();
      const listed = Array.from(
        { length: MAX_DIRECTORY_GROUPS + 50 },
        (_, i) => `g${String(i).padStart(4, '0')}`,
      );
      await syncDirectoryGroups(options(), userId, 'ldap', listed);
      const joined = await membership(userId);
      expect(joined).toHaveLength(MAX_DIRECTORY_GROUPS);
      expect(joined).toEqual(listed.slice(0, MAX_DIRECTORY_GROUPS).map((name) => `ldap:${name}`));
      const [count] = await store.rows<{ n: string | number }>(
        sql`select count(*) as n from groups`,
      );
      expect(Number(count?.n)).toBe(MAX_DIRECTORY_GROUPS);
      expect((await events()).at(-1)?.after).toEqual({
        groups: listed.slice(0, MAX_DIRECTORY_GROUPS),
      });
    });

    it('counts the limit after dropping repeats, so duplicates cannot crowd out groups', async () => {
      const userId = await directoryUser();
      const listed = [...Array.from({ length: MAX_DIRECTORY_GROUPS }, () => 'same'), 'other'];
      await syncDirectoryGroups(options(), userId, 'ldap', listed);
      expect(await membership(userId)).toEqual(['ldap:other', 'ldap:same']);
    });
  });
});

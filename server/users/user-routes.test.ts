import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../identity/index.ts';
import { signInToEnclave, type SignedInClient } from '../identity/testing/relying-party.ts';
import { schema } from '../store/index.ts';
import { storeTargets, type TestStore } from '../store/testing.ts';
import { startApiTestServer, type ApiTestServer } from '../test-api.ts';

const { auditEvents, users } = schema;

let api: ApiTestServer;

const passwordOf = (username: string) => `${username}-has-a-long-passphrase-7`;

/** An account made straight in the store, so tests can sign it in, disable it, reset it. */
async function account(
  username: string,
  options: { role?: 'admin' | 'user' | 'viewer'; source?: 'local' | 'ldap' | 'oidc' } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date();
  const source = options.source ?? 'local';
  await api.server.store.db.insert(users).values({
    id,
    username,
    displayName: `${username} display`,
    email: `${username}@example.org`,
    systemRole: options.role ?? 'user',
    source,
    passwordHash: source === 'local' ? await hashPassword(passwordOf(username)) : null,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

function signIn(username: string, password = passwordOf(username), newPassword?: string) {
  return signInToEnclave(api.server.url, username, password, newPassword ? { newPassword } : {});
}

async function callAs(client: SignedInClient, method: string, path: string, body?: unknown) {
  const response = await client.fetch(`${api.server.url}/api/v1${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function auditOf(action: string, resourceId: string) {
  return api.server.store.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.resourceId, resourceId)))
    .orderBy(asc(auditEvents.seq));
}

function deniedManage() {
  return api.server.store.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'user.manage'), eq(auditEvents.outcome, 'denied')));
}

async function snapshot() {
  return JSON.stringify(
    await api.server.store.db.select().from(users).orderBy(asc(users.username)),
  );
}

// Also on a real PostgreSQL server when TEST_DATABASE_URL names one: there the request role is
// not a superuser and concurrent requests really run at once.
describe.each(storeTargets())('users on $name', (target) => {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await target.open();
    api = await startApiTestServer({ store });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.dispose();
  });

  describe('listing users', () => {
    it('shows everyone names only, and Admins the account details', async () => {
      for (const user of ['bob', 'carol', 'dave'] as const) {
        const list = await api.call(user, 'GET', '/users');
        expect(list.status).toBe(200);
        const bob = list.body.users.find((entry: { username: string }) => entry.username === 'bob');
        expect(bob).toEqual({ id: api.ids.bob, username: 'bob', displayName: 'Bob Brown' });
        expect(list.headers.get('cache-control')).toBe('no-store');
      }
      const list = await api.call('alice', 'GET', '/users');
      expect(list.status).toBe(200);
      const carol = list.body.users.find(
        (entry: { username: string }) => entry.username === 'carol',
      );
      expect(carol).toEqual({
        id: api.ids.carol,
        username: 'carol',
        displayName: 'Carol Clark',
        systemRole: 'viewer',
        disabled: false,
        source: 'local',
        email: null,
        mustChangePassword: false,
      });
      expect(list.text).not.toContain('scrypt');
    });
  });

  describe('changing users', () => {
    it('is for Admins only; every refusal is audited and changes nothing', async () => {
      const mark = Math.max(0, ...(await deniedManage()).map((event) => event.seq));
      const before = await snapshot();
      for (const user of ['bob', 'carol', 'dave'] as const) {
        for (const body of [{ systemRole: 'admin' }, { disabled: true }, { displayName: 'X' }]) {
          const refused = await api.call(user, 'PATCH', `/users/${api.ids[user]}`, body);
          expect(refused.status).toBe(403);
        }
        expect(
          (await api.call(user, 'PATCH', `/users/${api.ids.alice}`, { disabled: true })).status,
        ).toBe(403);
        expect((await api.call(user, 'POST', `/users/${api.ids.bob}/password-reset`)).status).toBe(
          403,
        );
      }
      expect(await snapshot()).toBe(before);
      const denials = (await deniedManage()).filter((event) => event.seq > mark);
      expect(denials.map((event) => event.actorUserId).sort()).toEqual(
        [api.ids.bob, api.ids.carol, api.ids.dave].flatMap((id) => Array(5).fill(id)).sort(),
      );
    });

    it('changes the system role, effective on the very next request, and records it', async () => {
      const id = await account('hank');
      const hank = await signIn('hank');
      expect((await callAs(hank, 'POST', '/projects', { name: 'before' })).status).toBe(201);
      const changed = await api.call('alice', 'PATCH', `/users/${id}`, {
        systemRole: 'viewer',
        displayName: 'Hank H.',
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id, systemRole: 'viewer', displayName: 'Hank H.' });
      expect((await callAs(hank, 'POST', '/projects', { name: 'after' })).status).toBe(403);
      const [event] = await auditOf('user.update', id);
      expect(event).toMatchObject({ outcome: 'ok', actorUserId: api.ids.alice });
      expect(event?.before).toMatchObject({ id, systemRole: 'user', displayName: 'hank display' });
      expect(event?.after).toMatchObject({ id, systemRole: 'viewer', displayName: 'Hank H.' });
      expect(JSON.stringify(event)).not.toContain('scrypt');
      // The same values again are no change and no event.
      await api.call('alice', 'PATCH', `/users/${id}`, { systemRole: 'viewer' });
      expect(await auditOf('user.update', id)).toHaveLength(1);
    });

    it("disabling stops the account's existing tokens at once", async () => {
      const id = await account('ivy');
      const ivy = await signIn('ivy');
      expect((await callAs(ivy, 'GET', '/me')).status).toBe(200);
      const disabled = await api.call('alice', 'PATCH', `/users/${id}`, { disabled: true });
      expect(disabled.status).toBe(200);
      expect(disabled.body.disabled).toBe(true);
      expect((await callAs(ivy, 'GET', '/me')).status).toBe(401);
      expect((await callAs(ivy, 'GET', '/groups')).status).toBe(401);
      await expect(signIn('ivy')).rejects.toThrow();
      const [event] = await auditOf('user.update', id);
      expect(event?.before).toMatchObject({ disabled: false });
      expect(event?.after).toMatchObject({ disabled: true });
      // Re-enabling does not bring the old sign-in back: disabling ended it.
      await api.call('alice', 'PATCH', `/users/${id}`, { disabled: false });
      expect((await callAs(ivy, 'GET', '/me')).status).toBe(401);
      await expect(ivy.refresh()).rejects.toThrow();
      const [ended] = await auditOf('user.sign-ins.end', id);
      expect(ended?.details).toMatchObject({ reason: 'account disabled' });
    });

    it('refuses an admin demoting or disabling themselves', async () => {
      const before = await snapshot();
      for (const body of [{ systemRole: 'user' }, { systemRole: 'viewer' }, { disabled: true }]) {
        const refused = await api.call('alice', 'PATCH', `/users/${api.ids.alice}`, body);
        expect(refused.status).toBe(409);
        expect(refused.body.error.code).toBe('self_lockout');
      }
      expect(await snapshot()).toBe(before);
      const same = await api.call('alice', 'PATCH', `/users/${api.ids.alice}`, {
        systemRole: 'admin',
        disabled: false,
      });
      expect(same.status).toBe(200);
    });

    it('leaves directory accounts their name, but lets Admins set role and disabled', async () => {
      const id = await account('jo-ldap', { source: 'ldap' });
      const before = await snapshot();
      const renamed = await api.call('alice', 'PATCH', `/users/${id}`, { displayName: 'Jo' });
      expect(renamed.status).toBe(409);
      expect(renamed.body.error.code).toBe('directory_managed');
      const reset = await api.call('alice', 'POST', `/users/${id}/password-reset`);
      expect(reset.status).toBe(409);
      expect(reset.body.error.code).toBe('directory_managed');
      expect(await snapshot()).toBe(before);
      const changed = await api.call('alice', 'PATCH', `/users/${id}`, {
        systemRole: 'viewer',
        disabled: true,
      });
      expect(changed.status).toBe(200);
    });

    it('refuses bad ids and bodies with 400 and changes nothing', async () => {
      const before = await snapshot();
      const attempts: [string, string, unknown][] = [
        ['PATCH', `/users/${api.ids.bob}`, {}],
        ['PATCH', `/users/${api.ids.bob}`, { systemRole: 'root' }],
        ['PATCH', `/users/${api.ids.bob}`, { systemRole: 'ADMIN' }],
        ['PATCH', `/users/${api.ids.bob}`, { disabled: 'true' }],
        ['PATCH', `/users/${api.ids.bob}`, { disabled: 1 }],
        ['PATCH', `/users/${api.ids.bob}`, { displayName: '' }],
        ['PATCH', `/users/${api.ids.bob}`, { displayName: 'a\u0000b' }],
        ['PATCH', `/users/${api.ids.bob}`, { displayName: 'line\nbreak' }],
        ['PATCH', `/users/${api.ids.bob}`, { username: 'root' }],
        ['PATCH', `/users/${api.ids.bob}`, { disabled: false, passwordHash: 'x' }],
        ['PATCH', `/users/${api.ids.bob}`, { disabled: false, mustChangePassword: false }],
        ['PATCH', `/users/${api.ids.bob}`, [{ disabled: true }]],
        ['PATCH', '/users/not-a-uuid', { disabled: true }],
        ['PATCH', `/users/${encodeURIComponent("' or 1=1; --")}`, { disabled: true }],
        ['PATCH', `/users/..%2F..%2Fgroups`, { disabled: true }],
        ['POST', `/users/${encodeURIComponent('../admin')}/password-reset`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const response = await api.call('alice', method, path, body);
        expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      }
      expect(await snapshot()).toBe(before);
    });

    it('answers 404 for an account that does not exist', async () => {
      const nobody = crypto.randomUUID();
      expect(
        (await api.call('alice', 'PATCH', `/users/${nobody}`, { disabled: true })).status,
      ).toBe(404);
      expect((await api.call('alice', 'POST', `/users/${nobody}/password-reset`)).status).toBe(404);
    });
  });

  describe('password reset', () => {
    it('gives a temporary password once; signing in with it demands a new one', async () => {
      const id = await account('kim');
      const before = await signIn('kim');
      const reset = await api.call('alice', 'POST', `/users/${id}/password-reset`);
      expect(reset.status).toBe(200);
      expect(reset.headers.get('cache-control')).toBe('no-store');
      const temporary = reset.body.temporaryPassword as string;
      expect(reset.body).toEqual({
        userId: id,
        username: 'kim',
        temporaryPassword: expect.stringMatching(/^[\w-]{24}$/),
        mustChangePassword: true,
      });

      // The reset ends the sign-ins made with the old password.
      expect((await callAs(before, 'GET', '/me')).status).toBe(401);
      await expect(signIn('kim')).rejects.toThrow();
      await expect(signIn('kim', temporary)).rejects.toThrow(/new password/);
      const kim = await signIn('kim', temporary, 'violet harbour drums quietly 42');
      expect((await callAs(kim, 'GET', '/me')).status).toBe(200);

      const [event] = await auditOf('user.password.reset', id);
      expect(event).toMatchObject({
        outcome: 'ok',
        actorUserId: api.ids.alice,
        before: { id, mustChangePassword: false },
        after: { id, mustChangePassword: true },
      });
      const trail = JSON.stringify(await api.server.store.db.select().from(auditEvents));
      expect(trail).not.toContain(temporary);
      expect(JSON.stringify(api.server.logs)).not.toContain(temporary);
      const second = await api.call('alice', 'POST', `/users/${id}/password-reset`);
      expect(second.body.temporaryPassword).not.toBe(temporary);
    });
  });

  describe('two admins demoting each other at once', () => {
    it('cannot both succeed, so an admin remains', async () => {
      const id = await account('lee', { role: 'admin' });
      const lee = await signIn('lee');
      const answers = await Promise.all([
        api.call('alice', 'PATCH', `/users/${id}`, { systemRole: 'user' }),
        callAs(lee, 'PATCH', `/users/${api.ids.alice}`, { systemRole: 'user' }),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403]);
      const admins = await api.server.store.db
        .select({ id: users.id })
        .from(users)
        .where(eq(users.systemRole, 'admin'));
      expect(admins.map((admin) => admin.id)).toEqual(
        expect.arrayContaining([answers[0].status === 200 ? api.ids.alice : id]),
      );
      // Put things back for whoever runs after.
      if (answers[1].status === 200) {
        expect(
          (await callAs(lee, 'PATCH', `/users/${api.ids.alice}`, { systemRole: 'admin' })).status,
        ).toBe(200);
      }
    });
  });
});

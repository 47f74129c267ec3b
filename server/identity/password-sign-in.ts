/**
 * Signing in with a username and password, the way the built-in provider's login form does it:
 * throttle first, then the local password hash or, for people the directory knows, an LDAP bind;
 * every outcome audited. No HTTP here: the login page calls this and renders what it returns.
 *
 * Why it is built this way:
 * - The attempt is counted before the password is checked (see `login-throttle`), so parallel
 *   guesses cannot outrun the limit, and a throttled or locked attempt never reaches the hash.
 * - Unknown users cost one scrypt like known ones and get the same answer, so neither the
 *   message nor the time tells whether an account exists.
 * - A local account is always checked locally, even when LDAP is on: the directory cannot
 *   sign anyone in as `admin` or any other local user.
 * - "Account disabled" is said only after the right password, for the same reason.
 */
import { eq } from 'drizzle-orm';
import type { AuditTrail } from '../audit/index.ts';
import { schema, type Database } from '../store/index.ts';
import type { SystemRole } from './accounts.ts';
import { DirectoryAccountConflictError, upsertDirectoryAccount } from './directory-accounts.ts';
import { LdapUnavailableError, authenticateWithLdap, type LdapSettings } from './ldap/index.ts';
import {
  AccountLockedError,
  LoginThrottledError,
  type LoginThrottle,
} from './login-throttle/index.ts';
import {
  MAX_PASSWORD_LENGTH,
  checkPasswordPolicy,
  hashPassword,
  verifyPassword,
} from './passwords.ts';

const { users } = schema;

/** A well-formed hash of a random password: unknown users are checked against it, in vain. */
let unknownUserHash: Promise<string> | undefined;

export interface PasswordSignInOptions {
  db: Database;
  audit: AuditTrail;
  throttle: LoginThrottle;
  /** With LDAP settings, people without a local account sign in against the directory. */
  ldap?: LdapSettings | undefined;
}

/** Where a sign-in attempt came from, for throttling and the audit trail. */
export interface SignInContext {
  ip: string | null;
  requestId: string | null;
  /** The client the sign-in is for, e.g. `enclave-web`. */
  clientId: string | null;
}

export interface SignedInAccount {
  id: string;
  username: string;
  displayName: string;
  systemRole: SystemRole;
}

export type SignInRefusal =
  | 'missing_credentials'
  | 'invalid_credentials'
  | 'login_throttled'
  | 'account_locked'
  | 'account_disabled'
  | 'directory_unavailable';

export type SignInResult =
  | { ok: true; account: SignedInAccount; method: 'password' | 'ldap'; mustChangePassword: boolean }
  | { ok: false; refusal: SignInRefusal; message: string };

export type PasswordChangeResult = { ok: true } | { ok: false; message: string };

/** The one message for an unknown user and a wrong password alike. */
export const INVALID_CREDENTIALS_MESSAGE = 'Wrong username or password.';

/**
 * Lower-cases and trims a typed username; `null` when it cannot name an account.
 *
 * @example
 * normalizeUsername('  Alice '); // 'alice'
 */
export function normalizeUsername(typed: string): string | null {
  const username = typed.trim().toLowerCase();
  // PostgreSQL text (and jsonb, in the audit trail) cannot hold NUL or a lone surrogate: no
  // account is named so, and looking one up or auditing it would throw.
  if (/\0|\p{Cs}/u.test(username)) return null;
  return username.length > 0 && username.length <= 256 ? username : null;
}

/**
 * Builds the password sign-in of the login form.
 *
 * @example
 * const passwordSignIn = createPasswordSignIn({ db, audit, throttle, ldap });
 * const result = await passwordSignIn.signIn('alice', typed, { ip, requestId, clientId });
 * if (!result.ok) renderLogin({ error: result.message });
 */
export function createPasswordSignIn(options: PasswordSignInOptions) {
  const { db, audit, throttle, ldap } = options;

  async function recordLogin(
    context: SignInContext,
    outcome: 'ok' | 'denied',
    fields: { userId?: string | null; username: string; method?: string; reason?: string },
  ) {
    await audit.record({
      action: 'auth.login',
      resourceType: 'user',
      resourceId: fields.userId ?? null,
      outcome,
      actorUserId: fields.userId ?? null,
      actorClient: context.clientId,
      requestId: context.requestId,
      ip: context.ip,
      details: {
        username: fields.username,
        ...(fields.method ? { method: fields.method } : {}),
        ...(fields.reason ? { reason: fields.reason } : {}),
      },
    });
  }

  async function checkCredentials(
    username: string,
    password: string,
    context: SignInContext,
  ): Promise<
    | {
        verified: true;
        account: SignedInAccount & { disabled: boolean; mustChangePassword: boolean };
        method: 'password' | 'ldap';
      }
    | { verified: false; userId: string | null }
  > {
    const [user] = await db.select().from(users).where(eq(users.username, username));
    if (user?.source === 'local') {
      const verified = await verifyPassword(password, user.passwordHash);
      if (!verified) return { verified: false, userId: user.id };
      return {
        verified: true,
        method: 'password',
        account: {
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          systemRole: user.systemRole as SystemRole,
          disabled: user.disabled,
          mustChangePassword: user.mustChangePassword,
        },
      };
    }
    if (ldap && (!user || user.source === 'ldap')) {
      const identity = await authenticateWithLdap(ldap, username, password);
      if (!identity) return { verified: false, userId: user?.id ?? null };
      const account = await upsertDirectoryAccount(
        { db, audit, requestId: context.requestId, ip: context.ip },
        {
          source: 'ldap',
          username: identity.username,
          displayName: identity.displayName,
          email: identity.email,
          groups: identity.groups,
        },
      );
      return { verified: true, method: 'ldap', account: { ...account, mustChangePassword: false } };
    }
    unknownUserHash ??= hashPassword(crypto.randomUUID());
    await verifyPassword(password, await unknownUserHash);
    return { verified: false, userId: user?.id ?? null };
  }

  /**
   * Checks a typed username and password. Never throws for anything the person typed; a
   * database failure does throw.
   */
  async function signIn(
    typedUsername: string,
    password: string,
    context: SignInContext,
  ): Promise<SignInResult> {
    const username = normalizeUsername(typedUsername);
    if (!username || password.length === 0) {
      return {
        ok: false,
        refusal: 'missing_credentials',
        message: 'Enter your username and your password.',
      };
    }
    if (password.length > MAX_PASSWORD_LENGTH) {
      await recordLogin(context, 'denied', { username, reason: 'password_too_long' });
      return { ok: false, refusal: 'invalid_credentials', message: INVALID_CREDENTIALS_MESSAGE };
    }

    let attempt;
    try {
      attempt = await throttle.begin(username, context.ip ?? 'unknown');
    } catch (error) {
      if (error instanceof AccountLockedError || error instanceof LoginThrottledError) {
        await recordLogin(context, 'denied', {
          username,
          reason:
            error instanceof AccountLockedError ? 'account_locked' : `throttled_${error.scope}`,
        });
        return {
          ok: false,
          refusal: error instanceof AccountLockedError ? 'account_locked' : 'login_throttled',
          message: error.message,
        };
      }
      throw error;
    }

    let checked;
    try {
      checked = await checkCredentials(username, password, context);
    } catch (error) {
      if (error instanceof LdapUnavailableError) {
        await recordLogin(context, 'denied', {
          username,
          method: 'ldap',
          reason: 'directory_unavailable',
        });
        return { ok: false, refusal: 'directory_unavailable', message: error.message };
      }
      if (error instanceof DirectoryAccountConflictError) {
        await attempt.failed();
        await recordLogin(context, 'denied', {
          username,
          method: 'ldap',
          reason: 'account_conflict',
        });
        return { ok: false, refusal: 'invalid_credentials', message: INVALID_CREDENTIALS_MESSAGE };
      }
      throw error;
    }

    if (!checked.verified) {
      const { lockedOut, lockedUntil } = await attempt.failed();
      await recordLogin(context, 'denied', {
        userId: checked.userId,
        username,
        reason: 'invalid_credentials',
      });
      if (lockedOut) {
        await audit.record({
          action: 'auth.lockout',
          resourceType: 'user',
          resourceId: checked.userId,
          outcome: 'denied',
          actorUserId: checked.userId,
          actorClient: context.clientId,
          requestId: context.requestId,
          ip: context.ip,
          details: { username, lockedUntil: lockedUntil?.toISOString() ?? null },
        });
        const minutes = lockedUntil
          ? Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 60_000))
          : null;
        return {
          ok: false,
          refusal: 'account_locked',
          message:
            `${INVALID_CREDENTIALS_MESSAGE} After too many failed sign-ins this account is now locked` +
            (minutes ? ` for ${minutes} minute${minutes === 1 ? '' : 's'}.` : '.'),
        };
      }
      return { ok: false, refusal: 'invalid_credentials', message: INVALID_CREDENTIALS_MESSAGE };
    }

    await attempt.succeeded();
    const { account, method } = checked;
    if (account.disabled) {
      await recordLogin(context, 'denied', {
        userId: account.id,
        username,
        method,
        reason: 'account_disabled',
      });
      return {
        ok: false,
        refusal: 'account_disabled',
        message: 'This account is disabled. Ask an administrator to enable it.',
      };
    }
    await recordLogin(context, 'ok', { userId: account.id, username, method });
    return {
      ok: true,
      method,
      mustChangePassword: account.mustChangePassword,
      account: {
        id: account.id,
        username: account.username,
        displayName: account.displayName,
        systemRole: account.systemRole,
      },
    };
  }

  /**
   * Sets a new password for a local account whose current password was just verified (the
   * forced change at first sign-in). The policy applies, and the new password must differ.
   */
  async function changePassword(
    userId: string,
    newPassword: string,
    repeated: string,
    context: SignInContext,
  ): Promise<PasswordChangeResult> {
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    if (!user || user.source !== 'local' || user.disabled) {
      return { ok: false, message: 'This account cannot change its password here.' };
    }
    if (newPassword !== repeated) {
      return { ok: false, message: 'The two new passwords are not the same.' };
    }
    const verdict = checkPasswordPolicy(newPassword, {
      username: user.username,
      displayName: user.displayName,
    });
    if (!verdict.ok) return { ok: false, message: verdict.reason };
    if (await verifyPassword(newPassword, user.passwordHash)) {
      return { ok: false, message: 'Choose a password different from the current one.' };
    }
    const now = new Date();
    await db
      .update(users)
      .set({
        passwordHash: await hashPassword(newPassword),
        mustChangePassword: false,
        updatedAt: now,
      })
      .where(eq(users.id, userId));
    await audit.record({
      action: 'auth.password_change',
      resourceType: 'user',
      resourceId: userId,
      outcome: 'ok',
      actorUserId: userId,
      actorClient: context.clientId,
      requestId: context.requestId,
      ip: context.ip,
      before: { mustChangePassword: user.mustChangePassword },
      after: { mustChangePassword: false },
    });
    return { ok: true };
  }

  return { signIn, changePassword };
}

export type PasswordSignIn = ReturnType<typeof createPasswordSignIn>;

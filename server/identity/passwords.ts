/**
 * Local passwords: a memory-hard hash (scrypt, from Node's own crypto) and the policy a new
 * password must meet. The policy refuses short passwords and, through zxcvbn's dictionaries of
 * common passwords, names and keyboard patterns, easily guessed ones, the user's own name included.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/** scrypt with N=2^15, r=8: 32 MiB and some tens of milliseconds per guess. */
const cost = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;
const saltLength = 16;

export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase; short enough that hashing one cannot tie up the server. */
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's score (0–4) a new password must reach: 3 is "safely unguessable" online. */
const minimumStrength = 3;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 128 * (options.N ?? cost.N) * (options.r ?? cost.r) * 2;
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password for storage as `scrypt$N$r$p$salt$hash` (base64url parts), so the cost can
 * be raised later without breaking stored hashes.
 *
 * @example
 * const stored = await hashPassword('a long passphrase of mine');
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltLength);
  const key = await derive(password, salt, cost);
  return [
    'scrypt',
    cost.N,
    cost.r,
    cost.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

const storedHashPattern =
  /^scrypt\$(\d{1,7})\$(\d{1,2})\$(\d{1,2})\$([\w-]{16,64})\$([\w-]{32,128})$/;

/**
 * Checks a password against a stored hash in constant time. A malformed or unsupported stored
 * value never verifies.
 *
 * @example
 * if (await verifyPassword(attempt, user.passwordHash)) signIn(user);
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored || password.length > MAX_PASSWORD_LENGTH) return false;
  const match = storedHashPattern.exec(stored);
  if (!match) return false;
  const [, n, r, p, salt, hash] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const N = Number(n);
  if (N < 2 ** 14 || N > 2 ** 20 || (N & (N - 1)) !== 0) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), {
    N,
    r: Number(r),
    p: Number(p),
  }).catch(() => null);
  return actual !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
}

export type PasswordVerdict = { ok: true } | { ok: false; reason: string };

const strength = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

/**
 * Whether a new password meets the policy, with a reason a person can act on when it does not.
 *
 * @example
 * checkPasswordPolicy('password1234', { username: 'bob' });
 * // { ok: false, reason: 'This password is too common or too easy to guess…' }
 */
export function checkPasswordPolicy(
  password: string,
  context: { username: string; displayName?: string },
): PasswordVerdict {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { ok: false, reason: `Use at least ${MIN_PASSWORD_LENGTH} characters.` };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return { ok: false, reason: `Use at most ${MAX_PASSWORD_LENGTH} characters.` };
  }
  const userInputs = [context.username, context.displayName ?? '', 'enclave'].filter(Boolean);
  if (userInputs.some((input) => password.toLowerCase().includes(input.toLowerCase()))) {
    return { ok: false, reason: 'Do not use your user name or the product name in your password.' };
  }
  const result = strength.check(password, userInputs);
  if (result.score < minimumStrength) {
    return {
      ok: false,
      reason:
        'This password is too common or too easy to guess. Use a longer passphrase of unrelated words.',
    };
  }
  return { ok: true };
}

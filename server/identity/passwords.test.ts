import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const stored = await hashPassword('blue cactus under seven moons');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    await expect(verifyPassword('blue cactus under seven moons', stored)).resolves.toBe(true);
    await expect(verifyPassword('blue cactus under seven moon', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same words here'),
      hashPassword('same words here'),
    ]);
    expect(a).not.toBe(b);
  });

  it('treats canonically equal Unicode spellings as one password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait please');
    await expect(verifyPassword('cafe\u0301 au lait please', stored)).resolves.toBe(true);
  });

  it('never verifies against a missing, malformed or weakened stored hash', async () => {
    const stored = await hashPassword('blue cactus under seven moons');
    const [, , r, p, salt, hash] = stored.split('$');
    const weakened = ['scrypt', 2, r, p, salt, hash].join('$');
    const huge = ['scrypt', 2 ** 30, r, p, salt, hash].join('$');
    for (const bad of [null, '', 'plaintext', stored.slice(0, -4), `${stored}$x`, weakened, huge]) {
      await expect(verifyPassword('blue cactus under seven moons', bad)).resolves.toBe(false);
    }
  });

  it('refuses to hash-check an oversized attempt', async () => {
    const stored = await hashPassword('blue cactus under seven moons');
    await expect(verifyPassword('x'.repeat(100_000), stored)).resolves.toBe(false);
  });
});

describe('password policy', () => {
  it.each([
    ['short1!', /at least 12/],
    ['password1234', /too common/],
    ['qwertyuiopasdf', /too common/],
    ['111111111111', /too common/],
    ['bobbobbob-2024', /user name/],
    ['My Enclave password!', /product name/],
    ['x'.repeat(300), /at most 256/],
  ])('refuses %j', (password, reason) => {
    const verdict = checkPasswordPolicy(password, { username: 'bob' });
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason);
  });

  it('accepts a long passphrase and a strong random password', () => {
    expect(checkPasswordPolicy('blue cactus under seven moons', { username: 'bob' })).toEqual({
      ok: true,
    });
    expect(checkPasswordPolicy('hK8#pL2$vN9@xQ', { username: 'bob' })).toEqual({ ok: true });
  });
});

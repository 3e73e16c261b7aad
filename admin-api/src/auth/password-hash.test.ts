import { describe, expect, it } from 'vitest';
import { createDummyVerifier, generatePassword, hashPassword, verifyPassword } from './password-hash.js';

describe('password hashes', () => {
  it('stores scrypt$N$r$p$salt$hash with N=2^15, r=8, p=1, a 16-byte salt and a 32-byte key', async () => {
    const h = await hashPassword('correct horse battery');
    const [alg, n, r, p, salt, key] = h.split('$');
    expect([alg, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt ?? '', 'base64url')).toHaveLength(16);
    expect(Buffer.from(key ?? '', 'base64url')).toHaveLength(32);
    expect(await hashPassword('correct horse battery')).not.toBe(h); // fresh salt
  });

  it.each([
    ['the right password', 'correct horse battery', true],
    ['a wrong password', 'correct horse batterz', false],
    ['an empty password', '', false],
  ])('verifies %s', async (_, candidate, expected) => {
    const h = await hashPassword('correct horse battery');
    expect(await verifyPassword(candidate, h)).toBe(expected);
  });

  it.each([['bcrypt$x'], ['scrypt$3$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5'], ['scrypt$1073741824$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5'], ['']])(
    'refuses a malformed or out-of-bounds hash %j without throwing',
    async (stored) => {
      expect(await verifyPassword('whatever', stored)).toBe(false);
    },
  );

  it('has a dummy verifier that always says no, and generates 32-character passwords', async () => {
    const dummy = await createDummyVerifier();
    expect(await dummy('anything')).toBe(false);
    expect(generatePassword()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

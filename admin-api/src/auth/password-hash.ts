/**
 * Admin passwords: scrypt (RFC 7914) with N=2^15, r=8, p=1, a 16-byte salt and a 32-byte key, stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the parameters can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Passwords shorter than this are refused when an admin user is created or changes its password. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longer passwords are refused (scrypt's cost does not depend on length, but nothing needs more). */
export const MAX_PASSWORD_LENGTH = 1024;

const N = 2 ** 15;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Upper bound on a stored N, so a corrupted row cannot make one login allocate gigabytes. */
const MAX_N = 2 ** 20;

function scryptAsync(password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keylen, o, (err, key) => (err ? reject(err) : resolve(key))));
}

// Node's default maxmem (32 MiB) is exactly 128·N·r for N=2^15, r=8; scrypt needs a little more.
const maxmemFor = (n: number, r: number): number => 128 * n * r * 2;

/** Hashes a password with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, { N, r: R, p: P, maxmem: maxmemFor(N, R) });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every(Number.isSafeInteger) || n < 2 || n > MAX_N || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { n, r, p, salt, key };
}

/** Whether `password` matches a stored hash; false (never an exception) for a malformed hash. Constant-time compare. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const key = await scryptAsync(password, h.salt, h.key.length, { N: h.n, r: h.r, p: h.p, maxmem: maxmemFor(h.n, h.r) });
  return timingSafeEqual(key, h.key);
}

/**
 * A verifier for unknown usernames: it runs the same scrypt against a throw-away hash, so the
 * response time does not tell which usernames exist.
 */
export async function createDummyVerifier(): Promise<(password: string) => Promise<false>> {
  const dummy = await hashPassword(randomBytes(18).toString('base64url'));
  return async (password) => {
    await verifyPassword(password, dummy);
    return false;
  };
}

/** A random password for the bootstrap owner: 24 bytes, 32 base64url characters. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

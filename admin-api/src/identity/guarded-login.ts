/**
 * A password check behind the shared brute-force throttle: 429 with Retry-After while a username or
 * client is locked or delayed; every failure (wrong password, unknown user, disabled) counts the same,
 * so the throttle's answers do not reveal which usernames exist. PROVIDER_UNAVAILABLE is a 503 and
 * does not count as a failure.
 */
import { AdminError } from '../errors.js';
import type { PasswordCheck, PasswordVerifier, VerifiedUser } from './password-verifier.js';
import type { SharedLoginThrottle } from './shared-login-throttle.js';

/** Checks a password through the throttle; returns the user or throws 401 / 403 / 429 / 503 AdminErrors. */
export async function guardedPasswordCheck(throttle: SharedLoginThrottle, verifier: PasswordVerifier, username: string, password: string, client: string, now: number, signal?: AbortSignal): Promise<VerifiedUser> {
  const lock = await throttle.check(username, client, now);
  if (lock) {
    throw new AdminError('ADMIN_LOGIN_LOCKED', 'too many failed login attempts; try again later', { retryAfterSeconds: lock.retryAfterSeconds }, { headers: { 'retry-after': String(lock.retryAfterSeconds) } });
  }
  const r: PasswordCheck = await verifier.verifyPassword(username, password, signal);
  if (r.ok) {
    await throttle.recordSuccess(username);
    return r.user;
  }
  if (r.reason === 'PROVIDER_UNAVAILABLE') throw new AdminError('ADMIN_IDENTITY_PROVIDER_UNAVAILABLE', r.message);
  await throttle.recordFailure(username, client, now);
  // A disabled account is told only to someone who gave its right password (the verifier's rule).
  if (r.reason === 'ACCOUNT_DISABLED') throw new AdminError('ADMIN_ACCOUNT_DISABLED', r.message);
  throw new AdminError('ADMIN_LOGIN_FAILED', 'invalid username or password');
}

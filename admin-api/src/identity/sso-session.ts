/**
 * Ends an SSO sign-in in the same console session the password login creates: an admin account
 * `sso:<provider>:<username>` (no usable password; its role follows the IdP's groups at every
 * sign-in, and an owner can disable it), a session row, the same cookie, an audit event.
 *
 * Built from the session primitives of `auth/` (insertSession, sessionCookie, csrfTokenFor …); the
 * integrator may extract the password login's session creation into one shared function.
 */
import { deleteExpiredSessions, getAdminUser, insertAdminUser, insertSession, updateAdminUser } from '../store/admin-accounts-repo.js';
import type { AdminRole } from '../auth/admin-roles.js';
import { sessionCookie } from '../auth/auth-context.js';
import { csrfTokenFor, newSessionId, sha256Hex } from '../auth/credential-digest.js';
import { AdminError } from '../errors.js';
import { appendAuditEvent, type Store } from '../store/index.js';
import { inTransaction } from '../store/queryable.js';

/** Not a scrypt hash: verifyPassword always answers false, so SSO accounts cannot log in with a password. */
export const SSO_PASSWORD_HASH = '!sso-only';

/** The admin username of an SSO user; namespaced so it can never be a local account. */
export const ssoUsername = (provider: string, username: string): string => `sso:${provider}:${username}`;

export interface SsoSessionOptions {
  now: number;
  sessionTtlMs: number;
  secureCookies: boolean;
  client: string;
}

/** Creates (or updates) the SSO admin account and a session; returns the Set-Cookie value. 403 when an owner disabled the account. */
export async function createSsoSession(store: Store, who: { provider: string; username: string; subject: string; role: AdminRole; groups: string[] }, o: SsoSessionOptions): Promise<{ cookie: string; username: string; csrfToken: string; expiresAt: number }> {
  const username = ssoUsername(who.provider, who.username);
  const sessionId = newSessionId();
  const csrfToken = csrfTokenFor(sessionId);
  const expiresAt = o.now + o.sessionTtlMs;
  await inTransaction(store, async (trx) => {
    const existing = await getAdminUser(trx, username);
    if (existing?.disabled) throw new AdminError('ADMIN_SSO_ACCOUNT_DISABLED', 'this single sign-on account was disabled by an administrator');
    if (!existing) await insertAdminUser(trx, { username, passwordHash: SSO_PASSWORD_HASH, role: who.role }, o.now);
    else if (existing.role !== who.role) await updateAdminUser(trx, username, { role: who.role }, o.now);
    await deleteExpiredSessions(trx, o.now);
    await insertSession(trx, { idHash: sha256Hex(sessionId), username, csrfHash: sha256Hex(csrfToken), expiresAt }, o.now);
    await appendAuditEvent(trx, {
      at: o.now,
      actor: username,
      action: 'session.create',
      resourceType: 'session',
      resourceId: username,
      after: { role: who.role, via: `sso:${who.provider}`, subject: who.subject, groups: who.groups, expires_at: new Date(expiresAt).toISOString(), client: o.client },
      outcome: 'allowed',
    });
  });
  return { cookie: sessionCookie(sessionId, Math.floor(o.sessionTtlMs / 1000), o.secureCookies), username, csrfToken, expiresAt };
}

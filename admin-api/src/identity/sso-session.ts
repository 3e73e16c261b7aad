/**
 * Ends an SSO sign-in in the same console session the password login creates: an admin account
 * `sso:<provider>:<username>` (no usable password; its role follows the IdP's groups at every
 * sign-in, and an owner can disable it), a session row, the same cookie, an audit event.
 * The session itself is auth's `createSession`, the same call the password login makes.
 */
import { getAdminUser, insertAdminUser, updateAdminUser } from '../store/admin-accounts-repo.js';
import type { AdminRole } from '../auth/admin-roles.js';
import { createSession, type NewSession } from '../auth/create-session.js';
import { AdminError } from '../errors.js';
import type { Store } from '../store/index.js';

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

/** Creates (or updates) the SSO admin account and a session (auth's createSession); 403 when an owner disabled the account. */
export async function createSsoSession(store: Store, who: { provider: string; username: string; subject: string; role: AdminRole; groups: string[] }, o: SsoSessionOptions): Promise<NewSession & { username: string }> {
  const username = ssoUsername(who.provider, who.username);
  const s = await createSession(store, {
    username,
    now: o.now,
    ttlMs: o.sessionTtlMs,
    secureCookies: o.secureCookies,
    audit: { role: who.role, via: `sso:${who.provider}`, subject: who.subject, groups: who.groups, client: o.client },
    async prepare(trx) {
      const existing = await getAdminUser(trx, username);
      if (existing?.disabled) throw new AdminError('ADMIN_SSO_ACCOUNT_DISABLED');
      if (!existing) await insertAdminUser(trx, { username, passwordHash: SSO_PASSWORD_HASH, role: who.role }, o.now);
      else if (existing.role !== who.role) await updateAdminUser(trx, username, { role: who.role }, o.now);
    },
  });
  return { ...s, username };
}

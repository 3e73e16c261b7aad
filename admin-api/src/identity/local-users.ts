/**
 * The "local" provider: the admin API's own accounts (admin_users, scrypt N=2^15 r=8 p=1 as in
 * auth/password-hash.ts). Unknown users cost the same scrypt as known ones. Gateway roles come from
 * the provider's mapping keyed by admin role; the admin role itself is the admin role.
 */
import { getAdminUser } from '../store/admin-accounts-repo.js';
import { verifyPassword } from '../auth/password-hash.js';
import type { Queryable } from '../store/queryable.js';
import { invalidCredentials, type PasswordVerifier } from './password-verifier.js';
import { mapGroups, type RoleMapping } from './role-mapping.js';
import { SSO_PASSWORD_HASH } from './sso-session.js';

/** A PasswordVerifier over the local admin accounts; `dummyVerify` runs scrypt for unknown names. */
export function createLocalVerifier(id: string, q: Queryable, mapping: RoleMapping, dummyVerify: (password: string) => Promise<false>): PasswordVerifier {
  return {
    id,
    async verifyPassword(username, password) {
      if (username.length === 0 || username.length > 256 || password.length === 0 || password.length > 1024) return invalidCredentials();
      const user = await getAdminUser(q, username);
      const ok = user && user.password_hash !== SSO_PASSWORD_HASH ? await verifyPassword(password, user.password_hash) : await dummyVerify(password);
      if (!user || !ok) return invalidCredentials();
      if (user.disabled) return { ok: false, reason: 'ACCOUNT_DISABLED', message: 'this account is disabled' };
      const groups = [user.role];
      return { ok: true, user: { subject: `${id}:${user.username}`, username: user.username, groups, roles: mapGroups(groups, mapping).roles, adminRoles: [user.role], provider: id } };
    },
  };
}

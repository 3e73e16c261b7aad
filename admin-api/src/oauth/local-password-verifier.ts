/**
 * The PasswordVerifier of the admin API's local users (scrypt hashes in `admin_users`). Bundle roles come
 * from the principal with the same id, if there is one; unknown users cost the same scrypt as known ones.
 */
import { getAdminUser } from '../store/admin-accounts-repo.js';
import { createDummyVerifier, verifyPassword } from '../auth/password-hash.js';
import { readPrincipalRoles } from '../store/oauth-principal-roles.js';
import type { Store } from '../store/index.js';
import type { PasswordCheck, PasswordVerifier } from './password-verifier.js';

const INVALID: PasswordCheck = { ok: false, reason: 'INVALID_CREDENTIALS', message: 'the username or password is wrong' };

/** Builds the local verifier (id `local`). */
export async function createLocalPasswordVerifier(store: Store): Promise<PasswordVerifier> {
  const dummy = await createDummyVerifier();
  return {
    id: 'local',
    async verifyPassword(username, password) {
      if (username.length === 0 || username.length > 256 || password.length === 0 || password.length > 1024) return INVALID;
      const user = await getAdminUser(store, username);
      if (!user) {
        await dummy(password);
        return INVALID;
      }
      if (!(await verifyPassword(password, user.password_hash))) return INVALID;
      if (Number(user.disabled) === 1) return { ok: false, reason: 'ACCOUNT_DISABLED', message: 'the account is disabled' };
      const roles = await readPrincipalRoles(store, username);
      return { ok: true, user: { subject: username, username, groups: [], roles, adminRoles: [user.role], provider: 'local' } };
    },
  };
}

/**
 * AGENTCORE_ADMIN_PASSWORD sets the first owner's password only. Once the owner exists it is ignored — said at start
 * (with whether it matches) — and `agentcore-admin reset-owner-password` is the documented way to change it from the
 * host: it reads the new password from AGENTCORE_ADMIN_PASSWORD (never from argv, which `ps` shows), ends the
 * account's sessions, and is audited.
 */
import type { Logger } from 'pino';
import { AdminError } from '../errors.js';
import { appendAuditEvent, type Store } from '../store/index.js';
import { deleteSessionsOf, getAdminUser, updateAdminUser } from '../store/admin-accounts-repo.js';
import { inTransaction } from '../store/queryable.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password-hash.js';

/** The account the first start creates and the reset changes. */
export const OWNER_USERNAME = 'admin';

/** Logs a warning that AGENTCORE_ADMIN_PASSWORD is ignored because the owner exists; says whether it matches. */
export async function warnIgnoredOwnerPassword(store: Store, password: string, log: Logger): Promise<void> {
  const owner = await getAdminUser(store, OWNER_USERNAME);
  const matches = owner ? await verifyPassword(password, owner.password_hash) : false;
  log.warn(
    { username: OWNER_USERNAME, matches },
    matches
      ? 'AGENTCORE_ADMIN_PASSWORD is set but the owner account already exists: it is ignored (it only sets the first password; it matches the current one)'
      : `AGENTCORE_ADMIN_PASSWORD is set but the owner account already exists: it is ignored and does NOT match the password of "${OWNER_USERNAME}". To change it: AGENTCORE_ADMIN_PASSWORD=… agentcore-admin reset-owner-password --database <same database>`,
  );
}

/** Sets the password of the owner account "admin", ends its sessions, audits it; 400 ADMIN_CONFIG_INVALID when it cannot. */
export async function resetOwnerPassword(store: Store, password: string | undefined, now = Date.now()): Promise<void> {
  if (!password) throw new AdminError('ADMIN_CONFIG_INVALID', 'set the new password in AGENTCORE_ADMIN_PASSWORD');
  if (password.length < MIN_PASSWORD_LENGTH) throw new AdminError('ADMIN_CONFIG_INVALID', `AGENTCORE_ADMIN_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (!(await getAdminUser(store, OWNER_USERNAME))) throw new AdminError('ADMIN_CONFIG_INVALID', `there is no admin account "${OWNER_USERNAME}" in this database (start agentcore-admin once to create it)`);
  const passwordHash = await hashPassword(password);
  await inTransaction(store, async (trx) => {
    await updateAdminUser(trx, OWNER_USERNAME, { passwordHash }, now);
    await deleteSessionsOf(trx, OWNER_USERNAME);
    await appendAuditEvent(trx, { at: now, actor: 'system:cli', action: 'admin-user.reset-password', resourceType: 'admin-user', resourceId: OWNER_USERNAME, after: { passwordChanged: true, sessionsEnded: true }, outcome: 'allowed' });
  });
}

/** `agentcore-admin reset-owner-password [--database …]`: sets the owner's password from AGENTCORE_ADMIN_PASSWORD. */
import { resetOwnerPassword } from './auth/index.js';
import { loadConfig } from './config.js';
import { openStore } from './store/index.js';

/** Runs the reset; resolves with the exit code (messages on stderr, never the password). */
export async function runResetOwnerPassword(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const r = loadConfig(argv, env);
  if (!r.ok) {
    process.stderr.write(r.help ? 'Usage: AGENTCORE_ADMIN_PASSWORD=<new password> agentcore-admin reset-owner-password [--database <url>]\n' : `agentcore-admin: ${r.errors.join('; ')}\n`);
    return r.help ? 0 : 2;
  }
  try {
    const store = await openStore(r.config.database);
    try {
      await resetOwnerPassword(store, env.AGENTCORE_ADMIN_PASSWORD);
    } finally {
      await store.close();
    }
  } catch (e) {
    process.stderr.write(`agentcore-admin reset-owner-password: ${(e as Error).message}\n`);
    return 1;
  }
  process.stderr.write('The password of the owner account "admin" is reset; its sessions are ended. A running agentcore-admin accepts it at once.\n');
  return 0;
}

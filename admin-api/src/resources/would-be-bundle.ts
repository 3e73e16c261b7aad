/**
 * Validate before commit: inside the write's transaction, after the change, each affected service's bundle is
 * compiled with the real compiler; a change after which one would not compile is refused and rolled back
 * (422 ADMIN_REFERENCE_UNKNOWN when it refers to something that does not exist, else 409 ADMIN_WOULD_NOT_COMPILE).
 */
import type { BundleIssue } from '@agentcore/policies';
import type { Kysely } from 'kysely';
import { compileBundle } from '../bundles/compile-bundle.js';
import { AdminError } from '../errors.js';
import type { Database, Store } from '../store/index.js';

/** Issues that mean "names something that does not exist". */
const UNKNOWN_REFERENCE = /^unknown |is not configured in authentication/;

/** The refusal for a change after which `service` would not compile; `deleting` names the object a delete removes (then 409: still needed). */
export function wouldNotCompile(service: string, issues: readonly BundleIssue[], deleting?: string): AdminError {
  const unknown = issues.some((i) => UNKNOWN_REFERENCE.test(i.message));
  const first = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  const fields = issues.map((i) => ({ path: i.path, message: i.message }));
  if (deleting !== undefined) {
    return new AdminError('ADMIN_STILL_REFERENCED', `${deleting} is still needed by the policy of service "${service}": ${first}${more}; nothing was deleted`, { service, fields });
  }
  return new AdminError(
    unknown ? 'ADMIN_REFERENCE_UNKNOWN' : 'ADMIN_WOULD_NOT_COMPILE',
    `after this change the policy of service "${service}" would not compile: ${first}${more}; nothing was stored`,
    { service, fields },
  );
}

/**
 * Locks each service row (PostgreSQL: FOR UPDATE, in name order, so concurrent writes to one service validate one
 * after the other and see each other's result) and compiles its would-be bundle; services the change deleted are skipped.
 */
export async function checkWouldBeBundles(trx: Kysely<Database>, dialect: Store['dialect'], services: readonly string[], now: number, deleting?: string): Promise<void> {
  for (const service of [...new Set(services)].sort()) {
    let lock = trx.selectFrom('services').select('name').where('name', '=', service);
    if (dialect === 'postgres') lock = lock.forUpdate();
    if (!(await lock.executeTakeFirst())) continue;
    const compiled = await compileBundle(trx, service, now);
    if (!compiled.ok) throw wouldNotCompile(service, compiled.issues, deleting);
  }
}

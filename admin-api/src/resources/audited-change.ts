/**
 * Every change to a policy object goes through applyChange: the change and its audit event are
 * written in one transaction, and the publisher hears about each touched service after commit.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/admin-roles.js';
import { AdminError } from '../errors.js';
import { appendAuditEvent, type Database } from '../store/index.js';
import type { ResourceDeps } from './resource-deps.js';
import { checkWouldBeBundles } from './would-be-bundle.js';

/** What one change did, as recorded in the admin audit trail (before/after without secrets or hashes). */
export interface AuditRecord {
  /** `<type>.<verb>`, e.g. `route.update` */
  action: string;
  resourceType: string;
  resourceId: string;
  before: unknown;
  after: unknown;
}

/** The result of a change, its audit record, and the services whose bundles it affects. */
export interface Change<T> {
  result: T;
  audit: AuditRecord;
  services: readonly string[];
  /**
   * A withdrawal only takes credentials away (revoke or delete a key, disable or delete a principal): it is never
   * refused for the state of the rest of the policy — revocation wins (the publisher's fallback enforces it even when
   * the service does not compile). Every other change is validated before commit.
   */
  withdrawal?: boolean;
  /** a delete: what it removes (`JWT issuer idp`), so a refusal says the object is still needed (409) */
  deleting?: string;
}

/**
 * Runs `change` in a transaction with its audit event; unless it is a withdrawal, compiles each affected service's
 * would-be bundle in the same transaction and refuses (rolls back) when one would not compile. Then calls
 * onPolicyChange once per affected service.
 */
export async function applyChange<T>(deps: ResourceDeps, actor: Actor, change: (trx: Kysely<Database>) => Promise<Change<T>>): Promise<T> {
  const done = await deps.store.db.transaction().execute(async (trx) => {
    const c = await change(trx);
    if (!c.withdrawal) await checkWouldBeBundles(trx, deps.store.dialect, c.services, (deps.now ?? Date.now)(), c.deleting);
    await appendAuditEvent(trx, { actor: actor.username, outcome: 'allowed', ...c.audit });
    return c;
  });
  for (const service of new Set(done.services)) deps.onPolicyChange(service, actor);
  return done.result;
}

/** The authenticated admin of a write endpoint (the guard guarantees one for permission-gated endpoints). */
export function actorOf(ctx: { actor: Actor | undefined }): Actor {
  if (!ctx.actor) throw new AdminError('ADMIN_UNAUTHENTICATED', 'log in or send a personal access token');
  return ctx.actor;
}

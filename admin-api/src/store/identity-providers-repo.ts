/**
 * Data access for identity providers: one row per provider, its settings as JSON (no secrets) and
 * its secret as an envelope ciphertext (encrypted by the caller). Versioned for If-Match.
 */
import type { Selectable } from 'kysely';
import { identityDb, type IdentityProvidersTable } from './identity-tables.js';
import { toStoreError, withStoreErrors } from './map-driver-error.js';
import type { Queryable } from './queryable.js';
import { isStoreError, StoreError } from './store-error.js';

export type IdentityProviderRow = Selectable<IdentityProvidersTable>;

/** What a write supplies; `secret` undefined keeps the stored one (on update), null clears it. */
export interface IdentityProviderInput {
  type: IdentityProvidersTable['type'];
  displayName: string;
  enabled: boolean;
  domains: readonly string[];
  config: unknown;
  secret: string | null | undefined;
}

const label = (id: string) => `identity provider "${id}"`;

/** Every provider, by id. */
export const listIdentityProviders = (q: Queryable): Promise<IdentityProviderRow[]> =>
  withStoreErrors('identity providers', () => identityDb(q).selectFrom('identity_providers').selectAll().orderBy('id').execute());

/** One provider; 404 StoreError when absent. */
export async function getIdentityProvider(q: Queryable, id: string): Promise<IdentityProviderRow> {
  const row = await withStoreErrors(label(id), () => identityDb(q).selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst());
  if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `${label(id)} does not exist`);
  return row;
}

/** Inserts a provider at version 1; 409 when the id is taken. */
export async function insertIdentityProvider(q: Queryable, id: string, v: IdentityProviderInput, now: number): Promise<IdentityProviderRow> {
  const row: IdentityProvidersTable = { id, type: v.type, display_name: v.displayName, enabled: v.enabled ? 1 : 0, domains: JSON.stringify(v.domains), config: JSON.stringify(v.config), secret: v.secret ?? null, created_at: now, updated_at: now, version: 1 };
  try {
    await identityDb(q).insertInto('identity_providers').values(row).execute();
  } catch (err) {
    throw toStoreError(err, label(id));
  }
  return row;
}

async function missOrStale(q: Queryable, id: string, expected: number | undefined): Promise<StoreError> {
  const current = await getIdentityProvider(q, id); // throws 404 when gone
  return new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `${label(id)} is at version ${current.version}, not ${expected}`);
}

/** Replaces a provider if its version is `expected` (undefined = unconditional); the type cannot change. */
export async function updateIdentityProvider(q: Queryable, id: string, v: IdentityProviderInput, expected: number | undefined, now: number): Promise<IdentityProviderRow> {
  const row = await withStoreErrors(label(id), () => {
    let u = identityDb(q)
      .updateTable('identity_providers')
      .set((eb) => ({ display_name: v.displayName, enabled: v.enabled ? 1 : 0, domains: JSON.stringify(v.domains), config: JSON.stringify(v.config), ...(v.secret === undefined ? {} : { secret: v.secret }), updated_at: now, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('type', '=', v.type);
    if (expected !== undefined) u = u.where('version', '=', expected);
    return u.returningAll().executeTakeFirst();
  });
  if (row) return row;
  const current = await getIdentityProvider(q, id);
  if (current.type !== v.type) throw new StoreError('ADMIN_POLICY_INVALID', `${label(id)} is of type ${current.type}; its type cannot change`, { issues: [{ path: ['type'], message: `must be "${current.type}"` }] });
  throw await missOrStale(q, id, expected);
}

/** Deletes a provider if its version is `expected` (undefined = unconditional). */
export async function deleteIdentityProvider(q: Queryable, id: string, expected: number | undefined): Promise<void> {
  const r = await withStoreErrors(label(id), () => {
    let d = identityDb(q).deleteFrom('identity_providers').where('id', '=', id);
    if (expected !== undefined) d = d.where('version', '=', expected);
    return d.executeTakeFirst();
  });
  if (Number(r.numDeletedRows) === 0) throw await missOrStale(q, id, expected);
}

/** For `.catch`: a 404 StoreError becomes undefined; any other error (store down) is rethrown. */
export function notFoundAsUndefined(err: unknown): undefined {
  if (isStoreError(err, 'ADMIN_STORE_NOT_FOUND')) return undefined;
  throw err;
}

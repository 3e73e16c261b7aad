/**
 * Principals (users and service accounts) on the store's `principals` table; the API keys of a service belong to them.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { PrincipalsTable } from './database.js';
import type { Queryable } from './queryable.js';
import { StoreError } from './store-error.js';
import { parseDefinition, readJson } from './definition-validation.js';
import { type ListOptions, type Page, offsetCursor, pageLimit, parseSort } from './list-page.js';
import { toStoreError, withStoreErrors } from './map-driver-error.js';
import { dbOf } from './queryable.js';

/** A principal id as API keys and JWT subjects name it (an e-mail address fits). */
export const PrincipalId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@:+-]{0,255}$/, 'must be 1-256 of A-Z a-z 0-9 _ . @ : + -, starting with a letter or digit');

export const NewPrincipal = z.strictObject({
  id: PrincipalId,
  kind: z.enum(['user', 'service-account']),
  displayName: z.string().min(1).max(200),
  roles: z.array(z.string().min(1).max(64)).default([]),
  disabled: z.boolean().default(false),
});
export const PrincipalPatch = z.strictObject({
  displayName: z.string().min(1).max(200).optional(),
  roles: z.array(z.string().min(1).max(64)).optional(),
  disabled: z.boolean().optional(),
});

export interface Principal {
  id: string;
  kind: 'user' | 'service-account';
  displayName: string;
  roles: string[];
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  version: number;
}
export interface PrincipalFilter {
  idPrefix?: string;
  kind?: 'user' | 'service-account';
}
export type PrincipalSortField = 'id' | 'createdAt' | 'updatedAt';
const SORT_COLUMNS = { id: 'id', createdAt: 'created_at', updatedAt: 'updated_at' } as const;

function toPrincipal(r: Selectable<PrincipalsTable>): Principal {
  return {
    id: r.id,
    kind: r.kind,
    displayName: r.display_name,
    roles: readJson<string[]>(r.roles),
    disabled: Number(r.disabled) === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

/** Lists principals, by id unless sorted otherwise. */
export async function listPrincipals(q: Queryable, opts: ListOptions<PrincipalFilter, PrincipalSortField> = {}): Promise<Page<Principal>> {
  const limit = pageLimit(opts.limit);
  const offset = offsetCursor.decode(opts.cursor);
  const { field, direction } = parseSort(opts.sort, ['id', 'createdAt', 'updatedAt'], 'id');
  return withStoreErrors('listing principals', async () => {
    let base = dbOf(q).selectFrom('principals');
    const f = opts.filter ?? {};
    if (f.idPrefix) base = base.where('id', '>=', f.idPrefix).where('id', '<', `${f.idPrefix}\uffff`);
    if (f.kind) base = base.where('kind', '=', f.kind);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy(SORT_COLUMNS[field], direction).orderBy('id').limit(limit + 1).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.slice(0, limit).map(toPrincipal), total: Number(count.n), nextCursor: rows.length > limit ? offsetCursor.encode(offset + limit) : null };
  });
}

/** The principal `id`, or ADMIN_STORE_NOT_FOUND. */
export async function getPrincipal(q: Queryable, id: string): Promise<Principal> {
  const row = await withStoreErrors(`principal "${id}"`, () => dbOf(q).selectFrom('principals').selectAll().where('id', '=', id).executeTakeFirst());
  if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `principal "${id}" does not exist`);
  return toPrincipal(row);
}

/** Creates a principal; a taken id is ADMIN_STORE_CONFLICT. */
export async function createPrincipal(q: Queryable, input: unknown, now = Date.now()): Promise<Principal> {
  const d = parseDefinition(NewPrincipal, input, 'principal');
  const row: PrincipalsTable = { id: d.id, kind: d.kind, display_name: d.displayName, roles: JSON.stringify(d.roles), disabled: d.disabled ? 1 : 0, created_at: now, updated_at: now, version: 1 };
  try {
    await dbOf(q).insertInto('principals').values(row).execute();
  } catch (err) {
    throw toStoreError(err, `principal "${d.id}"`);
  }
  return toPrincipal(row);
}

/** Merges `patch` into the principal if its version is `expectedVersion` (undefined = unconditional). */
export async function updatePrincipal(q: Queryable, id: string, patch: unknown, expectedVersion: number | undefined, now = Date.now()): Promise<Principal> {
  const d = parseDefinition(PrincipalPatch, patch, 'principal patch');
  const set: Partial<PrincipalsTable> = { updated_at: now };
  if (d.displayName !== undefined) set.display_name = d.displayName;
  if (d.roles !== undefined) set.roles = JSON.stringify(d.roles);
  if (d.disabled !== undefined) set.disabled = d.disabled ? 1 : 0;
  const row = await withStoreErrors(`principal "${id}"`, () => {
    let update = dbOf(q)
      .updateTable('principals')
      .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
      .where('id', '=', id);
    if (expectedVersion !== undefined) update = update.where('version', '=', expectedVersion);
    return update.returningAll().executeTakeFirst();
  });
  if (row) return toPrincipal(row);
  throw await missOrStale(q, id, expectedVersion);
}

/** Deletes a principal (its API keys stay; revoke them separately). */
export async function deletePrincipal(q: Queryable, id: string, expectedVersion?: number): Promise<void> {
  const result = await withStoreErrors(`principal "${id}"`, () => {
    let del = dbOf(q).deleteFrom('principals').where('id', '=', id);
    if (expectedVersion !== undefined) del = del.where('version', '=', expectedVersion);
    return del.executeTakeFirst();
  });
  if (Number(result.numDeletedRows) === 0) throw await missOrStale(q, id, expectedVersion);
}

/** The services holding API keys of the principal: the bundles a principal change may affect. */
export async function servicesWithKeysOf(q: Queryable, principal: string): Promise<string[]> {
  const rows = await withStoreErrors(`services of principal "${principal}"`, () =>
    dbOf(q).selectFrom('api_keys').select('service').distinct().where('principal', '=', principal).orderBy('service').execute(),
  );
  return rows.map((r) => r.service);
}

async function missOrStale(q: Queryable, id: string, expectedVersion: number | undefined): Promise<StoreError> {
  const current = await getPrincipal(q, id);
  return new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `principal "${id}" is at version ${current.version}, not ${expectedVersion}`);
}

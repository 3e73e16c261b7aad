/**
 * API keys: a high-entropy secret with a recognisable prefix, shown once at
 * creation and stored only as its SHA-256; roles/scopes, validity window,
 * revocation, rotation with an overlap, last-used time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ApiKey as ApiKeySchema, Identifier } from '@agentcore/policies';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ApiKeysTable } from './database.js';
import { parseDefinition, readJson } from './definition-validation.js';
import { type ListOptions, type Page, offsetCursor, pageLimit, parseSort } from './list-page.js';
import { toStoreError, withStoreErrors } from './map-driver-error.js';
import { dbOf, inTransaction, type Queryable } from './queryable.js';
import { StoreError } from './store-error.js';

/** Every key starts with this, so scanners and people recognise it. */
export const API_KEY_PREFIX = 'ak_';
/** Characters of the key kept for display (`ak_` + 8). */
export const DISPLAY_PREFIX_LENGTH = 11;

/** An API key as stored (never the secret). */
export interface ApiKeyRecord {
  id: string;
  service: string;
  principal: string;
  description: string | null;
  prefix: string;
  sha256: string;
  roles: string[];
  scopes: string[];
  notBefore: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  replacedBy: string | null;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
  version: number;
}

/** What to create: validated by the policies `ApiKey` schema (times as ISO 8601). */
const NewApiKey = z.strictObject({
  id: Identifier.optional(),
  service: z.string().min(1),
  principal: z.string().min(1).max(256),
  description: z.string().max(500).nullable().optional(),
  roles: z.array(z.string().min(1)).default([]),
  scopes: z.array(z.string().min(1)).default([]),
  notBefore: z.iso.datetime({ offset: true }).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

const ApiKeyPatch = z.strictObject({
  description: z.string().max(500).nullable().optional(),
  roles: z.array(z.string().min(1)).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

export interface ApiKeyFilter {
  principal?: string;
  /** true: only revoked; false: only not revoked */
  revoked?: boolean;
}
export type ApiKeySortField = 'createdAt' | 'id' | 'expiresAt';
const SORT_COLUMNS = { createdAt: 'created_at', id: 'id', expiresAt: 'expires_at' } as const;

function toRecord(r: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: r.id,
    service: r.service,
    principal: r.principal,
    description: r.description,
    prefix: r.prefix,
    sha256: r.sha256,
    roles: readJson<string[]>(r.roles),
    scopes: readJson<string[]>(r.scopes),
    notBefore: r.not_before,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    replacedBy: r.replaced_by,
    lastUsedAt: r.last_used_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

/** Hex SHA-256 of a key as the client sends it (what bundles and the store hold). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A fresh key: `ak_` + 32 random bytes in base64url (256 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The bundle entry of a stored key (the policies `ApiKey` shape), or undefined if revoked. */
export function toBundleApiKey(k: ApiKeyRecord): z.output<typeof ApiKeySchema> | undefined {
  if (k.revokedAt !== null) return undefined;
  return parseDefinition(
    ApiKeySchema,
    {
      id: k.id,
      sha256: k.sha256,
      principal: k.principal,
      roles: k.roles,
      scopes: k.scopes,
      ...(k.notBefore !== null ? { notBefore: new Date(k.notBefore).toISOString() } : {}),
      ...(k.expiresAt !== null ? { expiresAt: new Date(k.expiresAt).toISOString() } : {}),
    },
    'API key',
  );
}

/** Creates a key; returns the record and the secret, which is never available again. */
export async function createApiKey(q: Queryable, input: unknown, now = Date.now()): Promise<{ key: ApiKeyRecord; secret: string }> {
  const data = parseDefinition(NewApiKey, input, 'API key');
  const secret = generateApiKey();
  const id = data.id ?? `key-${randomBytes(6).toString('hex')}`;
  // The sidecar's view of the key must be valid too (e.g. expiresAt after notBefore).
  parseDefinition(ApiKeySchema, { id, sha256: hashApiKey(secret), principal: data.principal, roles: data.roles, scopes: data.scopes, notBefore: data.notBefore, expiresAt: data.expiresAt }, 'API key');
  const row: ApiKeysTable = {
    id,
    service: data.service,
    principal: data.principal,
    description: data.description ?? null,
    prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
    sha256: hashApiKey(secret),
    roles: JSON.stringify(data.roles),
    scopes: JSON.stringify(data.scopes),
    not_before: data.notBefore ? Date.parse(data.notBefore) : null,
    expires_at: data.expiresAt ? Date.parse(data.expiresAt) : null,
    revoked_at: null,
    replaced_by: null,
    last_used_at: null,
    created_at: now,
    updated_at: now,
    version: 1,
  };
  try {
    await dbOf(q).insertInto('api_keys').values(row).execute();
  } catch (err) {
    const mapped = toStoreError(err, `API key "${id}"`);
    if (mapped instanceof StoreError && mapped.code === 'ADMIN_STORE_NOT_FOUND') throw new StoreError('ADMIN_STORE_NOT_FOUND', `service "${data.service}" does not exist`, { cause: err });
    throw mapped;
  }
  return { key: toRecord(row), secret };
}

/** The key `id`, or ADMIN_STORE_NOT_FOUND. */
export async function getApiKey(q: Queryable, id: string): Promise<ApiKeyRecord> {
  const row = await withStoreErrors(`API key "${id}"`, () => dbOf(q).selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst());
  if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `API key "${id}" does not exist`);
  return toRecord(row);
}

/** The key whose secret hashes to `sha256`, if any. */
export async function findApiKeyByHash(q: Queryable, sha256: string): Promise<ApiKeyRecord | undefined> {
  const row = await withStoreErrors('API key lookup', () => dbOf(q).selectFrom('api_keys').selectAll().where('sha256', '=', sha256).executeTakeFirst());
  return row ? toRecord(row) : undefined;
}

/** Lists the keys of a service. */
export async function listApiKeys(q: Queryable, service: string, opts: ListOptions<ApiKeyFilter, ApiKeySortField> = {}): Promise<Page<ApiKeyRecord>> {
  const limit = pageLimit(opts.limit);
  const offset = offsetCursor.decode(opts.cursor);
  const { field, direction } = parseSort(opts.sort, ['createdAt', 'id', 'expiresAt'], 'createdAt');
  return withStoreErrors(`API keys of "${service}"`, async () => {
    let base = dbOf(q).selectFrom('api_keys').where('service', '=', service);
    const f = opts.filter ?? {};
    if (f.principal !== undefined) base = base.where('principal', '=', f.principal);
    if (f.revoked === true) base = base.where('revoked_at', 'is not', null);
    if (f.revoked === false) base = base.where('revoked_at', 'is', null);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy(SORT_COLUMNS[field], direction).orderBy('id').limit(limit + 1).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.slice(0, limit).map(toRecord), total: Number(count.n), nextCursor: rows.length > limit ? offsetCursor.encode(offset + limit) : null };
  });
}

async function updateRow(q: Queryable, id: string, set: Partial<ApiKeysTable>, expectedVersion: number | undefined, now: number): Promise<ApiKeyRecord> {
  const db = dbOf(q);
  const row = await withStoreErrors(`API key "${id}"`, () => {
    let update = db
      .updateTable('api_keys')
      .set((eb) => ({ ...set, updated_at: now, version: eb('version', '+', 1) }))
      .where('id', '=', id);
    if (expectedVersion !== undefined) update = update.where('version', '=', expectedVersion);
    return update.returningAll().executeTakeFirst();
  });
  if (row) return toRecord(row);
  const current = await getApiKey(q, id);
  throw new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `API key "${id}" is at version ${current.version}, not ${expectedVersion}`);
}

/** Changes description, roles, scopes or expiry of a key. */
export async function updateApiKey(q: Queryable, id: string, patch: unknown, expectedVersion: number | undefined, now = Date.now()): Promise<ApiKeyRecord> {
  const data = parseDefinition(ApiKeyPatch, patch, 'API key patch');
  const set: Partial<ApiKeysTable> = {};
  if (data.description !== undefined) set.description = data.description;
  if (data.roles !== undefined) set.roles = JSON.stringify(data.roles);
  if (data.scopes !== undefined) set.scopes = JSON.stringify(data.scopes);
  if (data.expiresAt !== undefined) set.expires_at = data.expiresAt === null ? null : Date.parse(data.expiresAt);
  return updateRow(q, id, set, expectedVersion, now);
}

/** Revokes a key now (idempotent: an already revoked key keeps its revocation time). */
export async function revokeApiKey(q: Queryable, id: string, expectedVersion?: number, now = Date.now()): Promise<ApiKeyRecord> {
  const current = await getApiKey(q, id);
  if (current.revokedAt !== null && expectedVersion === undefined) return current;
  return updateRow(q, id, { revoked_at: current.revokedAt ?? now }, expectedVersion, now);
}

/**
 * Rotates a key: creates its successor (same service, principal, roles, scopes)
 * and lets the old one expire after `overlapMs`, so both work meanwhile.
 */
export async function rotateApiKey(q: Queryable, id: string, overlapMs: number, expectedVersion?: number, now = Date.now()): Promise<{ key: ApiKeyRecord; secret: string; previous: ApiKeyRecord }> {
  return inTransaction(q, async (trx) => {
      const old = await getApiKey(trx, id);
      if (old.revokedAt !== null) throw new StoreError('ADMIN_STORE_CONFLICT', `API key "${id}" is revoked and cannot be rotated`);
      const created = await createApiKey(
        trx,
        {
          service: old.service,
          principal: old.principal,
          description: old.description,
          roles: old.roles,
          scopes: old.scopes,
          ...(old.expiresAt !== null && old.expiresAt > now + overlapMs ? { expiresAt: new Date(old.expiresAt).toISOString() } : {}),
        },
        now,
      );
      const overlapEnd = now + Math.max(0, overlapMs);
      const expiresAt = old.expiresAt === null ? overlapEnd : Math.min(old.expiresAt, overlapEnd);
      const previous = await updateRow(trx, id, { replaced_by: created.key.id, expires_at: expiresAt }, expectedVersion, now);
      return { ...created, previous };
    });
}

/** Records last-used times reported by sidecars (only moves forward; version unchanged: not an admin edit). */
/** Records last-used times reported by a sidecar of `service`; keys of other services are left alone. */
export async function recordApiKeyUse(q: Queryable, service: string, uses: readonly { id: string; at: number }[]): Promise<void> {
  if (uses.length === 0) return;
  await withStoreErrors('recording API key use', () =>
    inTransaction(q, async (trx) => {
        for (const u of uses) {
          await trx
            .updateTable('api_keys')
            .set({ last_used_at: u.at })
            .where('id', '=', u.id)
            .where('service', '=', service)
            .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', u.at)]))
            .execute();
        }
      }),
  );
}

/** Deletes a key record (revoking is usually what you want: it keeps the history). */
export async function deleteApiKey(q: Queryable, id: string, expectedVersion?: number): Promise<void> {
  const result = await withStoreErrors(`API key "${id}"`, () => {
    let del = dbOf(q).deleteFrom('api_keys').where('id', '=', id);
    if (expectedVersion !== undefined) del = del.where('version', '=', expectedVersion);
    return del.executeTakeFirst();
  });
  if (Number(result.numDeletedRows) > 0) return;
  const current = await getApiKey(q, id);
  throw new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `API key "${id}" is at version ${current.version}, not ${expectedVersion}`);
}

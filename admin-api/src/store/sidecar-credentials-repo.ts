/**
 * Per-service sidecar credentials: a bearer token with a recognisable prefix, shown once at creation and stored
 * only as its SHA-256; revocable; last-used time kept (coarsely, so a long-polling sidecar does not write per poll).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SidecarCredentialsTable } from './database.js';
import type { Queryable } from './queryable.js';
import { StoreError } from './store-error.js';
import { toStoreError, withStoreErrors } from './map-driver-error.js';
import { dbOf } from './queryable.js';

/** Every sidecar token starts with this, so scanners and people recognise it. */
export const SIDECAR_TOKEN_PREFIX = 'agc_sc_';
/** last_used_at is written at most this often per credential. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** A credential as stored (never the token). */
export interface SidecarCredential {
  id: string;
  service: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const toCredential = (r: SidecarCredentialsTable): SidecarCredential => ({
  id: r.id,
  service: r.service,
  name: r.name,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

/** Hex SHA-256 of a token as the sidecar sends it. */
export function hashSidecarToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a credential for `service`; returns it and the token, which is never available again. */
export async function createSidecarCredential(q: Queryable, service: string, name: string, now = Date.now()): Promise<{ credential: SidecarCredential; token: string }> {
  const token = SIDECAR_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row: SidecarCredentialsTable = { id: `sc-${randomBytes(8).toString('hex')}`, service, name, sha256: hashSidecarToken(token), created_at: now, revoked_at: null, last_used_at: null };
  try {
    await dbOf(q).insertInto('sidecar_credentials').values(row).execute();
  } catch (err) {
    const mapped = toStoreError(err, `sidecar credential of "${service}"`);
    if (mapped instanceof StoreError && mapped.code === 'ADMIN_STORE_NOT_FOUND') throw new StoreError('ADMIN_STORE_NOT_FOUND', `service "${service}" does not exist`, { cause: err });
    throw mapped;
  }
  return { credential: toCredential(row), token };
}

/** The credentials of `service`, newest first (revoked ones included). */
export async function listSidecarCredentials(q: Queryable, service: string): Promise<SidecarCredential[]> {
  const rows = await withStoreErrors(`sidecar credentials of "${service}"`, () =>
    dbOf(q).selectFrom('sidecar_credentials').selectAll().where('service', '=', service).orderBy('created_at', 'desc').orderBy('id').execute(),
  );
  return rows.map(toCredential);
}

/** Revokes credential `id` of `service` (idempotent: keeps the first revocation time); ADMIN_STORE_NOT_FOUND if absent. */
export async function revokeSidecarCredential(q: Queryable, service: string, id: string, now = Date.now()): Promise<SidecarCredential> {
  const db = dbOf(q);
  const row = await withStoreErrors(`sidecar credential "${id}"`, async () => {
    await db.updateTable('sidecar_credentials').set({ revoked_at: now }).where('service', '=', service).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return db.selectFrom('sidecar_credentials').selectAll().where('service', '=', service).where('id', '=', id).executeTakeFirst();
  });
  if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `sidecar credential "${id}" of service "${service}" does not exist`);
  return toCredential(row);
}

/** The unrevoked credential whose token is `token`, touching its last-used time; undefined if none. */
export async function authenticateSidecarToken(q: Queryable, token: string, now = Date.now()): Promise<SidecarCredential | undefined> {
  if (!token.startsWith(SIDECAR_TOKEN_PREFIX) || token.length > 200) return undefined;
  const db = dbOf(q);
  const row = await withStoreErrors('sidecar credential lookup', () =>
    db.selectFrom('sidecar_credentials').selectAll().where('sha256', '=', hashSidecarToken(token)).where('revoked_at', 'is', null).executeTakeFirst(),
  );
  if (!row) return undefined;
  const cred = toCredential(row);
  if (cred.lastUsedAt === null || now - cred.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    await withStoreErrors('sidecar credential use', () => db.updateTable('sidecar_credentials').set({ last_used_at: now }).where('id', '=', cred.id).execute());
    cred.lastUsedAt = now;
  }
  return cred;
}

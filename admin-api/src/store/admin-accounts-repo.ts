/**
 * Data access for admin accounts: admin users, their console sessions and their personal access
 * tokens. Plain async functions over a Queryable (the store or a transaction); secrets arrive here
 * already hashed.
 */
import type { Selectable } from 'kysely';
import type { AdminRole } from '../auth/admin-roles.js';
import type { AdminUsersTable, PersonalAccessTokensTable } from './database.js';
import type { Dialect } from './migrations.js';
import { StoreError } from './store-error.js';
import { withStoreErrors } from './map-driver-error.js';
import { dbOf, type Queryable } from './queryable.js';

export type AdminUserRow = Selectable<AdminUsersTable>;
export type PersonalAccessTokenRow = Selectable<PersonalAccessTokensTable>;

/** The admin user behind a valid credential. */
export interface CredentialOwner {
  username: string;
  role: AdminRole;
}

// ---- admin users -------------------------------------------------------------------------------

export const countAdminUsers = (q: Queryable): Promise<number> =>
  withStoreErrors('counting admin users', async () => {
    const r = await dbOf(q).selectFrom('admin_users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  });

export const getAdminUser = (q: Queryable, username: string): Promise<AdminUserRow | undefined> =>
  withStoreErrors(`admin user "${username}"`, () => dbOf(q).selectFrom('admin_users').selectAll().where('username', '=', username).executeTakeFirst());

export const listAdminUsers = (q: Queryable): Promise<AdminUserRow[]> =>
  withStoreErrors('listing admin users', () => dbOf(q).selectFrom('admin_users').selectAll().orderBy('username').execute());

export const insertAdminUser = (q: Queryable, u: { username: string; passwordHash: string; role: AdminRole }, now: number): Promise<AdminUserRow> =>
  withStoreErrors(`admin user "${u.username}"`, () =>
    dbOf(q)
      .insertInto('admin_users')
      .values({ username: u.username, password_hash: u.passwordHash, role: u.role, disabled: 0, created_at: now, updated_at: now, version: 1 })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );

function lostUpdate(username: string, expected: number): StoreError {
  return new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `admin user "${username}" is no longer at version ${expected}; read it again`);
}

/** Updates an admin user; `expectedVersion` (If-Match) guards against lost updates. */
export async function updateAdminUser(
  q: Queryable,
  username: string,
  patch: { role?: AdminRole; disabled?: boolean; passwordHash?: string },
  now: number,
  expectedVersion?: number,
): Promise<AdminUserRow> {
  const row = await withStoreErrors(`admin user "${username}"`, () => {
    let query = dbOf(q)
      .updateTable('admin_users')
      .set((eb) => ({
        updated_at: now,
        version: eb('version', '+', 1),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? (1 as const) : (0 as const) } : {}),
        ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
      }))
      .where('username', '=', username);
    if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
    return query.returningAll().executeTakeFirst();
  });
  if (row) return row;
  if (expectedVersion !== undefined && (await getAdminUser(q, username))) throw lostUpdate(username, expectedVersion);
  throw new StoreError('ADMIN_STORE_NOT_FOUND', `admin user "${username}" does not exist`);
}

/** Deletes an admin user; its sessions and tokens go with it (foreign keys cascade). */
export async function deleteAdminUser(q: Queryable, username: string, expectedVersion?: number): Promise<void> {
  const r = await withStoreErrors(`admin user "${username}"`, () => {
    let query = dbOf(q).deleteFrom('admin_users').where('username', '=', username);
    if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
    return query.executeTakeFirst();
  });
  if (Number(r.numDeletedRows) > 0) return;
  if (expectedVersion !== undefined && (await getAdminUser(q, username))) throw lostUpdate(username, expectedVersion);
  throw new StoreError('ADMIN_STORE_NOT_FOUND', `admin user "${username}" does not exist`);
}

/**
 * The enabled owners, locked until the end of the transaction on PostgreSQL (SQLite serialises
 * writers anyway), so two concurrent demotions cannot both leave "one other owner".
 */
export const lockEnabledOwners = (q: Queryable, dialect: Dialect): Promise<string[]> =>
  withStoreErrors('reading owners', async () => {
    const rows = await dbOf(q)
      .selectFrom('admin_users')
      .select('username')
      .where('role', '=', 'owner')
      .where('disabled', '=', 0)
      .$if(dialect === 'postgres', (qb) => qb.forUpdate())
      .execute();
    return rows.map((r) => r.username);
  });

// ---- sessions ----------------------------------------------------------------------------------

export const insertSession = (q: Queryable, s: { idHash: string; username: string; csrfHash: string; expiresAt: number }, now: number): Promise<void> =>
  withStoreErrors('session', async () => {
    await dbOf(q)
      .insertInto('admin_sessions')
      .values({ id: s.idHash, username: s.username, csrf_token_hash: s.csrfHash, created_at: now, expires_at: s.expiresAt, last_seen_at: now })
      .execute();
  });

/** The session's enabled owner, CSRF digest and expiry; undefined when unknown, expired or its user is disabled. */
export const findSession = (q: Queryable, idHash: string, now: number): Promise<(CredentialOwner & { csrfHash: string; expiresAt: number; lastSeenAt: number }) | undefined> =>
  withStoreErrors('session', async () => {
    const r = await dbOf(q)
      .selectFrom('admin_sessions as s')
      .innerJoin('admin_users as u', 'u.username', 's.username')
      .select(['u.username', 'u.role', 's.csrf_token_hash', 's.expires_at', 's.last_seen_at'])
      .where('s.id', '=', idHash)
      .where('s.expires_at', '>', now)
      .where('u.disabled', '=', 0)
      .executeTakeFirst();
    return r && { username: r.username, role: r.role, csrfHash: r.csrf_token_hash, expiresAt: Number(r.expires_at), lastSeenAt: Number(r.last_seen_at) };
  });

export const touchSession = (q: Queryable, idHash: string, now: number): Promise<void> =>
  withStoreErrors('session', async () => {
    await dbOf(q).updateTable('admin_sessions').set({ last_seen_at: now }).where('id', '=', idHash).execute();
  });

export const deleteSession = (q: Queryable, idHash: string): Promise<void> =>
  withStoreErrors('session', async () => {
    await dbOf(q).deleteFrom('admin_sessions').where('id', '=', idHash).execute();
  });

export const deleteSessionsOf = (q: Queryable, username: string): Promise<void> =>
  withStoreErrors('sessions', async () => {
    await dbOf(q).deleteFrom('admin_sessions').where('username', '=', username).execute();
  });

export const deleteExpiredSessions = (q: Queryable, now: number): Promise<void> =>
  withStoreErrors('sessions', async () => {
    await dbOf(q).deleteFrom('admin_sessions').where('expires_at', '<=', now).execute();
  });

// ---- personal access tokens ----------------------------------------------------------------------

export const insertToken = (q: Queryable, t: { id: string; username: string; name: string; prefix: string; sha256: string; expiresAt: number | null }, now: number): Promise<PersonalAccessTokenRow> =>
  withStoreErrors('personal access token', () =>
    dbOf(q)
      .insertInto('personal_access_tokens')
      .values({ id: t.id, username: t.username, name: t.name, prefix: t.prefix, sha256: t.sha256, created_at: now, expires_at: t.expiresAt, revoked_at: null, last_used_at: null })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );

/** The token's enabled owner; undefined when unknown, revoked, expired or its user is disabled. */
export const findToken = (q: Queryable, sha256: string, now: number): Promise<(CredentialOwner & { id: string; lastUsedAt: number | null }) | undefined> =>
  withStoreErrors('personal access token', async () => {
    const r = await dbOf(q)
      .selectFrom('personal_access_tokens as t')
      .innerJoin('admin_users as u', 'u.username', 't.username')
      .select(['u.username', 'u.role', 't.id', 't.last_used_at'])
      .where('t.sha256', '=', sha256)
      .where('t.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now)]))
      .where('u.disabled', '=', 0)
      .executeTakeFirst();
    return r && { username: r.username, role: r.role, id: r.id, lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at) };
  });

export const touchToken = (q: Queryable, id: string, now: number): Promise<void> =>
  withStoreErrors('personal access token', async () => {
    await dbOf(q).updateTable('personal_access_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  });

/** A user's tokens that are not revoked (expired ones included, so they can be seen and cleaned up). */
export const listTokensOf = (q: Queryable, username: string): Promise<PersonalAccessTokenRow[]> =>
  withStoreErrors('personal access tokens', () =>
    dbOf(q).selectFrom('personal_access_tokens').selectAll().where('username', '=', username).where('revoked_at', 'is', null).orderBy('created_at').orderBy('id').execute(),
  );

/** Revokes one of the user's tokens; returns the revoked row, or undefined when the user has no such live token. */
export const revokeToken = (q: Queryable, username: string, id: string, now: number): Promise<PersonalAccessTokenRow | undefined> =>
  withStoreErrors('personal access token', () =>
    dbOf(q)
      .updateTable('personal_access_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('username', '=', username)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst(),
  );

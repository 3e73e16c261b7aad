/**
 * OAuth clients: confidential ones hold a high-entropy secret (prefix `ocs_`) shown once and stored as
 * its SHA-256; grants, redirect URIs, scopes (mapped to bundle roles), audiences (services) and token
 * lifetimes live in one JSON `settings` column, validated by the API schema before they get here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { withStoreErrors } from './map-driver-error.js';
import { oauthDb, type OAuthClientsTable } from './oauth-tables.js';
import type { Queryable } from './queryable.js';
import { StoreError } from './store-error.js';

/** Every client secret starts with this. */
export const CLIENT_SECRET_PREFIX = 'ocs_';

/** Grant types a client may be allowed (RFC 6749, RFC 8693). */
export const OAUTH_GRANTS = ['client_credentials', 'authorization_code', 'refresh_token', 'password', 'urn:ietf:params:oauth:grant-type:token-exchange'] as const;
export type OAuthGrant = (typeof OAUTH_GRANTS)[number];

/** What a client may do. */
export interface OAuthClientSettings {
  description: string | null;
  grants: OAuthGrant[];
  redirectUris: string[];
  scopes: string[];
  /** scope → bundle role names the token carries when the scope is granted */
  scopeRoles: Record<string, string[]>;
  /** services (token audiences) the client may get tokens for */
  audiences: string[];
  accessTokenTtlSeconds: number | null;
  refreshTokenTtlSeconds: number | null;
}

/** A client as stored (never the secret; the hash only inside the admin API). */
export interface OAuthClientRecord extends OAuthClientSettings {
  id: string;
  name: string;
  type: 'confidential' | 'public';
  secretSha256: string | null;
  secretPrefix: string | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  version: number;
}

/** SHA-256 (hex) of a client secret. */
export const hashClientSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** A new client secret: 32 random bytes. */
export const generateClientSecret = (): string => CLIENT_SECRET_PREFIX + randomBytes(32).toString('base64url');

function toRecord(r: Selectable<OAuthClientsTable>): OAuthClientRecord {
  const s = JSON.parse(r.settings) as OAuthClientSettings;
  return {
    ...s,
    id: r.id,
    name: r.name,
    type: r.type,
    secretSha256: r.secret_sha256,
    secretPrefix: r.secret_prefix,
    disabled: Number(r.disabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    version: Number(r.version),
  };
}

const settingsOf = (c: OAuthClientSettings): string =>
  JSON.stringify({
    description: c.description,
    grants: c.grants,
    redirectUris: c.redirectUris,
    scopes: c.scopes,
    scopeRoles: c.scopeRoles,
    audiences: c.audiences,
    accessTokenTtlSeconds: c.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: c.refreshTokenTtlSeconds,
  });

/** Inserts a client; a confidential one gets a secret, returned this once. */
export async function createOAuthClient(q: Queryable, c: OAuthClientSettings & { id: string; name: string; type: 'confidential' | 'public' }, now: number): Promise<{ client: OAuthClientRecord; secret: string | undefined }> {
  const secret = c.type === 'confidential' ? generateClientSecret() : undefined;
  const row = await withStoreErrors(`OAuth client "${c.id}"`, () =>
    oauthDb(q)
      .insertInto('oauth_clients')
      .values({
        id: c.id,
        name: c.name,
        type: c.type,
        secret_sha256: secret === undefined ? null : hashClientSecret(secret),
        secret_prefix: secret === undefined ? null : secret.slice(0, 12),
        settings: settingsOf(c),
        disabled: 0,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return { client: toRecord(row), secret };
}

/** One client, or ADMIN_STORE_NOT_FOUND. */
export async function getOAuthClient(q: Queryable, id: string): Promise<OAuthClientRecord> {
  const c = await findOAuthClient(q, id);
  if (!c) throw new StoreError('ADMIN_STORE_NOT_FOUND', `OAuth client "${id}" does not exist`);
  return c;
}

/** One client, or undefined. */
export const findOAuthClient = (q: Queryable, id: string): Promise<OAuthClientRecord | undefined> =>
  withStoreErrors(`OAuth client "${id}"`, async () => {
    const r = await oauthDb(q).selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRecord(r);
  });

/** All clients, by id (the list is small: a client is an application, not a user). */
export const listOAuthClients = (q: Queryable): Promise<OAuthClientRecord[]> =>
  withStoreErrors('OAuth clients', async () => (await oauthDb(q).selectFrom('oauth_clients').selectAll().orderBy('id').execute()).map(toRecord));

/** Replaces settings/name/disabled (and the secret when `secret` is given) if the version matches. */
export async function updateOAuthClient(
  q: Queryable,
  id: string,
  next: OAuthClientSettings & { name: string; disabled: boolean },
  expectedVersion: number | undefined,
  now: number,
  secret?: string,
): Promise<OAuthClientRecord> {
  const row = await withStoreErrors(`OAuth client "${id}"`, () => {
    let u = oauthDb(q)
      .updateTable('oauth_clients')
      .set((eb) => ({
        name: next.name,
        settings: settingsOf(next),
        disabled: next.disabled ? (1 as const) : (0 as const),
        updated_at: now,
        version: eb('version', '+', 1),
        ...(secret === undefined ? {} : { secret_sha256: hashClientSecret(secret), secret_prefix: secret.slice(0, 12) }),
      }))
      .where('id', '=', id);
    if (expectedVersion !== undefined) u = u.where('version', '=', expectedVersion);
    return u.returningAll().executeTakeFirst();
  });
  if (row) return toRecord(row);
  const current = await getOAuthClient(q, id);
  throw new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `OAuth client "${id}" is at version ${current.version}, not ${expectedVersion}`);
}

/** Deletes a client (its issued tokens stay until they expire; revoke them first if needed). */
export async function deleteOAuthClient(q: Queryable, id: string, expectedVersion: number | undefined): Promise<void> {
  const r = await withStoreErrors(`OAuth client "${id}"`, () => {
    let d = oauthDb(q).deleteFrom('oauth_clients').where('id', '=', id);
    if (expectedVersion !== undefined) d = d.where('version', '=', expectedVersion);
    return d.executeTakeFirst();
  });
  if (Number(r.numDeletedRows) > 0) return;
  const current = await getOAuthClient(q, id);
  throw new StoreError('ADMIN_STORE_PRECONDITION_FAILED', `OAuth client "${id}" is at version ${current.version}, not ${expectedVersion}`);
}

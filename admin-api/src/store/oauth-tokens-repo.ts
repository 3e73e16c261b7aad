/**
 * Tokens the authorization server issued: access tokens by `jti` (for revocation and introspection)
 * and refresh tokens by the SHA-256 of the opaque value, grouped in families (one per grant) so reuse
 * of a rotated refresh token or a second use of a code revokes everything the grant produced.
 */
import type { Selectable } from 'kysely';
import { withStoreErrors } from './map-driver-error.js';
import { oauthDb, type OAuthCodesTable, type OAuthTokensTable } from './oauth-tables.js';
import type { Queryable } from './queryable.js';

export type OAuthTokenRow = Selectable<OAuthTokensTable>;
export type OAuthCodeRow = Selectable<OAuthCodesTable>;

/** Records an issued token. */
export const insertOAuthToken = (q: Queryable, t: OAuthTokensTable): Promise<void> =>
  withStoreErrors('OAuth token', async () => {
    await oauthDb(q).insertInto('oauth_tokens').values(t).execute();
  });

/** A token by jti. */
export const findOAuthToken = (q: Queryable, jti: string): Promise<OAuthTokenRow | undefined> =>
  withStoreErrors('OAuth token', () => oauthDb(q).selectFrom('oauth_tokens').selectAll().where('jti', '=', jti).executeTakeFirst());

/** A refresh token by the SHA-256 of its value. */
export const findRefreshToken = (q: Queryable, sha256: string): Promise<OAuthTokenRow | undefined> =>
  withStoreErrors('OAuth refresh token', () => oauthDb(q).selectFrom('oauth_tokens').selectAll().where('token_sha256', '=', sha256).executeTakeFirst());

/** Marks a live refresh token as rotated; false when it already was (or was revoked): a concurrent or replayed use. */
export const markRefreshRotated = (q: Queryable, jti: string, now: number): Promise<boolean> =>
  withStoreErrors('OAuth refresh token', async () => {
    const r = await oauthDb(q).updateTable('oauth_tokens').set({ rotated_at: now }).where('jti', '=', jti).where('rotated_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  });

/** Revokes one token; returns it when this call revoked it. */
export const revokeOAuthToken = (q: Queryable, jti: string, now: number): Promise<OAuthTokenRow | undefined> =>
  withStoreErrors('OAuth token', () => oauthDb(q).updateTable('oauth_tokens').set({ revoked_at: now }).where('jti', '=', jti).where('revoked_at', 'is', null).returningAll().executeTakeFirst());

/** Revokes every live token of a family; returns the audiences (services) whose bundles must change. */
export const revokeOAuthFamily = (q: Queryable, familyId: string, now: number): Promise<string[]> =>
  withStoreErrors('OAuth token family', async () => {
    const rows = await oauthDb(q)
      .updateTable('oauth_tokens')
      .set({ revoked_at: now })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['audience', 'kind'])
      .execute();
    return [...new Set(rows.filter((r) => r.kind === 'access').map((r) => r.audience))];
  });

/** The revoked, unexpired access tokens for `service`: what its bundle lists (exp in epoch seconds). */
export const revokedAccessTokens = (q: Queryable, service: string, now: number): Promise<{ jti: string; exp: number }[]> =>
  withStoreErrors('revoked OAuth tokens', async () => {
    const rows = await oauthDb(q)
      .selectFrom('oauth_tokens')
      .select(['jti', 'expires_at'])
      .where('audience', '=', service)
      .where('revoked_at', 'is not', null)
      .where('expires_at', '>', now)
      .where('kind', '=', 'access')
      .orderBy('jti')
      .execute();
    return rows.map((r) => ({ jti: r.jti, exp: Math.ceil(Number(r.expires_at) / 1000) }));
  });

/** Deletes tokens and codes that expired before `before` (housekeeping). */
export const deleteExpiredOAuthRows = (q: Queryable, before: number): Promise<void> =>
  withStoreErrors('expired OAuth tokens', async () => {
    await oauthDb(q).deleteFrom('oauth_tokens').where('expires_at', '<', before).execute();
    await oauthDb(q).deleteFrom('oauth_codes').where('expires_at', '<', before).execute();
  });

/** Stores an authorization code (by its SHA-256). */
export const insertOAuthCode = (q: Queryable, c: OAuthCodesTable): Promise<void> =>
  withStoreErrors('authorization code', async () => {
    await oauthDb(q).insertInto('oauth_codes').values(c).execute();
  });

/** A code by hash. */
export const findOAuthCode = (q: Queryable, sha256: string): Promise<OAuthCodeRow | undefined> =>
  withStoreErrors('authorization code', () => oauthDb(q).selectFrom('oauth_codes').selectAll().where('code_sha256', '=', sha256).executeTakeFirst());

/** Marks a code used; false when it already was (the second use). */
export const markOAuthCodeUsed = (q: Queryable, sha256: string, now: number): Promise<boolean> =>
  withStoreErrors('authorization code', async () => {
    const r = await oauthDb(q).updateTable('oauth_codes').set({ used_at: now }).where('code_sha256', '=', sha256).where('used_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  });

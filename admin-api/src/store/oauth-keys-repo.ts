/**
 * Signing keys of the access and ID tokens (ES256, by `kid`). A key is published (JWKS, bundles) from
 * creation, signs from `activates_at`, and stays published until `expires_at`, set when a successor is
 * created to the successor's activation plus the longest token lifetime.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Selectable } from 'kysely';
import { withStoreErrors } from './map-driver-error.js';
import { oauthDb, type OAuthSigningKeysTable } from './oauth-tables.js';
import { inTransaction, type Queryable } from './queryable.js';

export type OAuthSigningKeyRow = Selectable<OAuthSigningKeysTable>;

/** The keys published at `now` (JWKS and bundles), oldest first. */
export const publishedOAuthKeys = (q: Queryable, now: number): Promise<OAuthSigningKeyRow[]> =>
  withStoreErrors('OAuth signing keys', () =>
    oauthDb(q)
      .selectFrom('oauth_signing_keys')
      .selectAll()
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('activates_at')
      .orderBy('kid')
      .execute(),
  );

/** The public JWKs of the published keys. */
export async function publishedOAuthJwks(q: Queryable, now: number): Promise<JWK[]> {
  return (await publishedOAuthKeys(q, now)).map((k) => JSON.parse(k.public_jwk) as JWK);
}

/**
 * Creates a key that signs from `now + publishDelayMs`; every other published key stops being published
 * at that activation + `retainMs` (the longest token lifetime), so tokens it signed still verify.
 */
export async function createOAuthSigningKey(q: Queryable, now: number, publishDelayMs: number, retainMs: number): Promise<OAuthSigningKeyRow> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `oauth-${randomUUID()}`;
  const row: OAuthSigningKeysTable = {
    kid,
    alg: 'ES256',
    public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }),
    private_jwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }),
    created_at: now,
    activates_at: now + publishDelayMs,
    expires_at: null,
  };
  await withStoreErrors('OAuth signing key', () =>
    inTransaction(q, async (trx) => {
      await oauthDb(trx)
        .updateTable('oauth_signing_keys')
        .set({ expires_at: row.activates_at + retainMs })
        .where('expires_at', 'is', null)
        .execute();
      await oauthDb(trx).insertInto('oauth_signing_keys').values(row).execute();
    }),
  );
  return row;
}

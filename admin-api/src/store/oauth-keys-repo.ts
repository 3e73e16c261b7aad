/**
 * Signing keys of the access and ID tokens (ES256, by `kid`). A key is published (JWKS, bundles) from
 * creation, signs from `activates_at`, and stays published until `expires_at`, set when a successor is
 * created to the successor's activation plus the longest token lifetime. `private_jwk` is encrypted at rest
 * (context `oauth-signing-key/<kid>`) when a key ring is configured; clear rows are encrypted at start-up
 * (secrets/stored-secrets.ts SECRET_COLUMNS).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Selectable } from 'kysely';
import { AdminError } from '../errors.js';
import { decryptSecret, encryptSecret, isEncrypted, type KeyRing } from '../secrets/envelope.js';
import { withStoreErrors } from './map-driver-error.js';
import { oauthDb, type OAuthSigningKeysTable } from './oauth-tables.js';
import { inTransaction, type Queryable } from './queryable.js';

export type OAuthSigningKeyRow = Selectable<OAuthSigningKeysTable>;

/** The encryption context of an OAuth signing key's private JWK: a ciphertext copied to another row does not open. */
export const oauthSigningKeySecretContext = (kid: string): string => `oauth-signing-key/${kid}`;

/** The private JWK (JSON) of a row, decrypted when stored encrypted. */
export function oauthPrivateJwkOf(row: Pick<OAuthSigningKeyRow, 'kid' | 'private_jwk'>, ring: KeyRing | undefined): string {
  if (!isEncrypted(row.private_jwk)) return row.private_jwk;
  if (!ring) throw new AdminError('ADMIN_SECRET_KEY_MISSING', `the private key of OAuth signing key ${row.kid} is encrypted and no AGENTCORE_SECRET_KEY is configured`);
  return decryptSecret(ring, row.private_jwk, oauthSigningKeySecretContext(row.kid));
}

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
 * With a key ring the private JWK is stored encrypted.
 */
export async function createOAuthSigningKey(q: Queryable, now: number, publishDelayMs: number, retainMs: number, ring?: KeyRing): Promise<OAuthSigningKeyRow> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `oauth-${randomUUID()}`;
  const sealed = (clear: string): string => (ring ? encryptSecret(ring, clear, oauthSigningKeySecretContext(kid)) : clear);
  const row: OAuthSigningKeysTable = {
    kid,
    alg: 'ES256',
    public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }),
    private_jwk: sealed(JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' })),
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

/**
 * Bundle-signing keys in the store (table `signing_keys`): one active key signs, retired keys stay
 * published in the JWKS so sidecars can still verify (and restart from cached) bundles they signed.
 * `private_jwk` is encrypted at rest (secrets/envelope.ts, context `signing-key/<kid>`) when a key ring is
 * configured (AGENTCORE_SECRET_KEY); rows written in clear before are encrypted at start-up (secrets/open-secrets.ts).
 */
import type { JWK } from 'jose';
import { decryptSecret, encryptSecret, isEncrypted, type KeyRing } from '../secrets/envelope.js';
import { AdminError } from '../errors.js';
import type { SigningKeysTable } from './database.js';
import type { Queryable } from './queryable.js';
import { dbOf, inTransaction } from './queryable.js';
import { generateSigningKey, type BundleSigningAlg, type SigningKey } from '@agentcore/policies';

/** The encryption context of a signing key's private JWK: a ciphertext copied to another row does not open. */
export const signingKeySecretContext = (kid: string): string => `signing-key/${kid}`;

function privateJwkOf(row: SigningKeysTable, ring: KeyRing | undefined): string {
  if (!isEncrypted(row.private_jwk)) return row.private_jwk;
  if (!ring) throw new AdminError('ADMIN_SECRET_KEY_MISSING', `the private key of signing key ${row.kid} is encrypted and no AGENTCORE_SECRET_KEY is configured`);
  return decryptSecret(ring, row.private_jwk, signingKeySecretContext(row.kid));
}

function toKey(row: SigningKeysTable, ring: KeyRing | undefined): SigningKey {
  return {
    kid: row.kid,
    alg: row.alg as BundleSigningAlg,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
    privateJwk: JSON.parse(privateJwkOf(row, ring)) as JWK,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    ...(row.retired_at !== null ? { retiredAt: new Date(Number(row.retired_at)).toISOString() } : {}),
  };
}

function toRow(key: SigningKey, ring: KeyRing | undefined): SigningKeysTable {
  const clear = JSON.stringify(key.privateJwk);
  return {
    kid: key.kid,
    alg: key.alg,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk: ring ? encryptSecret(ring, clear, signingKeySecretContext(key.kid)) : clear,
    created_at: Date.parse(key.createdAt),
    retired_at: key.retiredAt === undefined ? null : Date.parse(key.retiredAt),
  };
}

/** Every stored key, newest first (active and retired). */
export async function listSigningKeys(q: Queryable, ring: KeyRing | undefined): Promise<SigningKey[]> {
  const rows = await dbOf(q).selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();
  return rows.map((r) => toKey(r, ring));
}

/** The key that signs now: the newest not retired (two replicas racing at first start may both create one). */
export async function activeSigningKey(q: Queryable, ring: KeyRing | undefined): Promise<SigningKey | undefined> {
  const row = await dbOf(q)
    .selectFrom('signing_keys')
    .selectAll()
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .limit(1)
    .executeTakeFirst();
  return row ? toKey(row, ring) : undefined;
}

/** Returns the active key, generating and storing one (default ES256) when there is none (first start). */
export async function ensureSigningKey(q: Queryable, ring: KeyRing | undefined, alg: BundleSigningAlg = 'ES256'): Promise<SigningKey> {
  const current = await activeSigningKey(q, ring);
  if (current) return current;
  const key = await generateSigningKey(alg);
  await dbOf(q).insertInto('signing_keys').values(toRow(key, ring)).execute();
  return key;
}

/** Makes a new active key and retires every other one (they stay published). */
export async function rotateSigningKey(q: Queryable, ring: KeyRing | undefined, alg: BundleSigningAlg = 'ES256', now: Date = new Date()): Promise<{ key: SigningKey; retired: string[] }> {
  const key = await generateSigningKey(alg, now);
  return inTransaction(q, async (trx) => {
    const active = await trx.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).execute();
    if (active.length > 0) await trx.updateTable('signing_keys').set({ retired_at: now.getTime() }).where('retired_at', 'is', null).execute();
    await trx.insertInto('signing_keys').values(toRow(key, ring)).execute();
    return { key, retired: active.map((r) => r.kid) };
  });
}

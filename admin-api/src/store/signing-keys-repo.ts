/**
 * Bundle-signing keys in the store (table `signing_keys`): one active key signs, retired keys stay
 * published in the JWKS so sidecars can still verify (and restart from cached) bundles they signed.
 */
import type { JWK } from 'jose';
import type { SigningKeysTable } from './database.js';
import type { Queryable } from './queryable.js';
import { dbOf, inTransaction } from './queryable.js';
import { generateSigningKey, type BundleSigningAlg, type SigningKey } from '@agentcore/policies';

function toKey(row: SigningKeysTable): SigningKey {
  return {
    kid: row.kid,
    alg: row.alg as BundleSigningAlg,
    publicJwk: JSON.parse(row.public_jwk) as JWK,
    privateJwk: JSON.parse(row.private_jwk) as JWK,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    ...(row.retired_at !== null ? { retiredAt: new Date(Number(row.retired_at)).toISOString() } : {}),
  };
}

function toRow(key: SigningKey): SigningKeysTable {
  return {
    kid: key.kid,
    alg: key.alg,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk: JSON.stringify(key.privateJwk),
    created_at: Date.parse(key.createdAt),
    retired_at: key.retiredAt === undefined ? null : Date.parse(key.retiredAt),
  };
}

/** Every stored key, newest first (active and retired). */
export async function listSigningKeys(q: Queryable): Promise<SigningKey[]> {
  const rows = await dbOf(q).selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();
  return rows.map(toKey);
}

/** The key that signs now: the newest not retired (two replicas racing at first start may both create one). */
export async function activeSigningKey(q: Queryable): Promise<SigningKey | undefined> {
  const row = await dbOf(q)
    .selectFrom('signing_keys')
    .selectAll()
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .limit(1)
    .executeTakeFirst();
  return row ? toKey(row) : undefined;
}

/** Returns the active key, generating and storing one (default ES256) when there is none (first start). */
export async function ensureSigningKey(q: Queryable, alg: BundleSigningAlg = 'ES256'): Promise<SigningKey> {
  const current = await activeSigningKey(q);
  if (current) return current;
  const key = await generateSigningKey(alg);
  await dbOf(q).insertInto('signing_keys').values(toRow(key)).execute();
  return key;
}

/** Makes a new active key and retires every other one (they stay published). */
export async function rotateSigningKey(q: Queryable, alg: BundleSigningAlg = 'ES256', now: Date = new Date()): Promise<{ key: SigningKey; retired: string[] }> {
  const key = await generateSigningKey(alg, now);
  return inTransaction(q, async (trx) => {
    const active = await trx.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).execute();
    if (active.length > 0) await trx.updateTable('signing_keys').set({ retired_at: now.getTime() }).where('retired_at', 'is', null).execute();
    await trx.insertInto('signing_keys').values(toRow(key)).execute();
    return { key, retired: active.map((r) => r.kid) };
  });
}

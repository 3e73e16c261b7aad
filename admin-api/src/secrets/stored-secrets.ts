/**
 * The encrypted columns of the store, checked at start-up and re-encrypted on key rotation.
 * Today: identity_providers.secret, signing_keys.private_jwk and oauth_signing_keys.private_jwk. Other owners add their column to SECRET_COLUMNS
 * (see docs/identity.md). Values not yet encrypted (signing keys written before a key was configured) are
 * encrypted by encryptClearSecrets at start-up.
 */
import { sql } from 'kysely';
import type { Queryable } from '../store/queryable.js';
import { identityDb } from '../store/identity-tables.js';
import { signingKeySecretContext } from '../store/signing-keys-repo.js';
import { oauthSigningKeySecretContext } from '../store/oauth-keys-repo.js';
import { decryptSecret, encryptSecret, keyIdOf, reencryptIfStale, type KeyRing } from './envelope.js';

/** An encrypted text column: its table, key column and the encryption context of one row. */
export interface SecretColumn {
  table: string;
  idColumn: string;
  column: string;
  context(id: string): string;
}

/** The encryption context of an identity provider's secret. */
export const providerSecretContext = (id: string): string => `identity-provider/${id}`;

/** Every encrypted column of the store. */
export const SECRET_COLUMNS: readonly SecretColumn[] = [
  { table: 'identity_providers', idColumn: 'id', column: 'secret', context: providerSecretContext },
  { table: 'signing_keys', idColumn: 'kid', column: 'private_jwk', context: signingKeySecretContext },
  { table: 'oauth_signing_keys', idColumn: 'kid', column: 'private_jwk', context: oauthSigningKeySecretContext },
];

const ENCRYPTED_LIKE = 'agcenc:%';

/** The encrypted values of a column (`encrypted` true) or the ones still in clear (false). */
async function rowsOf(q: Queryable, c: SecretColumn, encrypted = true): Promise<{ id: string; value: string }[]> {
  const like = encrypted ? sql`like` : sql`not like`;
  const r = await sql<{ id: string; value: string }>`select ${sql.ref(c.idColumn)} as id, ${sql.ref(c.column)} as value from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null and ${sql.ref(c.column)} ${like} ${ENCRYPTED_LIKE}`.execute(identityDb(q));
  return r.rows;
}

/** Encrypts the values still in clear (e.g. signing keys stored before a key was configured); returns how many. */
export async function encryptClearSecrets(q: Queryable, ring: KeyRing, columns: readonly SecretColumn[] = SECRET_COLUMNS): Promise<number> {
  let changed = 0;
  for (const c of columns) {
    for (const r of await rowsOf(q, c, false)) {
      const next = encryptSecret(ring, r.value, c.context(r.id));
      const res = await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${next} where ${sql.ref(c.idColumn)} = ${r.id} and ${sql.ref(c.column)} = ${r.value}`.execute(identityDb(q));
      changed += Number(res.numAffectedRows ?? 0);
    }
  }
  return changed;
}

/** How many values of the columns are still in clear. */
export async function countClearSecrets(q: Queryable, columns: readonly SecretColumn[] = SECRET_COLUMNS): Promise<number> {
  let n = 0;
  for (const c of columns) n += (await rowsOf(q, c, false)).length;
  return n;
}

/**
 * Start-up check: when encrypted secrets exist, a key must be configured and must open them all.
 * Throws an Error whose message says what to set; never prints a secret.
 */
export async function assertSecretsReadable(q: Queryable, ring: KeyRing | undefined, columns: readonly SecretColumn[] = SECRET_COLUMNS): Promise<void> {
  for (const c of columns) {
    const rows = await rowsOf(q, c);
    if (rows.length === 0) continue;
    if (!ring) {
      throw new Error(
        `the database holds ${rows.length} encrypted secret(s) in ${c.table}.${c.column} but no secret key is configured: ` +
          'set AGENTCORE_SECRET_KEY (base64 of 32 bytes) or AGENTCORE_SECRET_KEY_FILE to the key they were written with',
      );
    }
    for (const r of rows) decryptSecret(ring, r.value, c.context(r.id)); // throws SecretDecryptionError naming the key id
  }
}

/** Re-encrypts every secret not under the current key; returns how many rows changed. One transaction per row. */
export async function rotateSecrets(q: Queryable, ring: KeyRing, columns: readonly SecretColumn[] = SECRET_COLUMNS): Promise<number> {
  let changed = 0;
  for (const c of columns) {
    for (const r of await rowsOf(q, c)) {
      const next = reencryptIfStale(ring, r.value, c.context(r.id));
      if (next === undefined) continue;
      // Compare-and-set on the old ciphertext: a concurrent rotation or edit wins, nothing is lost.
      const res = await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${next} where ${sql.ref(c.idColumn)} = ${r.id} and ${sql.ref(c.column)} = ${r.value}`.execute(identityDb(q));
      changed += Number(res.numAffectedRows ?? 0);
    }
  }
  return changed;
}

/** The key ids in use per column (for `rotate` reports and docs). */
export async function keyIdsInUse(q: Queryable, columns: readonly SecretColumn[] = SECRET_COLUMNS): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of columns) for (const r of await rowsOf(q, c)) out[keyIdOf(r.value)] = (out[keyIdOf(r.value)] ?? 0) + 1;
  return out;
}

// Start-up check and rotation over a real store (SQLite in memory and PostgreSQL).
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../store/test-databases.js';
import { getIdentityProvider, insertIdentityProvider } from '../store/identity-providers-repo.js';
import { decryptSecret, encryptSecret, masterKeyFrom, type KeyRing } from './envelope.js';
import { assertSecretsReadable, keyIdsInUse, providerSecretContext, rotateSecrets } from './stored-secrets.js';

const ring = (): KeyRing => ({ current: masterKeyFrom(randomBytes(32)), previous: [] });
let store: Store | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await store?.close();
  await database?.drop();
  store = undefined;
  database = undefined;
});

async function seeded(r: KeyRing, dialect: 'sqlite' | 'postgres' = 'sqlite'): Promise<Store> {
  database = await createTestDatabase(dialect);
  store = await openStore(database.url);
  for (const id of ['corp', 'okta']) {
    await insertIdentityProvider(store, id, { type: 'ldap', displayName: id, enabled: true, domains: [], config: {}, secret: encryptSecret(r, `pw-${id}`, providerSecretContext(id)) }, Date.now());
  }
  return store;
}

describe('secrets at rest in the store', () => {
  it('an empty store starts without a key', async () => {
    store = await openStore('sqlite::memory:');
    await expect(assertSecretsReadable(store, undefined)).resolves.toBeUndefined();
  });

  it('encrypted data without a key stops start-up with a clear message; a wrong key names the missing key id', async () => {
    const r = ring();
    const s = await seeded(r);
    await expect(assertSecretsReadable(s, undefined)).rejects.toThrow(/2 encrypted secret\(s\) in identity_providers.secret but no secret key is configured: set AGENTCORE_SECRET_KEY/);
    await expect(assertSecretsReadable(s, ring())).rejects.toThrow(new RegExp(`key ${r.current.id}, which is not configured`));
    await expect(assertSecretsReadable(s, r)).resolves.toBeUndefined();
  });

  it.each(DIALECTS)('rotation re-encrypts every row under the new key, after which the old key is not needed (%s)', async (dialect) => {
    const old = ring();
    const s = await seeded(old, dialect);
    const next: KeyRing = { current: masterKeyFrom(randomBytes(32)), previous: [old.current] };
    expect(await rotateSecrets(s, next)).toBe(2);
    expect(await rotateSecrets(s, next)).toBe(0);
    expect(await keyIdsInUse(s)).toEqual({ [next.current.id]: 2 });
    const onlyNew: KeyRing = { current: next.current, previous: [] };
    await expect(assertSecretsReadable(s, onlyNew)).resolves.toBeUndefined();
    const row = await getIdentityProvider(s, 'okta');
    expect(decryptSecret(onlyNew, row.secret ?? '', providerSecretContext('okta'))).toBe('pw-okta');
    // a ciphertext moved to another row does not open there
    expect(() => decryptSecret(onlyNew, row.secret ?? '', providerSecretContext('corp'))).toThrow(/another object/);
  }, 30_000);
});

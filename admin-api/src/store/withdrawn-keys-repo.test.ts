// Recently revoked or expired keys stay in the bundle as refusals with a reason; older ones leave it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../bundles/compile-bundle.js';
import { createApiKey, createService, revokeApiKey, type Store } from './index.js';
import { createTestDatabase, type TestDatabase } from './test-databases.js';
import { openStore } from './open-store.js';
import { readRecentlyWithdrawnKeys, WITHDRAWN_KEY_MEMORY_DAYS } from './withdrawn-keys-repo.js';

const DAY = 86_400_000;
let db: TestDatabase;
let store: Store;

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  store = await openStore(db.url);
  await createService(store, { name: 'orders' });
});
afterAll(async () => {
  await store.close();
  await db.drop();
});

describe('withdrawn keys in the bundle', () => {
  it('keeps a recently revoked key (no roles, disabled, revokedAt) and a recently expired one; forgets older ones', async () => {
    const now = Date.now();
    const active = await createApiKey(store, { service: 'orders', principal: 'bob' });
    const revoked = await createApiKey(store, { service: 'orders', principal: 'bob' });
    const oldRevoked = await createApiKey(store, { service: 'orders', principal: 'bob' });
    const expired = await createApiKey(store, { service: 'orders', principal: 'bob' });
    const oldExpired = await createApiKey(store, { service: 'orders', principal: 'bob' });
    await revokeApiKey(store, revoked.key.id, undefined, now - DAY);
    await revokeApiKey(store, oldRevoked.key.id, undefined, now - (WITHDRAWN_KEY_MEMORY_DAYS + 1) * DAY);
    await store.db.updateTable('api_keys').set({ expires_at: now - DAY }).where('id', '=', expired.key.id).execute();
    await store.db.updateTable('api_keys').set({ expires_at: now - (WITHDRAWN_KEY_MEMORY_DAYS + 1) * DAY }).where('id', '=', oldExpired.key.id).execute();

    const withdrawn = await readRecentlyWithdrawnKeys(store, 'orders', now);
    expect(withdrawn.map((k) => k.id).sort()).toEqual([revoked.key.id, expired.key.id].sort());
    expect(withdrawn.find((k) => k.id === revoked.key.id)).toMatchObject({ disabled: true, roles: [], scopes: [], revokedAt: new Date(now - DAY).toISOString() });
    expect(withdrawn.find((k) => k.id === expired.key.id)).toMatchObject({ disabled: false, roles: [], expiresAt: new Date(now - DAY).toISOString() });

    const compiled = await compileBundle(store, 'orders', now);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
    expect(compiled.bundle.authentication.apiKeys.map((k) => k.id).sort()).toEqual([active.key.id, revoked.key.id, expired.key.id].sort());
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoreError, openStore, type Store } from './index.js';
import { inTransaction } from './queryable.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from './test-databases.js';
import {
  countAdminUsers,
  deleteAdminUser,
  findSession,
  findToken,
  insertAdminUser,
  insertSession,
  insertToken,
  listTokensOf,
  lockEnabledOwners,
  revokeToken,
  updateAdminUser,
} from './admin-accounts-repo.js';

describe.each(DIALECTS)('admin accounts on %s', (dialect) => {
  let db: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore(db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('resolves sessions and tokens only for enabled users, live credentials, and cascades deletes', async () => {
    const now = 1_700_000_000_000;
    await insertAdminUser(store, { username: 'root', passwordHash: 'scrypt$x', role: 'owner' }, now);
    await insertAdminUser(store, { username: 'ops', passwordHash: 'scrypt$y', role: 'platform-engineer' }, now);
    expect(await countAdminUsers(store)).toBe(2);
    await insertSession(store, { idHash: 's1', username: 'ops', csrfHash: 'c1', expiresAt: now + 1000 }, now);
    await insertToken(store, { id: 'pat_1', username: 'ops', name: 'ci', prefix: 'agc_pat_abcd', sha256: 't1', expiresAt: null }, now);

    expect(await findSession(store, 's1', now)).toEqual({ username: 'ops', role: 'platform-engineer', csrfHash: 'c1', expiresAt: now + 1000, lastSeenAt: now });
    expect(await findSession(store, 's1', now + 1000)).toBeUndefined(); // expired
    expect(await findToken(store, 't1', now)).toMatchObject({ username: 'ops', id: 'pat_1', lastUsedAt: null });

    const disabled = await updateAdminUser(store, 'ops', { disabled: true }, now + 1, 1);
    expect(disabled).toMatchObject({ disabled: 1, version: 2 });
    expect(await findSession(store, 's1', now)).toBeUndefined();
    expect(await findToken(store, 't1', now)).toBeUndefined();
    await expect(updateAdminUser(store, 'ops', { disabled: false }, now + 2, 1)).rejects.toSatisfy((e) => isStoreError(e, 'ADMIN_STORE_PRECONDITION_FAILED'));
    await updateAdminUser(store, 'ops', { disabled: false }, now + 2, 2);

    expect(await revokeToken(store, 'root', 'pat_1', now)).toBeUndefined(); // not root's
    expect(await revokeToken(store, 'ops', 'pat_1', now)).toMatchObject({ id: 'pat_1', revoked_at: now });
    expect(await findToken(store, 't1', now)).toBeUndefined();
    expect(await listTokensOf(store, 'ops')).toEqual([]);

    expect(await inTransaction(store, (trx) => lockEnabledOwners(trx, dialect))).toEqual(['root']);
    await deleteAdminUser(store, 'ops');
    expect(await store.db.selectFrom('admin_sessions').selectAll().execute()).toEqual([]);
    expect(await store.db.selectFrom('personal_access_tokens').selectAll().execute()).toEqual([]);
    await expect(deleteAdminUser(store, 'ops')).rejects.toSatisfy((e) => isStoreError(e, 'ADMIN_STORE_NOT_FOUND'));
  });
});

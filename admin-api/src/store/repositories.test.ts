import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, findApiKeyByHash, getApiKey, hashApiKey, listApiKeys, recordApiKeyUse, revokeApiKey, rotateApiKey, toBundleApiKey } from './api-keys-repo.js';
import { appendAuditEvent, listAuditEvents } from './audit-repo.js';
import { getLatestRevision, listRevisions, publishRevision } from './bundle-revisions-repo.js';
import { openStore, type Store } from './open-store.js';
import { rolesRepo, routesRepo, upstreamsRepo } from './routes-repo.js';
import { createService, deleteService, getService, getServiceSettings, listServices, updateService, updateServiceSettings } from './services-repo.js';
import { StoreError, type StoreErrorCode } from './store-error.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from './test-databases.js';

async function failure(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}
async function expectCode(p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  const err = await failure(p);
  expect(err.code).toBe(code);
  return err;
}

describe.each(DIALECTS)('repositories on %s', (dialect) => {
  let target: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    target = await createTestDatabase(dialect);
    store = await openStore(target.url);
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it('services: create, conflict, list with filter/sort/cursor, update with If-Match, delete', async () => {
    const created = await createService(store, { name: 'orders', description: 'Orders API' });
    expect(created.version).toBe(1);
    await expectCode(createService(store, { name: 'orders' }), 'ADMIN_STORE_CONFLICT');
    const invalid = await expectCode(createService(store, { name: 'Not A DNS Label' }), 'ADMIN_POLICY_INVALID');
    expect(invalid.issues[0]?.path).toEqual(['name']);
    for (const n of ['svc-a', 'svc-b', 'svc-c']) await createService(store, { name: n });

    const page1 = await listServices(store, { filter: { namePrefix: 'svc-' }, limit: 2, sort: '-name' });
    expect(page1.items.map((s) => s.name)).toEqual(['svc-c', 'svc-b']);
    expect(page1.total).toBe(3);
    const page2 = await listServices(store, { filter: { namePrefix: 'svc-' }, limit: 2, sort: '-name', cursor: page1.nextCursor });
    expect(page2.items.map((s) => s.name)).toEqual(['svc-a']);
    expect(page2.nextCursor).toBeNull();

    const updated = await updateService(store, 'orders', { description: 'v2' }, 1);
    expect(updated).toMatchObject({ description: 'v2', version: 2 });
    await expectCode(updateService(store, 'orders', { description: 'lost update' }, 1), 'ADMIN_STORE_PRECONDITION_FAILED');
    await expectCode(updateService(store, 'nope', { description: 'x' }, 1), 'ADMIN_STORE_NOT_FOUND');
    expect((await getService(store, 'orders')).description).toBe('v2');

    await expectCode(deleteService(store, 'svc-a', 7), 'ADMIN_STORE_PRECONDITION_FAILED');
    await deleteService(store, 'svc-a', 1);
    await expectCode(getService(store, 'svc-a'), 'ADMIN_STORE_NOT_FOUND');
    await expectCode(deleteService(store, 'svc-a'), 'ADMIN_STORE_NOT_FOUND');
  });

  it('service settings are validated by the policies schemas and versioned', async () => {
    await createService(store, { name: 'settings' });
    const s = await updateServiceSettings(store, 'settings', { cors: { allowOrigins: ['https://app.example.com'] } }, 1);
    expect(s.cors?.maxAgeSeconds).toBe(600); // defaults applied
    expect(s.version).toBe(2);
    const bad = await expectCode(updateServiceSettings(store, 'settings', { cors: { allowOrigins: ['*'], allowCredentials: true } }, 2), 'ADMIN_POLICY_INVALID');
    expect(bad.issues[0]?.path).toEqual(['cors', 'allowOrigins']);
    await expectCode(updateServiceSettings(store, 'settings', { logging: null }, 1), 'ADMIN_STORE_PRECONDITION_FAILED');
    expect((await getServiceSettings(store, 'settings')).cors?.allowOrigins).toEqual(['https://app.example.com']);
  });

  it('routes: CRUD, zod issue paths, conflicts, optimistic concurrency, cascade on service delete', async () => {
    await createService(store, { name: 'shop' });
    const route = { id: 'get-item', match: { methods: ['GET'], path: '/items/{id}', kind: 'template' }, permissions: ['items:read'] };
    const created = await routesRepo.create(store, 'shop', route);
    expect(created).toMatchObject({ id: 'get-item', version: 1 });
    expect(created.definition.auth).toEqual({ required: true });
    await expectCode(routesRepo.create(store, 'shop', route), 'ADMIN_STORE_CONFLICT');
    await expectCode(routesRepo.create(store, 'no-such-service', route), 'ADMIN_STORE_NOT_FOUND');

    const bad = await expectCode(routesRepo.create(store, 'shop', { id: 'x', match: { path: '/a/{id}' }, permissions: ['Items:*'] }), 'ADMIN_POLICY_INVALID');
    expect(bad.issues.map((i) => i.path)).toEqual(expect.arrayContaining([['match', 'path'], ['permissions', 0]]));

    const updated = await routesRepo.update(store, 'shop', 'get-item', { ...route, permissions: ['items:list'] }, 1);
    expect(updated.version).toBe(2);
    await expectCode(routesRepo.update(store, 'shop', 'get-item', route, 1), 'ADMIN_STORE_PRECONDITION_FAILED');
    await expectCode(routesRepo.update(store, 'shop', 'get-item', { ...route, id: 'renamed' }, 2), 'ADMIN_POLICY_INVALID');
    expect((await routesRepo.get(store, 'shop', 'get-item')).definition.permissions).toEqual(['items:list']);

    await routesRepo.create(store, 'shop', { id: 'health', match: { path: '/health' }, auth: { required: false } });
    const list = await routesRepo.list(store, 'shop', { sort: 'id' });
    expect(list.items.map((r) => r.id)).toEqual(['get-item', 'health']);
    expect((await routesRepo.list(store, 'shop', { filter: { idPrefix: 'he' } })).total).toBe(1);

    await expectCode(routesRepo.delete(store, 'shop', 'health', 9), 'ADMIN_STORE_PRECONDITION_FAILED');
    await routesRepo.delete(store, 'shop', 'health', 1);
    await expectCode(routesRepo.get(store, 'shop', 'health'), 'ADMIN_STORE_NOT_FOUND');

    await deleteService(store, 'shop');
    expect((await routesRepo.list(store, 'shop')).total).toBe(0);
  });

  it('upstreams are keyed by a validated name; roles by role.name', async () => {
    await createService(store, { name: 'net' });
    const up = await upstreamsRepo.create(store, 'net', { targets: [{ name: 'a', url: 'http://10.0.0.1:8080' }] }, 'primary');
    expect(up.definition.loadBalancing.algorithm).toBe('round-robin');
    await expectCode(upstreamsRepo.create(store, 'net', {}, undefined), 'ADMIN_POLICY_INVALID');
    await expectCode(upstreamsRepo.create(store, 'net', {}, '-bad name'), 'ADMIN_POLICY_INVALID');
    const badUp = await expectCode(upstreamsRepo.create(store, 'net', { loadBalancing: { algorithm: 'consistent-hash' } }, 'h'), 'ADMIN_POLICY_INVALID');
    expect(badUp.issues[0]?.path).toEqual(['loadBalancing', 'hashOn']);

    await rolesRepo.create(store, 'net', { name: 'reader', permissions: ['items:read'] });
    await expectCode(rolesRepo.create(store, 'net', { name: 'reader' }), 'ADMIN_STORE_CONFLICT');
    expect((await rolesRepo.get(store, 'net', 'reader')).definition.inherits).toEqual([]);
  });

  it('API keys: hash only, rotation with overlap, revoke, last used', async () => {
    await createService(store, { name: 'keys' });
    const now = Date.parse('2030-01-01T00:00:00Z');
    const { key, secret } = await createApiKey(store, { id: 'ci', service: 'keys', principal: 'svc-ci', roles: ['reader'] }, now);
    expect(secret).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
    expect(key.sha256).toBe(hashApiKey(secret));
    expect(key.prefix).toBe(secret.slice(0, 11));
    expect(JSON.stringify(await getApiKey(store, 'ci'))).not.toContain(secret);
    expect((await findApiKeyByHash(store, hashApiKey(secret)))?.id).toBe('ci');
    await expectCode(createApiKey(store, { id: 'ci', service: 'keys', principal: 'p' }), 'ADMIN_STORE_CONFLICT');
    const bad = await expectCode(
      createApiKey(store, { service: 'keys', principal: 'p', notBefore: '2030-02-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' }),
      'ADMIN_POLICY_INVALID',
    );
    expect(bad.issues[0]?.path).toEqual(['expiresAt']);

    const rotated = await rotateApiKey(store, 'ci', 60_000, 1, now);
    expect(rotated.previous).toMatchObject({ replacedBy: rotated.key.id, expiresAt: now + 60_000, version: 2 });
    expect(rotated.key.roles).toEqual(['reader']);
    expect(toBundleApiKey(rotated.previous)?.expiresAt).toBe('2030-01-01T00:01:00.000Z');

    await recordApiKeyUse(store, 'keys', [{ id: 'ci', at: now + 5 }, { id: 'ci', at: now + 1 }]);
    await recordApiKeyUse(store, 'other-service', [{ id: 'ci', at: now + 9 }]); // not its key: ignored
    expect((await getApiKey(store, 'ci')).lastUsedAt).toBe(now + 5);

    await expectCode(revokeApiKey(store, rotated.key.id, 5), 'ADMIN_STORE_PRECONDITION_FAILED');
    const revoked = await revokeApiKey(store, rotated.key.id, 1, now + 10);
    expect(revoked.revokedAt).toBe(now + 10);
    expect(toBundleApiKey(revoked)).toBeUndefined();
    expect((await listApiKeys(store, 'keys', { filter: { revoked: false } })).items.map((k) => k.id)).toEqual(['ci']);
    await expectCode(rotateApiKey(store, rotated.key.id, 0), 'ADMIN_STORE_CONFLICT');
  });

  it('audit events: append and filter newest first with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await appendAuditEvent(store, { actor: i % 2 ? 'alice' : 'bob', action: 'route.update', resourceType: 'route', resourceId: `r${i}`, before: { i }, after: { i: i + 1 }, outcome: 'allowed' });
    }
    await appendAuditEvent(store, { actor: 'eve', action: 'key.revoke', resourceType: 'api-key', outcome: 'denied' });
    const bob = await listAuditEvents(store, { actor: 'bob' }, { limit: 2 });
    expect(bob.items.map((e) => e.resourceId)).toEqual(['r4', 'r2']);
    expect(bob.items[0]?.after).toEqual({ i: 5 });
    const rest = await listAuditEvents(store, { actor: 'bob' }, { limit: 2, cursor: bob.nextCursor });
    expect(rest.items.map((e) => e.resourceId)).toEqual(['r0']);
    expect((await listAuditEvents(store, { outcome: 'denied' })).items.map((e) => e.actor)).toEqual(['eve']);
  });

  it('bundle revisions: concurrent publishes get distinct consecutive numbers', async () => {
    await createService(store, { name: 'pub' });
    const published = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        publishRevision(store, 'pub', `user${i}`, async (revision) => {
          await new Promise((r) => setTimeout(r, 5));
          return { hash: `sha256:${revision}`, content: JSON.stringify({ revision }), signature: `jws.${revision}` };
        }),
      ),
    );
    const numbers = published.map((p) => p.revision).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const p of published) expect(JSON.parse(p.content)).toEqual({ revision: p.revision });
    expect((await getLatestRevision(store, 'pub'))?.revision).toBe(8);
    const history = await listRevisions(store, 'pub', { limit: 5 });
    expect(history.items.map((r) => r.revision)).toEqual([8, 7, 6, 5, 4]);
    expect((await listRevisions(store, 'pub', { limit: 5, cursor: history.nextCursor })).items.map((r) => r.revision)).toEqual([3, 2, 1]);
    await expectCode(publishRevision(store, 'ghost', 'x', () => ({ hash: 'h', content: '{}', signature: 's' })), 'ADMIN_STORE_NOT_FOUND');
  });
});

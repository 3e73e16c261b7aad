import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignedBundle } from '@agentcore/policies';
import type { Actor } from '../auth/admin-roles.js';
import { createApiKey, createService, getLatestRevision, listRevisions, revokeApiKey, rolesRepo, routesRepo, upstreamsRepo } from '../store/index.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { startBundleServer, type BundleTestServer } from './test-bundle-server.js';

const actor: Actor = { username: 'alice', role: 'owner', via: 'token' };
let db: TestDatabase;
let srv: BundleTestServer;
let n = 0;
let service: string;

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  srv = await startBundleServer({ databaseUrl: db.url });
});
afterAll(async () => {
  await srv.close();
  await db.drop();
});

async function freshService(): Promise<string> {
  service = `svc${++n}`;
  await createService(srv.store, { name: service });
  return service;
}

const revisionsOf = async (s: string) => (await listRevisions(srv.store, s)).items;
const waitFor = async (cond: () => Promise<boolean>, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const jwks = async (): Promise<JSONWebKeySet> => (await srv.call('GET', '/api/v1/sidecar/jwks', { role: null })).body as JSONWebKeySet;

describe('publishing', () => {
  it('compiles and publishes a revision after a policy change, one per burst of changes', async () => {
    const s = await freshService();
    await routesRepo.create(srv.store, s, { id: 'list', match: { path: '/orders' } });
    srv.bundles.onPolicyChange(s, actor);
    await rolesRepo.create(srv.store, s, { name: 'reader', permissions: ['orders:read'] });
    srv.bundles.onPolicyChange(s, actor);
    await routesRepo.create(srv.store, s, { id: 'get', match: { kind: 'template', path: '/orders/{id}' }, permissions: ['orders:read'] });
    srv.bundles.onPolicyChange(s, actor);
    await waitFor(async () => (await revisionsOf(s)).length > 0);
    await new Promise((r) => setTimeout(r, 150));
    const revs = await revisionsOf(s);
    expect(revs).toHaveLength(1);
    expect(revs[0]).toMatchObject({ revision: 1, createdBy: 'alice' });
    const content = JSON.parse((await getLatestRevision(srv.store, s))!.content) as { routes: { id: string }[]; roles: unknown[]; revision: number };
    expect(content.revision).toBe(1);
    expect(content.routes.map((r) => r.id)).toEqual(['list', 'get']);
    expect(content.roles).toHaveLength(1);
  });

  it('makes no revision when the content did not change', async () => {
    const s = await freshService();
    await routesRepo.create(srv.store, s, { id: 'list', match: { path: '/orders' } });
    const first = await srv.bundles.publish(s, 'alice');
    expect(first).toMatchObject({ revision: 1 });
    const again = await srv.call('POST', `/api/v1/services/${s}/publish`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ revision: 1, unchanged: true });
    expect(await revisionsOf(s)).toHaveLength(1);
  });

  it('does not publish an invalid store state: 400 ADMIN_POLICY_INVALID with the issue paths, the last good revision stays', async () => {
    const s = await freshService();
    await upstreamsRepo.create(srv.store, s, { targets: [{ url: 'http://127.0.0.1:9' }] }, 'backend').catch(() => undefined);
    await routesRepo.create(srv.store, s, { id: 'list', match: { path: '/orders' } });
    await srv.bundles.publish(s, 'alice');
    await routesRepo.create(srv.store, s, { id: 'broken', match: { path: '/broken' }, upstream: 'gone' });
    const r = await srv.call('POST', `/api/v1/services/${s}/publish`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_REQUEST');
    expect(r.body.error.details.fields).toEqual([{ path: 'routes[1].upstream', message: 'unknown upstream "gone"' }]);
    srv.bundles.onPolicyChange(s, actor);
    await new Promise((res) => setTimeout(res, 150));
    expect(await revisionsOf(s)).toHaveLength(1);
    const list = await srv.call('GET', `/api/v1/services/${s}/revisions`, { role: 'auditor' });
    expect(list.body.lastPublishFailure.issues[0].path).toBe('routes[1].upstream');
  });

  it('keeps a revoked API key only as a refusal (disabled, no roles, revokedAt: docs/admin-api.md), keeps rotated keys within their overlap', async () => {
    const s = await freshService();
    const live = await createApiKey(srv.store, { service: s, principal: 'p1' });
    const revoked = await createApiKey(srv.store, { service: s, principal: 'p2' });
    await revokeApiKey(srv.store, revoked.key.id);
    const expiring = await createApiKey(srv.store, { service: s, principal: 'p3', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await srv.bundles.publish(s, 'alice');
    const content = JSON.parse((await getLatestRevision(srv.store, s))!.content) as { authentication: { apiKeys: { id: string; sha256: string; disabled: boolean; roles: string[]; revokedAt?: string }[] } };
    const listed = content.authentication.apiKeys.filter((k) => k.revokedAt === undefined);
    expect(listed.map((k) => k.id).sort()).toEqual([live.key.id, expiring.key.id].sort());
    expect(content.authentication.apiKeys.find((k) => k.id === revoked.key.id)).toMatchObject({ disabled: true, roles: [], revokedAt: expect.any(String) });
    expect(JSON.stringify(content)).not.toContain(live.secret);
  });
});

describe('signing', () => {
  it('signs bundles the sidecar verifier accepts with the published JWKS; rotation keeps old signatures verifiable', async () => {
    const s = await freshService();
    await routesRepo.create(srv.store, s, { id: 'list', match: { path: '/orders' } });
    await srv.bundles.publish(s, 'alice');
    const before = (await getLatestRevision(srv.store, s))!;
    const ok = await verifySignedBundle(before.signature, createLocalJWKSet(await jwks()), { service: s });
    expect(ok).toMatchObject({ ok: true });
    if (!ok.ok) return;
    expect(ok.bundle.hash).toBe(before.hash);
    expect(ok.bundle.revision).toBe(1);

    expect((await srv.call('POST', '/api/v1/signing-keys/rotate', { role: 'platform-engineer' })).status).toBe(403);
    const rotated = await srv.call('POST', '/api/v1/signing-keys/rotate', { role: 'owner' });
    expect(rotated.status).toBe(201);
    expect(rotated.body.kid).not.toBe(ok.kid);

    await routesRepo.create(srv.store, s, { id: 'get', match: { kind: 'template', path: '/orders/{id}' } });
    await srv.bundles.publish(s, 'alice');
    const after = (await getLatestRevision(srv.store, s))!;
    const set = createLocalJWKSet(await jwks());
    const newer = await verifySignedBundle(after.signature, set, { service: s, minRevision: 1 });
    expect(newer).toMatchObject({ ok: true, kid: rotated.body.kid });
    expect(await verifySignedBundle(before.signature, set, { service: s })).toMatchObject({ ok: true, kid: ok.kid });
    const keys = await srv.call('GET', '/api/v1/signing-keys', { role: 'auditor' });
    expect(keys.body.items.find((k: { kid: string }) => k.kid === ok.kid).retiredAt).not.toBeNull();
  });
});

describe('history', () => {
  it('diffs two revisions and rolls back by publishing the old content as a new revision', async () => {
    const s = await freshService();
    await routesRepo.create(srv.store, s, { id: 'list', match: { path: '/orders' } });
    await srv.bundles.publish(s, 'alice');
    await rolesRepo.create(srv.store, s, { name: 'reader', permissions: ['orders:read'] });
    await routesRepo.update(srv.store, s, 'list', { id: 'list', match: { path: '/orders' }, permissions: ['orders:read'] }, undefined);
    await srv.bundles.publish(s, 'alice');

    const diff = await srv.call('GET', `/api/v1/services/${s}/revisions/1/diff/2`, { role: 'auditor' });
    expect(diff.status).toBe(200);
    expect(diff.body.changes).toEqual([
      { op: 'added', path: '/roles/0', after: { name: 'reader', permissions: ['orders:read'], inherits: [] } },
      { op: 'added', path: '/routes/0/permissions/0', after: 'orders:read' },
    ]);

    expect((await srv.call('POST', `/api/v1/services/${s}/revisions/1/rollback`, { role: 'auditor' })).status).toBe(403);
    const rb = await srv.call('POST', `/api/v1/services/${s}/revisions/1/rollback`, { role: 'platform-engineer' });
    expect(rb.status).toBe(201);
    expect(rb.body.revision).toBe(3);
    const r1 = await srv.call('GET', `/api/v1/services/${s}/revisions/1`, { role: 'auditor' });
    const r3 = await srv.call('GET', `/api/v1/services/${s}/revisions/3`, { role: 'auditor' });
    const strip = (c: Record<string, unknown>) => ({ ...c, revision: 0, hash: '', createdAt: '' });
    expect(strip(r3.body.content)).toEqual(strip(r1.body.content));
    expect(r3.body.content.revision).toBe(3);
    expect((await srv.call('GET', `/api/v1/services/${s}/revisions/3/diff/1`, { role: 'auditor' })).body.changes).toEqual([]);
    expect((await srv.call('GET', `/api/v1/services/${s}/revisions/9`, { role: 'auditor' })).status).toBe(404);
    expect((await srv.call('GET', `/api/v1/services/${s}/revisions`, { role: 'auditor' })).body.items.map((r: { revision: number }) => r.revision)).toEqual([3, 2, 1]);
  });
});

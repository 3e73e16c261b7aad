// Revocation wins (issue #10): with a service that no longer compiles (a row corrupted outside the API), revoking a
// key or disabling a principal still reaches sidecars as a new revision of the last good bundle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../auth/admin-roles.js';
import { createApiKey, createService, getLatestRevision, listAuditEvents, revokeApiKey, rolesRepo, routesRepo } from '../store/index.js';
import { createPrincipal, updatePrincipal } from '../store/principals-repo.js';
import { insertOAuthToken, revokeOAuthToken } from '../store/oauth-tokens-repo.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { startBundleServer, type BundleTestServer } from './test-bundle-server.js';

const actor: Actor = { username: 'sec', role: 'owner', via: 'token' };
let db: TestDatabase;
let srv: BundleTestServer;

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  srv = await startBundleServer({ databaseUrl: db.url });
});
afterAll(async () => {
  await srv.close();
  await db.drop();
});

type Published = { revision: number; roles: { name: string }[]; authentication: { apiKeys: { id: string; disabled: boolean }[] } };
const latest = async (s: string): Promise<Published | undefined> => {
  const r = await getLatestRevision(srv.store, s);
  return r ? (JSON.parse(r.content) as Published) : undefined;
};
const waitFor = async (cond: () => Promise<boolean>, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('revocation wins over a service that does not compile', () => {
  it('publishes the last good bundle with the revoked key and the disabled principal’s keys marked disabled', async () => {
    const s = 'broken';
    await createService(srv.store, { name: s });
    await createPrincipal(srv.store, { id: 'ci', kind: 'service-account', displayName: 'CI' });
    await createPrincipal(srv.store, { id: 'dash', kind: 'service-account', displayName: 'Dashboard' });
    await rolesRepo.create(srv.store, s, { name: 'viewer', permissions: ['orders:read'] });
    await routesRepo.create(srv.store, s, { id: 'list', match: { path: '/orders' }, permissions: ['orders:read'] });
    const k1 = (await createApiKey(srv.store, { service: s, principal: 'ci', roles: ['viewer'] })).key;
    const k2 = (await createApiKey(srv.store, { service: s, principal: 'ci', roles: ['viewer'] })).key;
    const k3 = (await createApiKey(srv.store, { service: s, principal: 'dash', roles: ['viewer'] })).key;
    await srv.bundles.publish(s, 'sec');
    const good = (await latest(s))!;
    expect(good.authentication.apiKeys.every((k) => !k.disabled)).toBe(true);

    // Corrupt a role outside the API: from now on the service does not compile.
    await srv.store.db.updateTable('roles').set({ definition: '{"name":"viewer","inherits":["ghost"]}' }).where('service', '=', s).execute();
    await expect(srv.bundles.publish(s, 'sec')).rejects.toThrow(/does not compile/);

    await revokeApiKey(srv.store, k1.id, undefined);
    srv.bundles.onPolicyChange(s, actor);
    await waitFor(async () => (await latest(s))!.revision > good.revision);
    const afterRevoke = (await latest(s))!;
    expect(afterRevoke.roles).toEqual(good.roles); // the last good content, not the corrupted role
    expect(Object.fromEntries(afterRevoke.authentication.apiKeys.map((k) => [k.id, k.disabled]))).toEqual({ [k1.id]: true, [k2.id]: false, [k3.id]: false });

    await updatePrincipal(srv.store, 'dash', { disabled: true }, undefined);
    srv.bundles.onPolicyChange(s, actor);
    await waitFor(async () => (await latest(s))!.revision > afterRevoke.revision);
    expect(Object.fromEntries((await latest(s))!.authentication.apiKeys.map((k) => [k.id, k.disabled]))).toEqual({ [k1.id]: true, [k2.id]: false, [k3.id]: true });
    const audit = await listAuditEvents(srv.store, { action: 'bundle.publish-withdrawals' });
    expect(audit.items.length).toBe(2);

    // Nothing else leaks through the fallback: re-enabling the principal waits for the policy to compile again.
    await updatePrincipal(srv.store, 'dash', { disabled: false }, undefined);
    const rev = (await latest(s))!.revision;
    srv.bundles.onPolicyChange(s, actor);
    await new Promise((r) => setTimeout(r, 300));
    expect((await latest(s))!.revision).toBe(rev);
  });

  it('a rollback to a revision from before a revocation keeps the key withdrawn', async () => {
    const s = 'rollback';
    await createService(srv.store, { name: s });
    await createPrincipal(srv.store, { id: 'rb', kind: 'service-account', displayName: 'RB' });
    await routesRepo.create(srv.store, s, { id: 'list', match: { path: '/orders' } });
    const k = (await createApiKey(srv.store, { service: s, principal: 'rb' })).key;
    await srv.bundles.publish(s, 'sec');
    const before = (await latest(s))!;
    await revokeApiKey(srv.store, k.id, undefined);
    await srv.bundles.publish(s, 'sec');
    const r = await srv.call('POST', `/api/v1/services/${s}/revisions/${before.revision}/rollback`, { body: {} });
    expect(r.status).toBeLessThan(300);
    expect((await latest(s))!.authentication.apiKeys).toEqual([expect.objectContaining({ id: k.id, disabled: true })]);
  });

  it('an OAuth access token revoked while the service does not compile still reaches the bundle, and a rollback keeps it listed', async () => {
    const s = 'broken-oauth';
    await createService(srv.store, { name: s });
    await rolesRepo.create(srv.store, s, { name: 'viewer', permissions: ['orders:read'] });
    await srv.bundles.publish(s, 'sec');
    const good = (await latest(s))!;
    const now = Date.now();
    const row = { kind: 'access' as const, client_id: 'c1', subject: 'c1', audience: s, scope: '', family_id: 'f1', token_sha256: null, info: '{}', created_at: now, expires_at: now + 600_000, rotated_at: null, revoked_at: null };
    await insertOAuthToken(srv.store, { ...row, jti: 'jti-revoked' });
    await insertOAuthToken(srv.store, { ...row, jti: 'jti-live' });
    await srv.store.db.updateTable('roles').set({ definition: '{"name":"viewer","inherits":["ghost"]}' }).where('service', '=', s).execute();

    await revokeOAuthToken(srv.store, 'jti-revoked', Date.now());
    srv.bundles.onPolicyChange(s, actor);
    await waitFor(async () => (await latest(s))!.revision > good.revision);
    const after = (await latest(s)) as Published & { authentication: { revokedTokens: { jti: string }[] } };
    expect(after.roles).toEqual(good.roles);
    expect(after.authentication.revokedTokens.map((t) => t.jti)).toEqual(['jti-revoked']);

    await srv.store.db.updateTable('roles').set({ definition: '{"name":"viewer","permissions":["orders:read"]}' }).where('service', '=', s).execute();
    const r = await srv.call('POST', `/api/v1/services/${s}/revisions/${good.revision}/rollback`, { body: {} });
    expect(r.status).toBeLessThan(300);
    const rolled = (await latest(s)) as Published & { authentication: { revokedTokens: { jti: string }[] } };
    expect(rolled.authentication.revokedTokens.map((t) => t.jti)).toEqual(['jti-revoked']);
  });
});

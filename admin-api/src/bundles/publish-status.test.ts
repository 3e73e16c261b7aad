// #10 defect 4: a publish failure is kept in the store (survives a restart), shown per service and in the fleet,
// and retried; the fleet's upToDate compares with the desired state, not only the latest published revision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesRepo } from '../store/index.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { startBundleServer, type BundleTestServer } from './test-bundle-server.js';

let db: TestDatabase;
let srv: BundleTestServer;
let token: string;
const actor = { username: 'alice', role: 'owner' as const, via: 'session' as const };

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const status = async () => (await srv.call('GET', '/api/v1/services/orders/bundle-status', { role: 'auditor' })).body;
const fleet = async () => (await srv.call('GET', '/api/v1/sidecars?service=orders', { role: 'auditor' })).body.items[0];
async function report(applied: number): Promise<void> {
  const body = { instance_id: 'orders-1', service: 'orders', host: 'h1', applied_revision: applied, applied_hash: null, rejected_revision: null, rejection_reason: null, connected: true, uptime_s: 1, counters: {}, reported_at: new Date().toISOString() };
  const res = await fetch(`${srv.base}/api/v1/sidecar/status`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(204);
}

describe.each(['sqlite', 'postgres'] as const)('publish status (%s)', (dialect) => {
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    srv = await startBundleServer({ databaseUrl: db.url, services: ['orders'], retryBaseMs: 300 });
    token = (await srv.call('POST', '/api/v1/services/orders/sidecar-credentials', { body: { name: 'o1' } })).body.token as string;
  });
  afterAll(async () => {
    await srv.close();
    await db.drop();
  });

  it('is up to date after a change is published; the fleet agrees', async () => {
    await routesRepo.create(srv.store, 'orders', { id: 'a', match: { path: '/a' } });
    srv.bundles.onPolicyChange('orders', actor);
    const s = await until('published', async () => ((await status()).publishedRevision === 1 && (await status()).upToDate ? status() : undefined));
    expect(s).toMatchObject({ service: 'orders', upToDate: true, lastFailure: null, retry: null });
    await report(1);
    expect(await fleet()).toMatchObject({ appliedRevision: 1, latestRevision: 1, upToDate: true, policyPending: false });
  });

  it('records a failing publish in the store, shows it, and keeps it (and upToDate:false) across a restart; the retry publishes once fixed', async () => {
    // corrupt a stored row: the compiler cannot read it, so every publish of "orders" fails
    await srv.store.db.updateTable('routes').set({ definition: '{not json' }).where('service', '=', 'orders').where('id', '=', 'a').execute();
    await routesRepo.create(srv.store, 'orders', { id: 'b', match: { path: '/b' } });
    srv.bundles.onPolicyChange('orders', actor);
    const failed = await until('failure recorded', async () => ((await status()).lastFailure ? status() : undefined));
    expect(failed).toMatchObject({ upToDate: false, publishedRevision: 1, retry: { attempts: expect.any(Number) } });
    // a row the compiler cannot read: an internal error, or (when unparsable rows are kept as strings) an invalid policy
    expect(['ADMIN_INTERNAL', 'ADMIN_POLICY_INVALID']).toContain(failed.lastFailure.code);
    expect(failed.lastFailure.message).not.toBe('');
    expect(Date.parse(failed.retry.nextAttemptAt)).toBeGreaterThan(Date.parse(failed.lastFailure.at));
    expect(await fleet()).toMatchObject({ appliedRevision: 1, latestRevision: 1, upToDate: false, policyPending: true });
    const revisions = (await srv.call('GET', '/api/v1/services/orders/revisions', { role: 'auditor' })).body;
    expect(revisions.lastPublishFailure).toMatchObject({ code: failed.lastFailure.code });
    // the back-off retries and fails again
    await until('a retry', async () => ((await status()).retry.attempts >= 2 ? true : undefined));

    // restart the admin API (bundle service, sidecar contract, store) on the same database
    await srv.close();
    srv = await startBundleServer({ databaseUrl: db.url, retryBaseMs: 60_000 });
    const after = await status();
    expect(after).toMatchObject({ upToDate: false, publishedRevision: 1, lastFailure: { code: failed.lastFailure.code } });
    expect(await fleet()).toMatchObject({ upToDate: false, policyPending: true });

    // repair the row; the next start resumes the pending publish at once
    await srv.store.db.updateTable('routes').set({ definition: JSON.stringify({ id: 'a', match: { path: '/a' } }) }).where('service', '=', 'orders').where('id', '=', 'a').execute();
    await srv.close();
    srv = await startBundleServer({ databaseUrl: db.url, retryBaseMs: 300 });
    const fixed = await until('published after restart', async () => ((await status()).upToDate ? status() : undefined));
    expect(fixed).toMatchObject({ upToDate: true, publishedRevision: 2, lastFailure: null, retry: null });
    expect(await fleet()).toMatchObject({ latestRevision: 2, upToDate: false, policyPending: false }); // the sidecar still runs 1
  });

  it('404 for an unknown service', async () => {
    expect((await srv.call('GET', '/api/v1/services/nope/bundle-status', { role: 'auditor' })).status).toBe(404);
  });
});

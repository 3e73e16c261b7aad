// The sidecar contract over HTTP (credentials, bundle long-poll, status, access-log ingest). The real sidecar client
// against a real control plane: e2e/test/sidecar-sync.test.ts (packages only, no other app's src).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBundleServer, type BundleTestServer } from '../bundles/test-bundle-server.js';
import { createApiKey, getApiKey, getLatestRevision, routesRepo, searchAccessLogs } from '../store/index.js';
import { revokeSidecarCredential } from '../store/sidecar-credentials-repo.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';

let db: TestDatabase;
let srv: BundleTestServer;
let token: string;
let otherToken: string;

const bundleUrl = (s: string, wait = 0) => `/api/v1/sidecar/bundles/${s}?wait=${wait}`;
async function poll(path: string, tok: string | undefined, etag?: string, signal?: AbortSignal) {
  const headers: Record<string, string> = {};
  if (tok !== undefined) headers.authorization = `Bearer ${tok}`;
  if (etag !== undefined) headers['if-none-match'] = `"${etag}"`;
  const res = await fetch(srv.base + path, { headers, signal });
  return { status: res.status, etag: res.headers.get('etag'), type: res.headers.get('content-type'), body: await res.text() };
}
async function addRoute(id: string): Promise<{ revision: number; hash: string }> {
  await routesRepo.create(srv.store, 'orders', { id, match: { path: `/${id}` } });
  const r = await srv.bundles.publish('orders', 'alice');
  if (!('revision' in r)) throw new Error('unchanged');
  return r as { revision: number; hash: string };
}

beforeAll(async () => {
  db = await createTestDatabase('sqlite');
  srv = await startBundleServer({ databaseUrl: db.url, services: ['orders', 'billing'] });
  const c = await srv.call('POST', '/api/v1/services/orders/sidecar-credentials', { role: 'platform-engineer', body: { name: 'orders-1' } });
  expect(c.status).toBe(201);
  token = c.body.token as string;
  otherToken = (await srv.call('POST', '/api/v1/services/billing/sidecar-credentials', { body: { name: 'billing-1' } })).body.token as string;
});
afterAll(async () => {
  await srv.close();
  await db.drop();
});

describe('sidecar credentials', () => {
  it('creates tokens with the agc_sc_ prefix, lists without secrets, revokes', async () => {
    expect(token).toMatch(/^agc_sc_[A-Za-z0-9_-]{40,}$/);
    expect((await srv.call('POST', '/api/v1/services/orders/sidecar-credentials', { role: 'auditor', body: { name: 'x' } })).status).toBe(403);
    const made = await srv.call('POST', '/api/v1/services/orders/sidecar-credentials', { body: { name: 'temp' } });
    const list = await srv.call('GET', '/api/v1/services/orders/sidecar-credentials');
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['orders-1', 'temp']));
    expect(JSON.stringify(list.body)).not.toContain('agc_sc_');
    await addRoute('creds');
    expect((await poll(bundleUrl('orders'), made.body.token as string)).status).toBe(200);
    expect((await srv.call('DELETE', `/api/v1/services/orders/sidecar-credentials/${made.body.id as string}`)).status).toBe(204);
    expect((await poll(bundleUrl('orders'), made.body.token as string)).status).toBe(401);
    expect((await srv.call('DELETE', '/api/v1/services/orders/sidecar-credentials/sc-nope')).status).toBe(404);
  });

  it('ends a long-poll already waiting with 401 when its credential is revoked (defect 5), and never sends it the next revision', async () => {
    const made = await srv.call('POST', '/api/v1/services/orders/sidecar-credentials', { body: { name: 'to-revoke' } });
    const rev = await addRoute('revoke-wait');
    const before = srv.bundles.waiting;
    const waiting = poll(bundleUrl('orders', 30), made.body.token as string, rev.hash);
    const deadline = Date.now() + 3000;
    while (srv.bundles.waiting < before + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(srv.bundles.waiting).toBe(before + 1);
    const t0 = Date.now();
    expect((await srv.call('DELETE', `/api/v1/services/orders/sidecar-credentials/${made.body.id as string}`)).status).toBe(204);
    const ended = await waiting;
    expect(ended.status).toBe(401);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(ended.body).not.toMatch(/^eyJ/); // no JWS
    expect(JSON.parse(ended.body).error.code).toBe('UNAUTHENTICATED');
  });

  it('a credential revoked on another replica gets 401 when its long-poll wakes with the next revision', async () => {
    const made = await srv.call('POST', '/api/v1/services/orders/sidecar-credentials', { body: { name: 'to-revoke-2' } });
    const rev = await addRoute('revoke-wait-2');
    const before = srv.bundles.waiting;
    const waiting = poll(bundleUrl('orders', 30), made.body.token as string, rev.hash);
    const deadline = Date.now() + 3000;
    while (srv.bundles.waiting < before + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(srv.bundles.waiting).toBe(before + 1);
    await revokeSidecarCredential(srv.store, 'orders', made.body.id as string); // straight in the store: no in-process signal
    await addRoute('after-revoke');
    const ended = await waiting;
    expect(ended.status).toBe(401);
  });

  it('refuses a missing or wrong credential (401) and another service\'s credential (403)', async () => {
    expect((await poll(bundleUrl('orders'), undefined)).status).toBe(401);
    expect((await poll(bundleUrl('orders'), 'agc_sc_wrong')).status).toBe(401);
    expect((await poll(bundleUrl('orders'), otherToken)).status).toBe(403);
  });
});

describe('bundle endpoint', () => {
  it('answers 404 before the first revision, then 200 application/jose with the hash as ETag, 304 when unchanged', async () => {
    expect((await poll(bundleUrl('billing'), otherToken)).status).toBe(404);
    const rev = await addRoute('a');
    const r = await poll(bundleUrl('orders'), token);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/jose/);
    expect(r.etag).toBe(`"${rev.hash}"`);
    expect(r.body).toBe((await getLatestRevision(srv.store, 'orders'))!.signature);
    expect((await poll(bundleUrl('orders'), token, rev.hash)).status).toBe(304);
  });

  it('long-poll: 304 after wait, woken within 200 ms of a publish', async () => {
    const rev = await addRoute('b');
    let t0 = Date.now();
    const idle = await poll(bundleUrl('orders', 1), token, rev.hash);
    expect(idle.status).toBe(304);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);

    const waiting = poll(bundleUrl('orders', 30), token, rev.hash);
    await new Promise((r) => setTimeout(r, 200));
    t0 = Date.now();
    const next = await addRoute('c');
    const woke = await waiting;
    expect(Date.now() - t0).toBeLessThan(200);
    expect(woke.status).toBe(200);
    expect(woke.etag).toBe(`"${next.hash}"`);
  });

  it('wakes 100 concurrent long-polls with one publish, and forgets disconnected ones', async () => {
    const rev = await addRoute('d');
    const gone = new AbortController();
    const dropped = poll(bundleUrl('orders', 30), token, rev.hash, gone.signal).catch(() => 'aborted');
    const polls = Array.from({ length: 100 }, () => poll(bundleUrl('orders', 30), token, rev.hash));
    const deadline = Date.now() + 3000;
    while (srv.bundles.waiting < 101 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(srv.bundles.waiting).toBe(101);
    gone.abort();
    expect(await dropped).toBe('aborted');
    while (srv.bundles.waiting > 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(srv.bundles.waiting).toBe(100);
    const t0 = Date.now();
    const next = await addRoute('e');
    const all = await Promise.all(polls);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(all.every((p) => p.status === 200 && p.etag === `"${next.hash}"`)).toBe(true);
    expect(srv.bundles.waiting).toBe(0);
  });
});

describe('status and fleet', () => {
  it('upserts status reports and lists the fleet with upToDate and stale', async () => {
    const latest = (await getLatestRevision(srv.store, 'orders'))!;
    const report = (applied: number) => ({
      instance_id: 'orders-1', service: 'orders', host: 'h1', applied_revision: applied, applied_hash: null, rejected_revision: null,
      rejection_reason: null, connected: true, uptime_s: 12, counters: { requests: 5 }, reported_at: new Date().toISOString(),
    });
    const send = (body: unknown, tok = token) => fetch(`${srv.base}/api/v1/sidecar/status`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await send(report(latest.revision - 1))).status).toBe(204);
    let fleet = await srv.call('GET', '/api/v1/sidecars?service=orders', { role: 'auditor' });
    expect(fleet.body.items).toEqual([expect.objectContaining({ instanceId: 'orders-1', appliedRevision: latest.revision - 1, latestRevision: latest.revision, upToDate: false, stale: false, counters: { requests: 5 } })]);
    expect((await send({ ...report(latest.revision), rejected_revision: 99, rejection_reason: 'BAD_SIGNATURE: x' })).status).toBe(204);
    fleet = await srv.call('GET', '/api/v1/sidecars', { role: 'auditor' });
    expect(fleet.body.items).toEqual([expect.objectContaining({ upToDate: true, rejectedRevision: 99, rejectionReason: 'BAD_SIGNATURE: x', uptimeSeconds: 12 })]);
    expect((await send({ ...report(1), service: 'billing' })).status).toBe(403);
    expect((await send({ ...report(1), instance_id: '' })).status).toBe(400);
  });
});

describe('access logs', () => {
  it('stores a batch under the credential\'s service, records API key use, counts drops', async () => {
    const key = await createApiKey(srv.store, { service: 'orders', principal: 'bob' });
    const foreign = await createApiKey(srv.store, { service: 'billing', principal: 'eve' });
    const rec = (i: number, apiKey: string | null) => ({
      at: 1_700_000_000_000 + i, request_id: `r${i}`, method: 'GET', path: '/a', route_id: 'a', status: 200, decision: 'allow' as const,
      reason: 'GRANTED', principal: 'bob', api_key_id: apiKey, auth_method: apiKey ? 'api-key' : null, client: '10.0.0.1', latency_ms: 1.5,
    });
    const body = { instance_id: 'orders-1', dropped: 7, records: [rec(1, key.key.id), rec(2, key.key.id), rec(3, null), rec(4, foreign.key.id)] };
    const res = await fetch(`${srv.base}/api/v1/sidecar/access-logs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 4 });
    const stored = await searchAccessLogs(srv.store, { service: 'orders', from: 1_700_000_000_000 });
    expect(stored.items.map((r) => r.requestId).sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(stored.items[0]).toMatchObject({ service: 'orders', decision: 'allow', latencyMs: 1.5 });
    expect((await getApiKey(srv.store, key.key.id)).lastUsedAt).toBe(1_700_000_000_002);
    expect((await getApiKey(srv.store, foreign.key.id)).lastUsedAt).toBeNull();
    const fleet = await srv.call('GET', '/api/v1/sidecars?service=orders', { role: 'auditor' });
    expect(fleet.body.items[0].counters.access_logs_dropped).toBe(7);
  });
});

/**
 * Traffic management through the assembled sidecar, with real backends on free ports: load spread,
 * retries to another target, health checks, outlier ejection, the circuit breaker, and the 503s.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PolicyBundleInput } from '@agentcore/policies';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestSidecar, type TestSidecar } from './helpers.js';

interface Backend {
  name: string;
  url: string;
  hits: number;
  mode: 'ok' | '503' | 'hang';
  server: Server;
}

const backends: Backend[] = [];
const sidecars: TestSidecar[] = [];

async function backend(name: string): Promise<Backend> {
  const b: Backend = { name, url: '', hits: 0, mode: 'ok', server: createServer() };
  b.server.on('request', (req, res) => {
    if (req.url === '/health') {
      res.writeHead(b.mode === 'ok' ? 200 : 503).end();
      return;
    }
    b.hits++;
    if (b.mode === 'hang') return;
    res.writeHead(b.mode === 'ok' ? 200 : 503, { 'content-type': 'text/plain' }).end(b.name);
  });
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', () => r()));
  b.url = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`;
  backends.push(b);
  return b;
}

function bundle(upstream: Record<string, unknown>): PolicyBundleInput {
  return {
    version: 1,
    service: 'traffic',
    revision: 1,
    routes: [{ id: 'api', match: { path: '/', kind: 'prefix' }, auth: { required: false }, upstream: 'pool' }],
    upstreams: { pool: upstream },
  } as PolicyBundleInput;
}

async function sidecarFor(upstream: Record<string, unknown>): Promise<TestSidecar> {
  const s = await startTestSidecar('http://127.0.0.1:9', bundle(upstream));
  sidecars.push(s);
  return s;
}

const get = async (s: TestSidecar, path = '/x'): Promise<{ status: number; body: string; headers: Headers }> => {
  const r = await fetch(s.url + path);
  return { status: r.status, body: await r.text(), headers: r.headers };
};

afterEach(async () => {
  for (const s of sidecars.splice(0)) await s.close();
  for (const b of backends.splice(0)) {
    b.server.closeAllConnections();
    await new Promise<void>((r) => b.server.close(() => r()));
  }
});

describe('load balancing', () => {
  it.each(['round-robin', 'random', 'least-request'])('%s spreads requests by weight across 3 targets', async (algorithm) => {
    const [a, b, c] = [await backend('a'), await backend('b'), await backend('c')];
    const s = await sidecarFor({
      targets: [
        { name: 'a', url: a.url, weight: 1 },
        { name: 'b', url: b.url, weight: 2 },
        { name: 'c', url: c.url, weight: 3 },
      ],
      loadBalancing: { algorithm },
    });
    for (let i = 0; i < 120; i++) expect((await get(s)).status).toBe(200);
    if (algorithm === 'round-robin') expect([a.hits, b.hits, c.hits]).toEqual([20, 40, 60]);
    else {
      expect(a.hits + b.hits + c.hits).toBe(120);
      expect(c.hits).toBeGreaterThan(a.hits);
    }
  });

  it('consistent hashing keeps a client on one target', async () => {
    const [a, b, c] = [await backend('a'), await backend('b'), await backend('c')];
    const s = await sidecarFor({
      targets: [a, b, c].map((t) => ({ name: t.name, url: t.url })),
      loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } },
    });
    const seen = new Map<string, Set<string>>();
    for (let u = 0; u < 10; u++) {
      for (let i = 0; i < 5; i++) {
        const r = await fetch(s.url + '/x', { headers: { 'x-user': `user-${u}` } });
        (seen.get(`user-${u}`) ?? seen.set(`user-${u}`, new Set()).get(`user-${u}`)!).add(await r.text());
      }
    }
    for (const targets of seen.values()) expect(targets.size).toBe(1);
  });
});

describe('resilience', () => {
  it('retries an idempotent request on 503 to another target', async () => {
    const [bad, good] = [await backend('bad'), await backend('good')];
    bad.mode = '503';
    const s = await sidecarFor({
      targets: [
        { name: 'bad', url: bad.url },
        { name: 'good', url: good.url },
      ],
      retries: { attempts: 2, on: ['503', 'connect-failure'], backoffBaseMs: 1, backoffMaxMs: 5, budgetPercent: 100 },
    });
    for (let i = 0; i < 6; i++) {
      const r = await get(s);
      expect(r.status).toBe(200);
      expect(r.body).toBe('good');
    }
    expect(bad.hits).toBeGreaterThan(0);
  });

  it('does not retry a POST', async () => {
    const bad = await backend('bad');
    bad.mode = '503';
    const s = await sidecarFor({ targets: [{ name: 'bad', url: bad.url }], retries: { attempts: 3, on: ['503'], budgetPercent: 100 } });
    const r = await fetch(s.url + '/x', { method: 'POST', body: 'x' });
    expect(r.status).toBe(503);
    expect(bad.hits).toBe(1);
  });

  it('ejects a failing target (outlier detection) and answers 503 UPSTREAM_UNAVAILABLE when none is left', async () => {
    const [a, b] = [await backend('a'), await backend('b')];
    const s = await sidecarFor({
      targets: [
        { name: 'a', url: a.url },
        { name: 'b', url: b.url },
      ],
      outlierDetection: { consecutive5xx: 2, consecutiveConnectFailures: 1, baseEjectionMs: 60_000, maxEjectionPercent: 50 },
    });
    a.mode = '503';
    for (let i = 0; i < 8; i++) await get(s);
    const before = a.hits;
    for (let i = 0; i < 6; i++) expect((await get(s)).body).toBe('b');
    expect(a.hits).toBe(before);
    const ready = (await (await fetch(`${s.adminUrl}/readyz`)).json()) as { bundle: { upstreams: { targets: { name: string; ejected: boolean }[] }[] } };
    expect(ready.bundle.upstreams[0]!.targets.find((t) => t.name === 'a')!.ejected).toBe(true);
  });

  it('active health checks take an unhealthy target out and all-unhealthy answers 503', async () => {
    const [a, b] = [await backend('a'), await backend('b')];
    const s = await sidecarFor({
      targets: [
        { name: 'a', url: a.url },
        { name: 'b', url: b.url },
      ],
      healthCheck: { path: '/health', intervalMs: 100, timeoutMs: 200, healthyThreshold: 1, unhealthyThreshold: 1 },
    });
    a.mode = '503';
    await new Promise((r) => setTimeout(r, 400));
    for (let i = 0; i < 4; i++) expect((await get(s)).body).toBe('b');
    b.mode = '503';
    await new Promise((r) => setTimeout(r, 400));
    const r = await fetch(s.url + '/x');
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_UNAVAILABLE');
    const m = await (await fetch(`${s.adminUrl}/metrics`)).text();
    expect(m).toMatch(/agentcore_proxy_upstream_target_healthy\{upstream="pool",target="a"\} 0/);
    a.mode = 'ok';
    await new Promise((r) => setTimeout(r, 400));
    expect((await get(s)).body).toBe('a');
  });

  it('opens the circuit after consecutive failures: 503 with Retry-After at once, without touching the backend', async () => {
    const a = await backend('a');
    a.mode = '503';
    const s = await sidecarFor({ targets: [{ name: 'a', url: a.url }], circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await get(s)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 20));
    const hits = a.hits;
    const t0 = Date.now();
    const r = await fetch(s.url + '/x');
    expect(Date.now() - t0).toBeLessThan(200);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).not.toBeNull();
    expect(((await r.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('CIRCUIT_OPEN');
    expect(a.hits).toBe(hits);
  });

  it('caps concurrent requests: over maxConcurrent with no queue → 503', async () => {
    const a = await backend('a');
    a.mode = 'hang';
    const s = await sidecarFor({ targets: [{ name: 'a', url: a.url }], timeouts: { perTryMs: 1000 }, circuitBreaker: { maxConcurrent: 2, maxPending: 0 } });
    const inflight = [fetch(s.url + '/1'), fetch(s.url + '/2')];
    await new Promise((r) => setTimeout(r, 100));
    const r = await fetch(s.url + '/3');
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('MAX_CONCURRENT');
    for (const p of inflight) expect((await p).status).toBe(504);
  });
});

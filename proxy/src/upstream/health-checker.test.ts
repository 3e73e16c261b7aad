import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkOnce, createHealthChecker, type HealthCheckConfig } from './health-checker.js';

const cfg: HealthCheckConfig = { path: '/healthz', intervalMs: 20, timeoutMs: 150, healthyThreshold: 2, unhealthyThreshold: 3, expectedStatuses: [200] };

interface Backend {
  server: Server;
  url: string;
  status: number;
  hits: number;
  paths: string[];
}
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function backend(status = 200, answer = true): Promise<Backend> {
  const b = { status, hits: 0, paths: [] as string[] } as Backend;
  b.server = createServer((req, res) => {
    b.hits++;
    b.paths.push(req.url ?? '');
    if (answer) res.writeHead(b.status).end('x');
  });
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', r));
  b.url = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`;
  cleanup.push(() => new Promise((r) => (b.server.closeAllConnections(), b.server.close(() => r()))));
  return b;
}
function pool(url: string): Pool {
  const p = new Pool(url, { connections: 2, connect: { timeout: 200 } });
  cleanup.push(() => p.destroy());
  return p;
}
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('health checker', () => {
  it.each([
    [200, [200], true],
    [204, [200, 204], true],
    [500, [200], false],
    [404, [200], false],
  ])('checkOnce: status %i with expected %j → %s', async (status, expectedStatuses, ok) => {
    const b = await backend(status);
    expect(await checkOnce(pool(b.url), { ...cfg, expectedStatuses }, new AbortController().signal)).toBe(ok);
    expect(b.paths).toEqual(['/healthz']);
  });

  it('checkOnce: a backend that never answers fails at the timeout', async () => {
    const b = await backend(200, false);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    expect(await checkOnce(pool(b.url), cfg, ac.signal)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('transitions with thresholds as the backend flips between 200 and 500, then closes', async () => {
    const b = await backend(200);
    const target = { name: 'a', pool: pool(b.url) };
    const events: { healthy: boolean; hitsSinceFlip: number }[] = [];
    let flipAt = 0;
    const hc = createHealthChecker([target], cfg, { onChange: (_t, healthy) => events.push({ healthy, hitsSinceFlip: b.hits - flipAt }) });
    cleanup.push(async () => hc.stop());
    expect(hc.isHealthy(target)).toBe(true);
    await until(() => b.hits >= 3);
    expect(events).toEqual([]); // healthy from the start, stays so

    b.status = 500;
    flipAt = b.hits;
    await until(() => events.length === 1);
    expect(hc.isHealthy(target)).toBe(false);
    // 3 failed checks in a row (a check in flight at the flip may have been answered 200)
    expect(events[0]!.healthy).toBe(false);
    expect(events[0]!.hitsSinceFlip).toBeGreaterThanOrEqual(3);
    expect(events[0]!.hitsSinceFlip).toBeLessThanOrEqual(4);

    b.status = 200;
    flipAt = b.hits;
    await until(() => events.length === 2);
    expect(hc.isHealthy(target)).toBe(true);
    expect(events[1]!.hitsSinceFlip).toBeGreaterThanOrEqual(2);
    expect(events[1]!.hitsSinceFlip).toBeLessThanOrEqual(3);

    await new Promise<void>((r) => (b.server.closeAllConnections(), b.server.close(() => r())));
    await until(() => events.length === 3); // connection refused counts as failed checks
    expect(events[2]!.healthy).toBe(false);
    expect(hc.isHealthy(target)).toBe(false);
  });

  it('a single flapping failure does not mark a target unhealthy', async () => {
    const b = await backend(200);
    const target = { name: 'a', pool: pool(b.url) };
    const hc = createHealthChecker([target], { ...cfg, unhealthyThreshold: 3 });
    cleanup.push(async () => hc.stop());
    await until(() => b.hits >= 2);
    b.status = 500;
    const at = b.hits;
    await until(() => b.hits >= at + 1);
    b.status = 200;
    await until(() => b.hits >= at + 5);
    expect(hc.isHealthy(target)).toBe(true);
  });

  it('checks each target independently', async () => {
    const good = await backend(200);
    const bad = await backend(503);
    const ta = { name: 'good', pool: pool(good.url) };
    const tb = { name: 'bad', pool: pool(bad.url) };
    const hc = createHealthChecker([ta, tb], cfg);
    cleanup.push(async () => hc.stop());
    await until(() => !hc.isHealthy(tb));
    expect(hc.isHealthy(ta)).toBe(true);
    expect(hc.isHealthy({ name: 'other', pool: ta.pool })).toBe(false);
  });

  it('stop() clears every timer and no check runs afterwards', async () => {
    const created: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const t = real(fn, ms);
      // only the checker's own timers (undici keeps its own for sockets it is closing)
      if (new Error().stack?.includes('health-checker.ts')) created.push(t);
      return t;
    }) as typeof setTimeout);
    const b = await backend(200, false); // never answers: a check is in flight at stop()
    const slow = await backend(200);
    const hc = createHealthChecker(
      [
        { name: 'hang', pool: pool(b.url) },
        { name: 'ok', pool: pool(slow.url) },
      ],
      { ...cfg, timeoutMs: 5000 },
    );
    await until(() => slow.hits >= 2 && b.hits >= 1);
    hc.stop();
    vi.restoreAllMocks();
    await new Promise((r) => setTimeout(r, 20));
    const hits = slow.hits + b.hits;
    await new Promise((r) => setTimeout(r, 100));
    expect(slow.hits + b.hits).toBe(hits);
    expect(created.length).toBeGreaterThan(0);
    for (const t of created) expect((t as unknown as { _destroyed: boolean })._destroyed).toBe(true);
  });
});

/**
 * Shared rate limits across sidecars, against the real Redis of the machine (127.0.0.1:6379), and a
 * Redis of our own that we stop and restart (by pid) to show the fallback and the recovery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBackend, type DemoBackend } from '../../e2e/src/demo-backend.js';
import { demoBundle, demoCredentials, startTestSidecar, type TestSidecar } from './helpers.js';

let backend: DemoBackend;
beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
});
afterAll(async () => {
  await backend?.close();
});

/** The demo bundle under a service name of its own, so its Redis keys collide with nothing else. */
function uniqueBundle(): ReturnType<typeof demoBundle> {
  const b = demoBundle();
  b.service = `rl-${randomBytes(4).toString('hex')}`;
  return b;
}

const post = (url: string): Promise<number> =>
  fetch(`${url}/api/v1/agents`, {
    method: 'POST',
    headers: { 'x-api-key': demoCredentials.apiKeys.operator, 'content-type': 'application/json' },
    body: '{"name":"x"}',
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

describe('two sidecars on one Redis', () => {
  let a: TestSidecar;
  let b: TestSidecar;
  beforeAll(async () => {
    const bundle = uniqueBundle();
    a = await startTestSidecar(backend.url, bundle, ['--redis', 'redis://127.0.0.1:6379', '--redis-timeout-ms', '1000']);
    b = await startTestSidecar(backend.url, bundle, ['--redis', 'redis://127.0.0.1:6379', '--redis-timeout-ms', '1000']);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('admit the limit together (5 per 10 s), not twice the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await post(i % 2 === 0 ? a.url : b.url));
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const m = await (await fetch(`${a.adminUrl}/metrics`)).text();
    expect(m).toMatch(/agentcore_proxy_rate_limit_redis_up 1/);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // the port is taken: redis is listening
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (ok) return p;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis stopped during load', () => {
  let redis: ChildProcess | undefined;
  let port: number;
  let s: TestSidecar;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    s = await startTestSidecar(backend.url, uniqueBundle(), ['--redis', `redis://127.0.0.1:${port}`, '--redis-timeout-ms', '50']);
  });
  afterAll(async () => {
    await s?.close();
    if (redis && redis.exitCode === null) redis.kill('SIGKILL');
  });

  it('keeps answering without waiting on Redis, falls back to local limits, and recovers by itself', async () => {
    const reads = (): Promise<number[]> =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${s.url}/api/v1/agents`, { headers: { 'x-api-key': demoCredentials.apiKeys.viewer } }).then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          }),
        ),
      );
    expect((await reads()).every((x) => x === 200)).toBe(true);
    const stopped = new Promise((r) => redis!.once('exit', r));
    redis!.kill('SIGTERM');
    await stopped;
    const t0 = Date.now();
    const during = await reads();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(during.every((x) => x === 200)).toBe(true);
    // The local fallback still enforces the write limit.
    const writes: number[] = [];
    for (let i = 0; i < 7; i++) writes.push(await post(s.url));
    expect(writes.filter((x) => x === 201)).toHaveLength(5);
    expect(await (await fetch(`${s.adminUrl}/metrics`)).text()).toMatch(/agentcore_proxy_rate_limit_redis_up 0/);
    expect(s.logText()).toContain('Redis unavailable: rate-limit fallback applies');

    redis = await startRedis(port);
    const deadline = Date.now() + 8000;
    let up = '';
    while (Date.now() < deadline) {
      up = await (await fetch(`${s.adminUrl}/metrics`)).text();
      if (/agentcore_proxy_rate_limit_redis_up 1/.test(up)) break;
      await reads();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(up).toMatch(/agentcore_proxy_rate_limit_redis_up 1/);
    expect(s.logText()).toContain('rate limits back on Redis');
  });
});

describe('Redis unreachable with --redis-fallback closed', () => {
  let s: TestSidecar;
  beforeAll(async () => {
    const port = await freePort();
    s = await startTestSidecar(backend.url, uniqueBundle(), ['--redis', `redis://127.0.0.1:${port}`, '--redis-timeout-ms', '50', '--redis-fallback', 'closed']);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After on limited routes, and leaves unlimited routes alone', async () => {
    const r = await fetch(`${s.url}/api/v1/agents`, { headers: { 'x-api-key': demoCredentials.apiKeys.viewer } });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    const body = (await r.json()) as { error: { code: string } };
    expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});

describe('Redis hung (SIGSTOP) under keep-alive load', () => {
  const TIMEOUT_MS = 300;
  let redis: ChildProcess | undefined;
  let s: TestSidecar;
  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    s = await startTestSidecar(backend.url, uniqueBundle(), ['--redis', `redis://127.0.0.1:${port}`, '--redis-timeout-ms', String(TIMEOUT_MS)]);
  });
  afterAll(async () => {
    await s?.close();
    if (redis?.pid && redis.exitCode === null) {
      process.kill(redis.pid, 'SIGCONT');
      redis.kill('SIGKILL');
    }
  });

  it('no request of 12 keep-alive clients waits longer than --redis-timeout-ms (+ a small margin)', async () => {
    const { Agent, request } = await import('undici');
    const agent = new Agent({ connections: 12, keepAliveTimeout: 10_000 });
    const one = async (): Promise<{ status: number; ms: number }> => {
      const t0 = performance.now();
      const r = await request(`${s.url}/api/v1/agents`, { dispatcher: agent, headers: { 'x-api-key': demoCredentials.apiKeys.viewer } });
      await r.body.arrayBuffer();
      return { status: r.statusCode, ms: performance.now() - t0 };
    };
    // Warm: 12 connections open and Redis in use.
    await Promise.all(Array.from({ length: 12 }, one));
    let stop = false;
    const seen: { status: number; ms: number }[] = [];
    const clients = Array.from({ length: 12 }, async () => {
      while (!stop) seen.push(await one());
    });
    await new Promise((r) => setTimeout(r, 150));
    process.kill(redis!.pid!, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(clients);
    process.kill(redis!.pid!, 'SIGCONT');
    await agent.close();
    expect(seen.filter((x) => x.status !== 200 && x.status !== 429)).toEqual([]); // the local fallback may limit
    const slowest = Math.max(...seen.map((x) => x.ms));
    expect(slowest).toBeGreaterThan(TIMEOUT_MS * 0.8); // the hang was felt once …
    expect(slowest).toBeLessThan(TIMEOUT_MS + 150); // … and never for longer than the timeout
  });
});

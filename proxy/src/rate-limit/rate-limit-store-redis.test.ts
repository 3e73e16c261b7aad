import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimit, RateLimitSubject } from '@agentcore/policies';
import { compileLimit, MemoryRateLimitStore, type CompiledLimit, type RateLimitOutcome } from './rate-limiter.js';
import { RedisRateLimitStore, type RedisFallback, type RedisRateLimitOptions } from './rate-limit-store-redis.js';

const SHARED_URL = 'redis://127.0.0.1:6379';
const PREFIX = `agentcore:rl:test-${process.pid}-${randomUUID().slice(0, 8)}:`;

function limit(l: Partial<RateLimit> & { id: string }): CompiledLimit {
  return compileLimit({ scope: ['client'], quotas: [], algorithm: 'gcra', ...l });
}

function subject(client: string, routeId = 'r1'): RateLimitSubject {
  return { principalId: client, clientAddress: '10.0.0.1', routeId, resource: 'agents' };
}

const stores: RedisRateLimitStore[] = [];
/** A store on the shared Redis. The timeout is generous (tests of the timeout set their own): on the loaded 2-core VM a pipelined command exceeds 50 ms at times, and a fallback would hide what these tests count. */
function store(o: Partial<RedisRateLimitOptions> = {}): RedisRateLimitStore {
  const s = new RedisRateLimitStore({ url: SHARED_URL, keyPrefix: PREFIX, commandTimeoutMs: 1000, local: new MemoryRateLimitStore(), ...o });
  stores.push(s);
  return s;
}

let admin: Redis;
beforeAll(() => {
  admin = new Redis(SHARED_URL);
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  const keys = await admin.keys(`${PREFIX}*`);
  if (keys.length) await admin.del(...keys);
  admin.disconnect();
});

const pick = (o: RateLimitOutcome) => ({ allowed: o.allowed, denied: o.denied?.name, deniedDecision: o.deniedDecision, header: o.header });

describe('RedisRateLimitStore against the shared Redis', () => {
  it('gives the same decisions as MemoryRateLimitStore for the same clock (GCRA, fixed windows, calendar quotas)', async () => {
    const gcra = limit({ id: 'gcra', rate: { requests: 6, periodSeconds: 1, burst: 3 } });
    const window = limit({ id: 'win', scope: [], algorithm: 'fixed-window', rate: { requests: 5, periodSeconds: 0.7 } });
    const quotas = limit({ id: 'quota', quotas: [{ requests: 8, period: 'hour' }, { requests: 20, period: 'day' }, { requests: 30, period: 'month' }] });
    const routes = [[gcra, quotas], [window], [gcra, window, quotas]];
    // A fallback would answer like the memory store: make it fail loudly instead.
    const noFallback = { check: (): never => expect.unreachable('the Redis store fell back') };
    const redis = store({ clock: 'caller', keyPrefix: `${PREFIX}eq:`, local: noFallback });
    await redis.ready();
    const memory = new MemoryRateLimitStore();
    // Starts just before a month boundary, so windows roll over during the sequence.
    let now = Date.UTC(2025, 0, 31, 23, 59, 58, 0) + 0.25;
    const steps = [0, 0, 1, 50, 166, 167, 0, 333, 700, 2, 1000, 0, 90];
    let allowed = 0;
    for (let i = 0; i < 240; i++) {
      now += steps[(i * 7) % steps.length]!;
      const limits = routes[i % routes.length]!;
      const s = subject(i % 5 === 0 ? 'bob' : 'alice');
      const expected = pick(memory.check(limits, s, now));
      const got = pick(await redis.check(limits, s, now));
      expect(got, `request ${i} at ${now}`).toEqual(expected);
      if (got.allowed) allowed++;
    }
    expect(allowed).toBeGreaterThan(30);
    expect(allowed).toBeLessThan(200);
    expect(redis.mode).toBe('redis');
  });

  it('two sidecars sharing one limit admit L in total, not 2L', async () => {
    const l = [limit({ id: 'shared', scope: [], rate: { requests: 20, periodSeconds: 3600, burst: 20 } })];
    const a = store();
    const b = store();
    await Promise.all([a.ready(), b.ready()]);
    let admitted = 0;
    for (let i = 0; i < 60; i++) {
      const o = await (i % 2 ? a : b).check(l, subject('x'), Date.now());
      if (o.allowed) admitted++;
    }
    expect(admitted).toBe(20);
  });

  it('200 parallel checks on one key admit exactly the burst', async () => {
    const l = [limit({ id: 'parallel', rate: { requests: 50, periodSeconds: 3600 } })];
    const a = store();
    const b = store();
    await Promise.all([a.ready(), b.ready()]);
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).check(l, subject('p'), Date.now())));
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(50);
    const denied = outcomes.find((o) => !o.allowed);
    expect(denied?.deniedDecision?.retryAfterMs).toBeGreaterThan(0);
    expect(denied?.header).toMatch(/^"parallel";r=0;t=\d+$/);
  });

  it('consumes nothing when one check of the request denies (all or nothing)', async () => {
    const g = limit({ id: 'aon-rate', rate: { requests: 10, periodSeconds: 3600 } });
    const q = limit({ id: 'aon-quota', quotas: [{ requests: 2, period: 'hour' }] });
    const s = store();
    await s.ready();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await s.check([g, q], subject('c'), Date.now()));
    expect(results.map((o) => o.allowed)).toEqual([true, true, false, false]);
    expect(results[2]!.denied?.name).toBe('aon-quota-hour');
    // The two denied requests took nothing from the rate: 10 − 2 − this one = 7.
    const alone = await s.check([g], subject('c'), Date.now());
    expect(alone.header).toMatch(/^"aon-rate";r=7;t=\d+$/);
  });

  it('sets a TTL on every counter key, no longer than its reset', async () => {
    const l = limit({ id: 'ttl', rate: { requests: 10, periodSeconds: 60 }, quotas: [{ requests: 100, period: 'day' }] });
    const s = store();
    await s.ready();
    await s.check([l], subject('t'), Date.now());
    const keys = await admin.keys(`${PREFIX}ttl*`);
    expect(keys.sort()).toEqual([`${PREFIX}ttl|c:p:t`, `${PREFIX}ttl|c:p:t#ttl-day`]);
    const rateTtl = await admin.pttl(`${PREFIX}ttl|c:p:t`);
    const dayTtl = await admin.pttl(`${PREFIX}ttl|c:p:t#ttl-day`);
    expect(rateTtl).toBeGreaterThan(0);
    expect(rateTtl).toBeLessThanOrEqual(6000); // one emission interval
    expect(dayTtl).toBeGreaterThan(0);
    expect(dayTtl).toBeLessThanOrEqual(86_400_000);
  });

  it('rejects bad options at construction with a message naming the flag', () => {
    const local = new MemoryRateLimitStore();
    expect(() => new RedisRateLimitStore({ url: 'localhost:6379', keyPrefix: 'x:', local })).toThrow(/--redis must use redis:\/\//);
    expect(() => new RedisRateLimitStore({ url: SHARED_URL, keyPrefix: 'x:', local, commandTimeoutMs: 0 })).toThrow(/--redis-timeout-ms/);
    expect(() => new RedisRateLimitStore({ url: SHARED_URL, keyPrefix: 'x:', local, fallback: 'maybe' as RedisFallback })).toThrow(/--redis-fallback/);
  });
});

// ---- faults, on a Redis of our own ----

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

const servers = new Set<ChildProcess>();
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  for (let i = 0; i < 100 && !(await canConnect(port)); i++) await sleep(20);
  return child;
}
async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.pid) process.kill(child.pid, 'SIGCONT');
  child.kill('SIGTERM');
  await exited;
}
afterAll(async () => {
  await Promise.all([...servers].map(stopRedis));
});

async function timed<T>(p: T | Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await p;
  return { value, ms: performance.now() - t0 };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
}

describe('RedisRateLimitStore when Redis fails', () => {
  const tight = [limit({ id: 'fault', rate: { requests: 5, periodSeconds: 3600 } })];

  it('never waits past the timeout, applies each fallback, and returns to Redis by itself', async () => {
    const port = await freePort();
    let server = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const changes: string[] = [];
    const mk = (fallback: RedisFallback) =>
      store({ url, fallback, commandTimeoutMs: 50, onModeChange: (mode, reason) => changes.push(`${fallback}:${mode}:${reason}`) });
    const local = mk('local');
    const open = mk('open');
    const closed = mk('closed');
    await Promise.all([local.ready(), open.ready(), closed.ready()]);
    expect([local.mode, open.mode, closed.mode]).toEqual(['redis', 'redis', 'redis']);

    // Spend the shared budget in Redis: all three stores share it.
    for (let i = 0; i < 5; i++) expect((await local.check(tight, subject('f'), Date.now())).allowed).toBe(true);
    expect((await open.check(tight, subject('f'), Date.now())).allowed).toBe(false);

    // Load running while Redis is stopped.
    let stop = false;
    let slowest = 0;
    let count = 0;
    const load = (async () => {
      while (!stop) {
        const batch = await Promise.all(Array.from({ length: 16 }, (_, i) => timed([local, open, closed][i % 3]!.check(tight, subject(`load${i}`), Date.now()))));
        for (const r of batch) slowest = Math.max(slowest, r.ms);
        count += batch.length;
        await sleep(5);
      }
    })();
    await sleep(100);
    await stopRedis(server);
    await sleep(400);
    stop = true;
    await load;
    expect(count).toBeGreaterThan(100);
    expect(slowest).toBeLessThan(200);
    expect([local.mode, open.mode, closed.mode]).toEqual(['fallback', 'fallback', 'fallback']);
    expect(changes.filter((c) => c.includes(':fallback:'))).toHaveLength(3);

    // local: per-process counters (this process's budget of 5 for a fresh client); open: all pass; closed: all denied.
    const localAdmitted = [];
    for (let i = 0; i < 8; i++) localAdmitted.push((await timed(local.check(tight, subject('g'), Date.now()))).value.allowed);
    expect(localAdmitted.filter(Boolean)).toHaveLength(5);
    const o = await timed(open.check(tight, subject('g'), Date.now()));
    expect(o.ms).toBeLessThan(200);
    expect(o.value).toMatchObject({ allowed: true, header: '"fault";r=5;t=0' });
    const c = await timed(closed.check(tight, subject('g'), Date.now()));
    expect(c.ms).toBeLessThan(200);
    expect(c.value).toMatchObject({ allowed: false, denied: tight[0]!.checks[0], deniedDecision: { retryAfterMs: 1000 }, header: '"fault";r=0;t=1' });

    // Redis returns on the same port: every store goes back by itself.
    server = await startRedis(port);
    await until(() => [local, open, closed].every((s) => s.mode === 'redis'), 5000);
    expect([local.mode, open.mode, closed.mode]).toEqual(['redis', 'redis', 'redis']);
    expect(changes.filter((x) => x.includes(':redis:'))).toHaveLength(6); // connected at start + recovered, per store
    // The new Redis is empty (no persistence): counting starts again, shared.
    expect((await closed.check(tight, subject('f'), Date.now())).allowed).toBe(true);
    await stopRedis(server);
  });

  it('a Redis that hangs (SIGSTOP) costs at most the timeout, and the store comes back when it resumes', async () => {
    const port = await freePort();
    const server = await startRedis(port);
    const s = store({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 50, probeIntervalMs: 200 });
    await s.ready();
    expect((await s.check(tight, subject('h'), Date.now())).allowed).toBe(true);
    process.kill(server.pid!, 'SIGSTOP');
    const r = await timed(s.check(tight, subject('h'), Date.now()));
    expect(r.ms).toBeLessThan(200);
    expect(r.value.allowed).toBe(true); // local fallback, fresh per-process counter
    expect(s.mode).toBe('fallback');
    const r2 = await timed(s.check(tight, subject('h'), Date.now()));
    expect(r2.ms).toBeLessThan(20); // no further waiting: fallback answers at once
    process.kill(server.pid!, 'SIGCONT');
    await until(() => s.mode === 'redis', 5000);
    expect(s.mode).toBe('redis');
    // Redis kept its counter: 1 taken before the hang (+ maybe the timed-out one, which Redis ran late).
    const after = await s.check(tight, subject('h'), Date.now());
    expect(after.header).toMatch(/^"fault";r=[23];t=\d+$/);
    await stopRedis(server);
  });

  it('reloads the script after SCRIPT FLUSH (NOSCRIPT)', async () => {
    const port = await freePort();
    const server = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const s = store({ url });
    await s.ready();
    expect((await s.check(tight, subject('n'), Date.now())).allowed).toBe(true);
    const other = new Redis(url);
    await other.script('FLUSH');
    other.disconnect();
    const o = await s.check(tight, subject('n'), Date.now());
    expect(o.header).toMatch(/^"fault";r=3;t=\d+$/);
    expect(s.mode).toBe('redis');
    await stopRedis(server);
  });

  it('starts in fallback when Redis is unreachable, and ready() rejects', async () => {
    const port = await freePort();
    const changes: string[] = [];
    const s = store({ url: `redis://127.0.0.1:${port}`, fallback: 'closed', onModeChange: (m) => changes.push(m) });
    await expect(s.ready(300)).rejects.toMatchObject({ code: 'PROXY_REDIS_UNAVAILABLE' });
    expect(s.mode).toBe('fallback');
    expect(changes).toEqual(['fallback']);
    const r = await timed(s.check(tight, subject('u'), Date.now()));
    expect(r.value.allowed).toBe(false);
    expect(r.ms).toBeLessThan(20);
  });
});

describe('benchmark (printed, not asserted)', () => {
  it('checks per second, local vs Redis, one process, batches of 64', async () => {
    const l = [limit({ id: 'bench', rate: { requests: 1_000_000, periodSeconds: 1 } })];
    const n = 20_000;
    const run = async (s: { check: RedisRateLimitStore['check'] }): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < n; i += 64) {
        await Promise.all(Array.from({ length: 64 }, (_, k) => s.check(l, subject(`b${(i + k) % 1000}`), Date.now())));
      }
      return Math.round(n / ((performance.now() - t0) / 1000));
    };
    const local = await run(new MemoryRateLimitStore());
    const s = store({ local: { check: (): never => expect.unreachable('the Redis store fell back') } });
    await s.ready();
    const redis = await run(s);
    expect(s.mode).toBe('redis');
    console.log(`rate-limit checks/s, one process: local ${local}, redis (auto-pipelined, batches of 64) ${redis}`);
  });
});

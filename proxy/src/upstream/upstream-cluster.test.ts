import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Upstream, type Upstream as UpstreamDef } from '@agentcore/policies';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamPools } from './upstream-pools.js';
import { createUpstreamCluster, LOCAL_TARGET, type Target, type UpstreamCluster } from './upstream-cluster.js';

const pools = new UpstreamPools({ connectTimeoutMs: 500, connections: 4, keepAliveTimeoutMs: 1000 });
const open: (UpstreamCluster | Server)[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) {
    if ('snapshot' in x) x.close();
    else await new Promise<void>((r) => (x.closeAllConnections(), x.close(() => r())));
  }
  await pools.close();
});

let clock = 0;
function cluster(def: unknown, random: () => number = () => 0.5): UpstreamCluster {
  const c = createUpstreamCluster('api', Upstream.parse(def), { localUpstream: 'http://127.0.0.1:9', pools, now: () => clock, random });
  open.push(c);
  return c;
}
const three = [
  { name: 'a', url: 'http://127.0.0.1:1001' },
  { name: 'b', url: 'http://127.0.0.1:1002' },
  { name: 'c', url: 'http://127.0.0.1:1003/prefix' },
];
const byName = (c: UpstreamCluster, n: string): Target => c.targets.find((t) => t.name === n)!;

describe('upstream cluster', () => {
  it('an upstream without targets has one: the local upstream', () => {
    const c = cluster({});
    expect(c.targets.map((t) => [t.name, t.url, t.origin, t.weight])).toEqual([[LOCAL_TARGET, 'http://127.0.0.1:9', 'http://127.0.0.1:9', 1]]);
    expect(c.pick()).toBe(c.targets[0]);
    expect(c.targets[0]!.pool).toBe(pools.get('http://127.0.0.1:9', 2000));
  });

  it('one pool per target origin, with the upstream connect timeout', () => {
    const c = cluster({ targets: three, timeouts: { connectMs: 700 } });
    expect(byName(c, 'c').origin).toBe('http://127.0.0.1:1003');
    expect(byName(c, 'c').pool).toBe(pools.get('http://127.0.0.1:1003', 700));
    expect(new Set(c.targets.map((t) => t.pool)).size).toBe(3);
  });

  it('rejects a non-http target URL with a message saying what to fix', () => {
    // the schema only checks it is a URL; the cluster is the one needing http(s)
    const def = { ...Upstream.parse({}), targets: [{ name: 'x', url: 'ftp://h/', weight: 1 }] };
    expect(() => createUpstreamCluster('api', def, { localUpstream: 'http://127.0.0.1:9', pools })).toThrow(/target "x": invalid URL.*http\(s\)/);
  });

  it('round-robins, and a retry avoids the targets already tried while another is eligible', () => {
    const c = cluster({ targets: three });
    expect([c.pick(), c.pick(), c.pick()].map((t) => t!.name)).toEqual(['a', 'b', 'c']);
    const tried = new Set([byName(c, 'a'), byName(c, 'b')]);
    for (let i = 0; i < 5; i++) expect(c.pick(undefined, tried)!.name).toBe('c');
    const all = new Set(c.targets);
    expect(c.pick(undefined, all)).toBeDefined(); // nothing else left: any eligible one
  });

  it('outlier detection ejects a failing target, returns it after the back-off, and pick answers undefined when all are out', () => {
    clock = 0;
    const c = cluster({ targets: three, outlierDetection: { consecutive5xx: 2, baseEjectionMs: 1000, maxEjectionPercent: 100 } });
    const a = byName(c, 'a');
    c.tryStarted(a);
    c.tryFinished(a, { status: 502 });
    c.tryStarted(a);
    c.tryFinished(a, { status: 503 });
    expect(c.snapshot().targets.find((t) => t.name === 'a')).toMatchObject({ ejected: true, healthy: true, active: 0 });
    for (let i = 0; i < 6; i++) expect(c.pick()!.name).not.toBe('a');
    for (const t of c.targets) for (let i = 0; i < 2; i++) c.tryFinished(t, { error: 'timeout' });
    expect(c.pick()).toBeUndefined();
    clock = 1000;
    expect(c.pick()).toBeDefined(); // all were ejected at 0 for 1 000 ms: all back
  });

  it('least-request sends new tries to the least busy target', () => {
    let r = 0;
    const seq = [0.1, 0.9]; // candidates a then c
    const c = cluster({ targets: three, loadBalancing: { algorithm: 'least-request' } }, () => seq[r++ % 2]!);
    const a = byName(c, 'a');
    c.tryStarted(a);
    c.tryStarted(a);
    expect(c.snapshot().targets.map((t) => t.active)).toEqual([2, 0, 0]);
    expect(c.pick()!.name).toBe('c');
    c.tryFinished(a, { status: 200 });
    c.tryFinished(a, { status: 200 });
    expect(c.pick()!.name).toBe('a');
  });

  it.each<[UpstreamDef['loadBalancing']['hashOn'], string | undefined]>([
    [{ type: 'header', name: 'x-user' }, 'u1'],
    [{ type: 'cookie', name: 'sid' }, 's1'],
    [{ type: 'client-address' }, '10.0.0.1'],
    [{ type: 'principal' }, 'alice'],
  ])('consistent hash on %j', (hashOn, key) => {
    const c = cluster({ targets: three, loadBalancing: { algorithm: 'consistent-hash', hashOn } });
    const req = { headers: { 'x-user': 'u1', cookie: 'sid=s1' }, clientAddress: '10.0.0.1', principalId: 'alice' };
    expect(c.hashKeyFor(req)).toBe(key);
    const first = c.pick(key);
    for (let i = 0; i < 10; i++) expect(c.pick(key)).toBe(first);
  });

  it('no hash key for other algorithms', () => {
    expect(cluster({ targets: three }).hashKeyFor({ headers: { 'x-user': 'u' }, clientAddress: '1.2.3.4' })).toBeUndefined();
  });

  it('the circuit breaker refuses once open, and the snapshot shows it', async () => {
    const c = cluster({ targets: three, circuitBreaker: { consecutiveFailures: 2 } });
    for (let i = 0; i < 2; i++) {
      const a = c.admit();
      if (a instanceof Promise || !a.ok) throw new Error('expected admission');
      a.done('failure');
      await new Promise((r) => setImmediate(r));
    }
    expect(c.admit()).toMatchObject({ ok: false, reason: 'CIRCUIT_OPEN' });
    expect(c.snapshot().circuit).toBe('open');
  });

  it('retries follow the upstream definition', () => {
    const c = cluster({ targets: three, retries: { attempts: 2 } });
    expect(c.retry.attempts).toBe(2);
    expect(c.retry.retryable('GET', {})).toBe(true);
    expect(c.retry.retryable('POST', {})).toBe(false);
    expect(cluster({ targets: three }).retry.retryable('GET', {})).toBe(false);
  });

  it('health checks against real backends: an unhealthy target is skipped; all unhealthy → undefined', async () => {
    const statuses = [200, 500];
    const servers = await Promise.all(
      statuses.map(async (_s, i) => {
        const srv = createServer((_req, res) => res.writeHead(statuses[i]!).end());
        await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
        open.push(srv);
        return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      }),
    );
    const c = cluster({
      targets: servers.map((url, i) => ({ name: `s${i}`, url })),
      healthCheck: { path: '/h', intervalMs: 100, timeoutMs: 200, unhealthyThreshold: 1, healthyThreshold: 1 },
    });
    await until(() => c.snapshot().targets[1]!.healthy === false);
    for (let i = 0; i < 4; i++) expect(c.pick()!.name).toBe('s0');
    statuses[0] = 503;
    await until(() => c.snapshot().targets[0]!.healthy === false);
    expect(c.pick()).toBeUndefined();
    statuses[1] = 200;
    await until(() => c.pick()?.name === 's1');
  });
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

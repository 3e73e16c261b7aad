#!/usr/bin/env node
// Event fan-out benchmark (docs/benchmarks.md § Events): N SSE subscribers on one sidecar process (memory bus) or
// split over two sidecar processes sharing Redis Streams (redis bus). The clients run in their own process (one
// socket per subscriber on each side would not fit one process's file limit). Measures the fan-out latency from
// publish to the last subscriber (p50/p99 over one-at-a-time events), sustained events delivered per second (a
// window of events in flight), and server memory per subscriber. Needs `npm run build` first.
//
//   node bench/events-bench.mjs [--subscribers 10000] [--bus memory|redis] [--latency-events 50] [--seconds 10]
import { fork } from 'node:child_process';
import { request, createServer, Agent } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const self = fileURLToPath(import.meta.url);
const { values: opt } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    subscribers: { type: 'string', default: '10000' },
    bus: { type: 'string', default: 'memory' },
    'latency-events': { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    window: { type: 'string', default: '4' },
    ports: { type: 'string', default: '' },
    prefix: { type: 'string', default: '' },
  },
});

// ------------------------------------------------------------------ server (one sidecar's event handlers)
async function server() {
  const ev = await import('../proxy/dist/events/index.js');
  const { compileRbac, EventsPolicy } = await import('../policies/dist/index.js');
  const policy = EventsPolicy.parse({ topics: [{ pattern: 'bench/{id}', permission: 'bench:read' }], queueLimit: 10_000, heartbeatMs: 60_000 });
  const rbac = compileRbac([{ name: 'reader', permissions: ['bench:read'], inherits: [] }]);
  const bus = opt.bus === 'redis'
    ? new ev.RedisEventBus({ url: 'redis://127.0.0.1:6379', prefix: opt.prefix, history: policy.history })
    : new ev.MemoryEventBus({ history: policy.history });
  if (bus.start) await bus.start();
  const hub = new ev.SubscriptionHub({ bus, authorize: ev.topicAuthorizer(policy, rbac) });
  const principal = { id: 'bench', roles: ['reader'] };
  const http = createServer((req, res) =>
    void ev.serveEventsSse(req, res, principal, { hub, requestId: 'bench', queueLimit: policy.queueLimit, maxTopics: 10, heartbeatMs: policy.heartbeatMs, retryMs: 1000 }),
  );
  http.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  await once(http, 'listening');
  process.send({ type: 'listening', port: http.address().port });
  process.on('message', async (m) => {
    if (m.type === 'memory') {
      globalThis.gc?.();
      const u = process.memoryUsage();
      process.send({ type: 'memory', rss: u.rss, heap: u.heapUsed, subscriptions: hub.stats().subscriptions });
    } else if (m.type === 'publish') {
      const e = await bus.publish({ topic: 'bench/1', type: 'tick', data: { n: m.n } });
      process.send({ type: 'published', n: m.n, id: e.id, time: e.time });
    } else if (m.type === 'exit') {
      await bus.close();
      process.exit(0);
    }
  });
}

// ------------------------------------------------------------------ clients (N raw SSE readers)
async function clients() {
  const ports = opt.ports.split(',').map(Number);
  const n = Number(opt.subscribers);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const arrivals = new Map(); // event id → { count, last }
  let open = 0;
  const onId = (id) => {
    let a = arrivals.get(id);
    if (!a) arrivals.set(id, (a = { count: 0, last: 0 }));
    a.count++;
    a.last = Date.now();
    if (a.count === n) {
      process.send({ type: 'delivered', id, last: a.last });
      arrivals.delete(id);
    }
  };
  const connect = (i) =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: ports[i % ports.length], path: '/events?topic=bench/1', agent }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          const text = rest + chunk;
          const end = text.lastIndexOf('\n\n');
          rest = end < 0 ? text : text.slice(end + 2);
          for (const m of (end < 0 ? '' : text.slice(0, end)).matchAll(/^id: (\S+)$/gm)) onId(m[1]);
        });
        open++;
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => connect(i + j)));
  globalThis.gc?.();
  process.send({ type: 'ready', open, heap: process.memoryUsage().heapUsed });
}

// ------------------------------------------------------------------ main
function child(role, extra = []) {
  const c = fork(self, ['--role', role, '--bus', opt.bus, '--subscribers', opt.subscribers, '--prefix', opt.prefix || `bench:events:{${process.pid}}`, ...extra], { execArgv: ['--expose-gc', ...(process.env.EVENTS_BENCH_PROF && role === 'server' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/evprof'] : [])] });
  return c;
}
const next = (c, type) => new Promise((resolve) => { const h = (m) => { if (m.type === type) { c.off('message', h); resolve(m); } }; c.on('message', h); });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const n = Number(opt.subscribers);
  const prefix = `bench:events:{${process.pid}}`;
  const servers = opt.bus === 'redis' ? [child('server', ['--prefix', prefix]), child('server', ['--prefix', prefix])] : [child('server')];
  const ports = [];
  for (const s of servers) ports.push((await next(s, 'listening')).port);
  const memBefore = await Promise.all(servers.map((s) => (s.send({ type: 'memory' }), next(s, 'memory'))));
  const t0 = Date.now();
  const cl = child('clients', ['--ports', ports.join(',')]);
  const ready = await next(cl, 'ready');
  const connectMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  const memAfter = await Promise.all(servers.map((s) => (s.send({ type: 'memory' }), next(s, 'memory'))));
  const subs = memAfter.reduce((a, m) => a + m.subscriptions, 0);
  const rssPer = memAfter.reduce((a, m, i) => a + m.rss - memBefore[i].rss, 0) / n;
  const heapPer = memAfter.reduce((a, m, i) => a + m.heap - memBefore[i].heap, 0) / n;

  const published = new Map();
  servers[0].on('message', (m) => m.type === 'published' && published.set(m.id, m.time));
  const delivered = [];
  const waiters = [];
  cl.on('message', (m) => {
    if (m.type !== 'delivered') return;
    delivered.push(m);
    waiters.shift()?.();
  });
  const oneDelivered = () => new Promise((r) => waiters.push(r));

  // Latency: one event at a time, publish → the last of N subscribers has it.
  const lat = [];
  for (let i = 0; i < Number(opt['latency-events']); i++) {
    const done = oneDelivered();
    servers[0].send({ type: 'publish', n: i });
    await done;
    const d = delivered.at(-1);
    while (!published.has(d.id)) await new Promise((r) => setImmediate(r));
    lat.push(d.last - published.get(d.id));
  }
  lat.sort((a, b) => a - b);

  // Throughput: keep a window of events in flight for `seconds`.
  const seconds = Number(opt.seconds);
  const win = Number(opt.window);
  const startCount = delivered.length;
  const tStart = Date.now();
  let sent = 0;
  await new Promise((resolve) => {
    const pump = () => {
      if (Date.now() - tStart > seconds * 1000) return resolve();
      servers[0].send({ type: 'publish', n: 1e6 + sent++ });
      oneDelivered().then(pump);
    };
    for (let i = 0; i < win; i++) pump();
  });
  const elapsed = (Date.now() - tStart) / 1000;
  const fullEvents = delivered.length - startCount;

  const result = {
    bus: opt.bus, sidecars: servers.length, subscribers: n, connected: ready.open, subscriptions: subs, connectMs,
    latencyMs: { p50: pct(lat, 50), p99: pct(lat, 99), max: lat.at(-1), events: lat.length },
    throughput: { eventsPerSecond: +(fullEvents / elapsed).toFixed(1), deliveriesPerSecond: Math.round((fullEvents * n) / elapsed), window: win, seconds: elapsed },
    memoryPerSubscriber: { rssKiB: +(rssPer / 1024).toFixed(1), heapKiB: +(heapPer / 1024).toFixed(1) },
    node: process.version,
  };
  console.log(JSON.stringify(result, null, 2));
  for (const s of servers) s.send({ type: 'exit' });
  cl.kill();
  if (opt.bus === 'redis') {
    const { Redis } = await import('ioredis');
    const r = new Redis('redis://127.0.0.1:6379');
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  }
}

if (opt.role === 'server') await server();
else if (opt.role === 'clients') await clients();
else await main();

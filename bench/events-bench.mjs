#!/usr/bin/env node
// Event fan-out benchmark (docs/benchmarks.md § Events) through the real sidecar (`startProxy`: the bench bundle with
// an event route, API-key authentication, RBAC, publishing on the admin port): N SSE subscribers on one sidecar
// process (memory bus) or split over two sidecar processes sharing Redis Streams (redis bus). The clients run in their own process (one
// socket per subscriber on each side would not fit one process's file limit). Measures the fan-out latency from
// publish to the last subscriber (p50/p99 over one-at-a-time events), sustained events delivered per second (a
// window of events in flight), and server memory per subscriber. Needs `npm run build` first.
//
//   node bench/events-bench.mjs [--subscribers 10000] [--bus memory|redis] [--latency-events 50] [--seconds 10]
import { fork } from 'node:child_process';
import { request, Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';

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

// ------------------------------------------------------------------ server (one real sidecar: startProxy)
// The bench bundle plus an event route; the bench API key authenticates subscribers (route auth) and publishers
// (admin port, `events.publish.permission`), exactly as in production. Bench-only key (plaintext: proxy-bench.mjs).
const BENCH_API_KEY = 'bench_only_7f3c9a1e5b2d4c6f8a0e1d3b5c7f9a2e';

function eventsBundle() {
  const b = JSON.parse(readFileSync(new URL('./bench.bundle.json', import.meta.url), 'utf8'));
  b.service = `bench-ev-${process.ppid}`; // its own Redis keys: agentcore:events:{bench-ev-<pid>}:events
  b.roles = [{ name: 'reader', permissions: ['bench:read', 'bench:publish'] }];
  b.routes.unshift({
    id: 'events',
    match: { methods: ['GET'], path: '/bench/events', kind: 'exact' },
    auth: { required: true, methods: ['api-key'] },
    permissions: ['bench:read'],
    events: { topics: [{ pattern: 'bench/{id}', permission: 'bench:read' }], queueLimit: 10_000, heartbeatMs: 60_000, publish: { permission: 'bench:publish' } },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'events-bench-')), 'bundle.json');
  writeFileSync(path, JSON.stringify(b));
  return path;
}

async function server() {
  const { startProxy } = await import('../proxy/dist/start-proxy.js');
  const { loadConfig } = await import('../proxy/dist/config.js');
  const args = ['--bundle', eventsBundle(), '--upstream', 'http://127.0.0.1:9', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-level', 'warn', '--watch', 'false'];
  if (opt.bus === 'redis') args.push('--events-redis', 'redis://127.0.0.1:6379');
  const r = loadConfig(args, {});
  if (!r.ok) throw new Error(r.errors.join('; '));
  const proxy = await startProxy(r.config, { defaultMetrics: false, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) }); // no access log lines on stdout
  const publishAgent = new Agent({ keepAlive: true, maxSockets: 8 });
  const publish = (n) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ topic: 'bench/1', type: 'tick', data: { n } });
      const req = request(`${proxy.adminUrl}/events/events/publish`, { method: 'POST', agent: publishAgent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': BENCH_API_KEY } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode === 202 ? resolve(JSON.parse(text)) : reject(new Error(`publish ${res.statusCode} ${text}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  process.send({ type: 'listening', port: Number(new URL(proxy.url).port) });
  process.on('message', async (m) => {
    if (m.type === 'memory') {
      globalThis.gc?.();
      const u = process.memoryUsage();
      process.send({ type: 'memory', rss: u.rss, heap: u.heapUsed, subscriptions: 0 });
    } else if (m.type === 'publish') {
      const t = Date.now();
      const e = await publish(m.n).catch(() => undefined); // refused only while closing at the end
      if (e) process.send({ type: 'published', n: m.n, id: e.id, time: t }); // the time the backend's POST left
    } else if (m.type === 'exit') {
      await proxy.close();
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
      const req = request({ host: '127.0.0.1', port: ports[i % ports.length], path: '/bench/events?topic=bench/1', agent, headers: { 'x-api-key': BENCH_API_KEY } }, (res) => {
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
  const subs = ready.open;
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
    const keys = await r.keys(`agentcore:events:{bench-ev-${process.pid}}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  }
}

if (opt.role === 'server') await server();
else if (opt.role === 'clients') await clients();
else await main();

#!/usr/bin/env node
// WebSocket through the sidecar: memory per idle connection, time to open them, relay throughput
// (see docs/benchmarks.md). Needs the built sidecar (`npm run build`).
//
// Processes, all started and stopped by pid here:
//   backend    a `ws` echo server
//   sidecar    the sidecar's pipeline + WebSocket upgrade handler on node:http, built from
//              proxy/dist (wired like proxy-server.ts; --sidecar cli uses `node proxy/dist/cli.js`
//              once proxy-server.ts wires upgrades), run with --expose-gc so heap is measured after GC
//   gen-*      load generators, ≤ 9,000 connections each (a process may hold 20,000 files)
// Route: public `/ws` (no auth; the handshake still runs every stage), echo backend.
//
// usage: node bench/ws-bench.mjs [--connections 9000] [--relay-connections 100] [--seconds 10]
//          [--size 1024] [--window 8] [--sidecar inproc|cli] [--json FILE]
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const PER_GENERATOR = 9000;
const role = process.argv[2];

const bundle = {
  version: 1,
  service: 'ws-bench',
  revision: 1,
  routes: [
    {
      id: 'ws',
      match: { methods: ['GET'], path: '/ws', kind: 'exact' },
      auth: { required: false },
      websocket: { maxConnectionsPerClient: 1000000, idleTimeoutMs: 3600000, maxMessageBytes: 1048576 },
    },
  ],
  logging: { level: 'minimal' },
};

const send = (m) => process.send?.(m);

if (role === 'backend') {
  const { WebSocketServer } = await import('ws');
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => send({ port: server.address().port }));
} else if (role === 'sidecar') {
  const dist = (p) => import(pathToFileURL(join(ROOT, 'proxy/dist', p)).href);
  const { validateBundle } = await import('@agentcore/policies');
  const [{ compileRuntime }, { createPipeline }, { ProxyMetrics }, { MemoryRateLimitStore }, { UpstreamPools }, { createUpgradeHandler }] = await Promise.all(
    ['policy-runtime.js', 'proxy-handler.js', 'metrics.js', 'rate-limiter.js', 'upstream-pools.js', 'websocket/upgrade-handler.js'].map(dist),
  );
  const stages = await Promise.all(
    [
      ['pipeline/accept.js', 'acceptStage', { trustedHops: 0, tls: false, maxUrlLength: 8192 }],
      ['pipeline/route.js', 'routeStage'],
      ['pipeline/cors.js', 'corsStage'],
      ['pipeline/authenticate.js', 'authenticateStage'],
      ['pipeline/authorize.js', 'authorizeStage'],
      ['pipeline/rate-limit.js', 'rateLimitStage', new MemoryRateLimitStore(10000)],
      ['pipeline/validate-request.js', 'validateRequestStage'],
    ].map(async ([file, name, arg]) => (await dist(file))[name](arg)),
  );
  const { pino } = await import('pino');
  const v = validateBundle(bundle);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const pools = new UpstreamPools({ connectTimeoutMs: 2000, connections: 16, keepAliveTimeoutMs: 4000 });
  const runtime = await compileRuntime(v.bundle, { localUpstream: process.argv[3], pools, tls: false, env: {} });
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const pipeline = createPipeline({ runtime: () => runtime, stages, accessLog: log, metrics: new ProxyMetrics(false) });
  const ws = createUpgradeHandler(pipeline, { runtime: () => runtime, log });
  const server = createServer({ requireHostHeader: false }, pipeline.onRequest);
  server.on('upgrade', ws.onUpgrade);
  process.on('message', (m) => {
    if (m === 'mem') {
      globalThis.gc?.();
      send({ mem: process.memoryUsage(), connections: ws.connections });
    }
  });
  server.listen(0, '127.0.0.1', () => send({ port: server.address().port }));
} else if (role === 'gen') {
  const { WebSocket } = await import('ws');
  const url = process.argv[3];
  const sockets = [];
  process.on('message', async (m) => {
    if (m.open) {
      const t0 = performance.now();
      let failed = 0;
      const batch = 200; // handshakes in flight at once
      for (let i = 0; i < m.open; i += batch) {
        const n = Math.min(batch, m.open - i);
        await Promise.all(
          Array.from({ length: n }, () =>
            new Promise((res) => {
              const s = new WebSocket(url, { perMessageDeflate: false });
              s.once('open', () => (sockets.push(s), res()));
              s.once('error', () => (failed++, res()));
            }),
          ),
        );
      }
      send({ opened: sockets.length, failed, ms: performance.now() - t0 });
    } else if (m.relay) {
      // m.relay connections, each keeping m.window messages of m.size bytes in flight, for m.seconds.
      const payload = Buffer.alloc(m.size, 120);
      const conns = await Promise.all(Array.from({ length: m.relay }, () => new Promise((res) => {
        const s = new WebSocket(m.url ?? url, { perMessageDeflate: false });
        s.once('open', () => res(s));
      })));
      let echoed = 0;
      let running = true;
      for (const s of conns) {
        s.on('message', () => {
          echoed++;
          if (running) s.send(payload);
        });
        for (let i = 0; i < m.window; i++) s.send(payload);
      }
      await new Promise((r) => setTimeout(r, 1000)); // warm-up
      const start = echoed;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, m.seconds * 1000));
      const count = echoed - start;
      const secs = (performance.now() - t0) / 1000;
      running = false;
      for (const s of conns) s.close();
      send({ echoes: count, secs });
    } else if (m === 'close') {
      for (const s of sockets) s.terminate();
      sockets.length = 0;
      send({ closed: true });
    }
  });
  send({ ready: true });
} else {
  await main();
}

function once(child, pred) {
  return new Promise((res, rej) => {
    const on = (m) => {
      if (pred(m)) {
        child.off('message', on);
        res(m);
      }
    };
    child.on('message', on);
    child.once('exit', (code) => rej(new Error(`pid ${child.pid} exited (${code})`)));
  });
}

function rssKiB(pid) {
  // The sidecar's process and its children (cluster workers with --workers N).
  let kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  let children = '';
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    /* no children file on this kernel */
  }
  for (const c of children.split(' ').filter(Boolean)) kib += rssKiB(Number(c));
  return kib;
}
function mib(b) {
  return (b / 1048576).toFixed(1);
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      connections: { type: 'string', default: '9000' },
      'relay-connections': { type: 'string', default: '100' },
      seconds: { type: 'string', default: '10' },
      size: { type: 'string', default: '1024' },
      window: { type: 'string', default: '8' },
      sidecar: { type: 'string', default: 'inproc' },
      workers: { type: 'string', default: '1' },
      json: { type: 'string' },
    },
  });
  const N = Number(a.connections);
  const children = [];
  const start = (args, execArgv = []) => {
    const c = fork(SELF, args, { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(c);
    return c;
  };
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGTERM');
  };
  process.once('SIGINT', () => (stopAll(), process.exit(130)));
  let tmp;
  try {
    const backend = start(['backend']);
    const bport = (await once(backend, (m) => m.port)).port;
    let sidecar;
    let url;
    let mem = async () => undefined;
    if (a.sidecar === 'cli') {
      tmp = mkdtempSync(join(tmpdir(), 'ws-bench-'));
      writeFileSync(join(tmp, 'bundle.json'), JSON.stringify(bundle));
      const port = await new Promise((r) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = s.address().port;
          s.close(() => r(p));
        });
      });
      sidecar = spawn(process.execPath, [join(ROOT, 'proxy/dist/cli.js'), '--bundle', join(tmp, 'bundle.json'), '--upstream', `http://127.0.0.1:${bport}`, '--listen', `127.0.0.1:${port}`, '--admin-listen', '127.0.0.1:0', '--workers', a.workers], { stdio: 'ignore' });
      children.push(sidecar);
      url = `ws://127.0.0.1:${port}/ws`;
      await new Promise((r) => setTimeout(r, 5000));
    } else {
      sidecar = start(['sidecar', `http://127.0.0.1:${bport}`], ['--expose-gc']);
      url = `ws://127.0.0.1:${(await once(sidecar, (m) => m.port)).port}/ws`;
      mem = async () => {
        sidecar.send('mem');
        return (await once(sidecar, (m) => m.mem)).mem;
      };
    }
    await new Promise((r) => setTimeout(r, 300));
    const rss0 = rssKiB(sidecar.pid);
    const heap0 = await mem();

    const gens = [];
    for (let left = N; left > 0; left -= PER_GENERATOR) {
      const g = start(['gen', url]);
      await once(g, (m) => m.ready);
      gens.push({ g, n: Math.min(PER_GENERATOR, left) });
    }
    const t0 = performance.now();
    const opened = await Promise.all(gens.map(({ g, n }) => (g.send({ open: n }), once(g, (m) => m.opened !== undefined))));
    const openMs = performance.now() - t0;
    const ok = opened.reduce((s, o) => s + o.opened, 0);
    const failed = opened.reduce((s, o) => s + o.failed, 0);
    await new Promise((r) => setTimeout(r, 1000));
    const heap1 = await mem();
    const rss1 = rssKiB(sidecar.pid);
    console.error(`opened ${ok} (failed ${failed}) in ${(openMs / 1000).toFixed(2)} s; RSS ${rss0} → ${rss1} KiB`);
    await Promise.all(gens.map(({ g }) => (g.send('close'), once(g, (m) => m.closed))));
    await new Promise((r) => setTimeout(r, 1000));

    const rg = gens[0].g;
    const relayRun = async (target) => {
      rg.send({ relay: Number(a['relay-connections']), seconds: Number(a.seconds), size: Number(a.size), window: Number(a.window), url: target });
      const r = await once(rg, (m) => m.echoes !== undefined);
      await new Promise((res) => setTimeout(res, 500));
      return r.echoes / r.secs;
    };
    const directPerSec = await relayRun(`ws://127.0.0.1:${bport}/ws`);
    const echoesPerSec = await relayRun(undefined);
    const relay = { directPerSec, echoesPerSec };

    const perConnKiB = ((rss1 - rss0) / ok).toFixed(2);
    const heapPerConnKiB = heap0 && heap1 ? ((heap1.heapUsed - heap0.heapUsed) / 1024 / ok).toFixed(2) : 'n/a';
    const cmd = `node bench/ws-bench.mjs ${process.argv.slice(2).join(' ')}`.trim();
    const rows = [
      ['idle connections open through the sidecar', `${ok} (${failed} failed)`],
      ['time to open them', `${(openMs / 1000).toFixed(2)} s (${Math.round(ok / (openMs / 1000))}/s, 200 handshakes in flight per generator)`],
      ['sidecar RSS before → after', `${mib(rss0 * 1024)} → ${mib(rss1 * 1024)} MiB`],
      ['RSS per connection (client + backend socket)', `${perConnKiB} KiB`],
      ['JS heap per connection (after GC)', heapPerConnKiB === 'n/a' ? 'n/a' : `${heapPerConnKiB} KiB`],
      [`relay, ${a['relay-connections']} connections × ${a.window} in flight, ${a.size} B messages`, `${Math.round(echoesPerSec)} round trips/s = ${Math.round(echoesPerSec * 2)} messages relayed/s (${mib(echoesPerSec * 2 * Number(a.size))} MiB/s)`],
      ['same, straight to the backend (no sidecar)', `${Math.round(directPerSec)} round trips/s`],
    ];
    console.log(`\n\`${cmd}\` — Node ${process.version}, ${cpus().length} CPUs, sidecar ${a.sidecar}\n`);
    console.log('| measure | value |\n|---|---:|');
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
    if (a.json) writeFileSync(a.json, JSON.stringify({ cmd, ok, failed, openMs, rss0, rss1, heap0, heap1, relay }, null, 2));
  } finally {
    stopAll();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

#!/usr/bin/env node
// Soak: a fixed mixed load through ONE sidecar (synced mode) for a long time, with a Redis restart and a
// control-plane restart in the middle; samples the sidecar's RSS, V8 heap, open file descriptors and the error
// counts every 10 s, and writes a CSV and an SVG plot.
//
//   node bench/soak.mjs [--minutes 30] [--rate 40] [--ws 20] [--sample-s 10] [--out bench/results/soak-<time>]
//
// Everything runs on 127.0.0.1: a private redis-server (free port), the admin API as a child process (SQLite in
// a temp dir), the sidecar as a child process (`proxy/dist/cli.js`, synced, `--redis`), and a small HTTP +
// WebSocket echo backend in this process. Load: `--rate` requests/s in a fixed mix — public pass-through, JWT
// reads, API-key reads, writes over the write limit (429s), denials (403, 401) — plus `--ws` WebSockets held
// open, each sending a message every 2 s (reopened when closed). At 40 % of the run Redis is stopped for 5 s
// and started again on the same port; at 60 % the control plane likewise. An "error" is a 5xx, a network
// error, or a status the mix does not expect. Stops by itself. Requires `npm run build`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importJWK, SignJWT } from 'jose';
import { Agent, request } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import { loginForToken, seedService } from '../e2e/dist/seed-demo.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '40' },
    ws: { type: 'string', default: '20' },
    'sample-s': { type: 'string', default: '10' },
    out: { type: 'string', default: `bench/results/soak-${new Date().toISOString().replace(/[:.]/g, '-')}` },
  },
});
const DURATION_MS = Number(values.minutes) * 60_000;
const RATE = Number(values.rate);
const WS_COUNT = Number(values.ws);
const SAMPLE_MS = Number(values['sample-s']) * 1000;
const OUT = values.out;
mkdirSync(OUT, { recursive: true });
const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'agentcore-soak-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);

async function freePort() {
  const s = netServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}
async function waitFor(what, cond, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what} not ready after ${ms} ms`);
    await sleep(100);
  }
}
const children = new Set();
function child(cmd, args, env = {}, logName = undefined) {
  const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', logName ? 'pipe' : 'ignore'] });
  if (logName) c.stderr.on('data', (d) => writeFileSync(join(OUT, logName), d, { flag: 'a' }));
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}
async function stop(c) {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

// --- backend: HTTP 200 JSON for anything, WebSocket echo ------------------------------------------------------
const backend = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
new WebSocketServer({ server: backend }).on('connection', (ws) => ws.on('message', (d, bin) => ws.send(d, { binary: bin })));
await new Promise((r) => backend.listen(0, '127.0.0.1', r));
const backendUrl = `http://127.0.0.1:${backend.address().port}`;

// --- Redis and the control plane -------------------------------------------------------------------------------
const redisPort = await freePort();
const startRedis = () => child('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
let redis = startRedis();
const adminPort = await freePort();
const adminUrl = `http://127.0.0.1:${adminPort}`;
const PASSWORD = 'soak-password-0123456789';
const startAdmin = () =>
  child(process.execPath, [join(root, 'admin-api/dist/cli.js'), '--listen', `127.0.0.1:${adminPort}`, '--database', `sqlite:${join(dir, 'soak.db')}`, '--log-level', 'warn'], { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, 'admin.log');
let admin = startAdmin();
await waitFor('admin API', async () => (await fetch(`${adminUrl}/api/v1/sidecar/jwks`)).ok);
const bundle = JSON.parse(readFileSync(join(root, 'policies/examples/demo.bundle.json'), 'utf8'));
bundle.routes.unshift({ id: 'live', match: { methods: ['GET'], path: '/api/v1/live', kind: 'exact' }, permissions: ['agents:read'], websocket: { maxConnectionsPerClient: 1000 } });
const token = await loginForToken(adminUrl, 'admin', PASSWORD);
const seeded = await seedService(adminUrl, token, bundle);
const viewerKey = seeded.apiKeys.viewer.secret;
const operatorKey = seeded.apiKeys.operator.secret;
const creds = JSON.parse(readFileSync(join(root, 'policies/examples/DEMO-ONLY-credentials.json'), 'utf8'));
const jwk = JSON.parse(readFileSync(join(root, 'policies/examples/DEMO-ONLY-jwt-private-key.jwk.json'), 'utf8'));
const signingKey = await importJWK(jwk, 'ES256');
let jwt = '';
async function refreshJwt() {
  jwt = await new SignJWT({ roles: ['viewer'] })
    .setProtectedHeader({ alg: 'ES256', kid: creds.jwt.kid })
    .setIssuer(creds.jwt.issuer)
    .setAudience(creds.jwt.audience)
    .setSubject('soak-user')
    .setExpirationTime('1h')
    .sign(signingKey);
}
await refreshJwt();

// --- the sidecar ---------------------------------------------------------------------------------------------
const port = await freePort();
const sidecarAdminPort = await freePort();
const sidecarUrl = `http://127.0.0.1:${port}`;
const sidecarAdmin = `http://127.0.0.1:${sidecarAdminPort}`;
const sidecar = child(
  process.execPath,
  [join(root, 'proxy/dist/cli.js'), '--control-plane', adminUrl, '--service', bundle.service, '--token', seeded.sidecarToken, '--trust-jwks-url', `${adminUrl}/api/v1/sidecar/jwks`,
    '--cache-dir', join(dir, 'cache'), '--upstream', backendUrl, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${sidecarAdminPort}`,
    '--redis', `redis://127.0.0.1:${redisPort}`, '--redis-timeout-ms', '200', '--log-level', 'warn'],
  {},
  'sidecar.log',
);
await waitFor('sidecar', async () => (await fetch(`${sidecarAdmin}/readyz`)).ok);
log(`sidecar pid ${sidecar.pid} on ${sidecarUrl}; ${values.minutes} min at ${RATE} req/s + ${WS_COUNT} WebSockets → ${OUT}`);

// --- the load --------------------------------------------------------------------------------------------------
const agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
/** [weight, name, method, path, headers(), expected statuses] */
const MIX = [
  [30, 'public', 'GET', '/api/v1/status', () => ({}), [200]],
  [25, 'jwt', 'GET', '/api/v1/agents', () => ({ authorization: `Bearer ${jwt}` }), [200, 429]],
  [25, 'api-key', 'GET', '/api/v1/agents', () => ({ 'x-api-key': viewerKey }), [200, 429]],
  [10, 'write-429', 'POST', '/api/v1/agents', () => ({ 'x-api-key': operatorKey, 'content-type': 'application/json' }), [201, 429]],
  [5, 'denied-403', 'POST', '/api/v1/agents', () => ({ 'x-api-key': viewerKey, 'content-type': 'application/json' }), [403]],
  [5, 'denied-401', 'GET', '/api/v1/agents', () => ({}), [401]],
];
const TOTAL_WEIGHT = MIX.reduce((a, m) => a + m[0], 0);
const counts = { requests: 0, s2xx: 0, s401: 0, s403: 0, s429: 0, s5xx: 0, netErrors: 0, unexpected: 0, wsMessages: 0, wsReopened: 0, wsErrors: 0 };
const unexpectedSeen = new Map();
let slot = 0;
function pick() {
  let x = (slot++ * 37) % TOTAL_WEIGHT; // a fixed, evenly spread sequence
  for (const m of MIX) if ((x -= m[0]) < 0) return m;
  return MIX[0];
}
async function one() {
  const [, name, method, path, headers, expected] = pick();
  counts.requests++;
  try {
    const r = await request(sidecarUrl + path, { method, headers: headers(), body: method === 'POST' ? '{"name":"soak"}' : undefined, dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
    await r.body.arrayBuffer();
    const s = r.statusCode;
    if (s >= 200 && s < 300) counts.s2xx++;
    else if (s === 401) counts.s401++;
    else if (s === 403) counts.s403++;
    else if (s === 429) counts.s429++;
    else if (s >= 500) counts.s5xx++;
    if (!expected.includes(s)) {
      counts.unexpected++;
      unexpectedSeen.set(`${name} ${s}`, (unexpectedSeen.get(`${name} ${s}`) ?? 0) + 1);
    }
  } catch (e) {
    counts.netErrors++;
    unexpectedSeen.set(`${name} ${e.code ?? e.message}`, (unexpectedSeen.get(`${name} ${e.code ?? e.message}`) ?? 0) + 1);
  }
}
let running = true;
const inFlight = new Set();
const loadLoop = (async () => {
  const interval = 1000 / RATE;
  let next = performance.now();
  while (running) {
    if (inFlight.size < 200) {
      const p = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    next += interval;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    else next = performance.now();
  }
})();

const sockets = new Set();
function openWs(first) {
  if (!running) return;
  if (!first) counts.wsReopened++;
  const ws = new WebSocket(`${sidecarUrl.replace('http', 'ws')}/api/v1/live`, { headers: { 'x-api-key': viewerKey } });
  let timer;
  ws.on('open', () => {
    sockets.add(ws);
    timer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping-' + Date.now()), 2000);
  });
  ws.on('message', () => counts.wsMessages++);
  ws.on('error', () => counts.wsErrors++);
  ws.on('close', () => {
    clearInterval(timer);
    sockets.delete(ws);
    if (running) setTimeout(() => openWs(false), 500);
  });
}
for (let i = 0; i < WS_COUNT; i++) openWs(true);

// --- sampling --------------------------------------------------------------------------------------------------
const header = 'elapsed_s,rss_mb,heap_used_mb,fds,requests,s2xx,s401,s403,s429,s5xx,net_errors,unexpected,ws_open,ws_messages,ws_reopened,event';
const rows = [];
let last = { ...counts };
let pendingEvent = '';
const t0 = Date.now();
async function sample() {
  const status = readFileSync(`/proc/${sidecar.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fds = readdirSync(`/proc/${sidecar.pid}/fd`).length;
  let heap = NaN;
  try {
    const m = await (await fetch(`${sidecarAdmin}/metrics`)).text();
    heap = Number(/^agentcore_proxy_nodejs_heap_size_used_bytes (\S+)/m.exec(m)?.[1]);
  } catch {
    /* counted as NaN */
  }
  const d = Object.fromEntries(Object.keys(counts).map((k) => [k, counts[k] - last[k]]));
  last = { ...counts };
  const row = [Math.round((Date.now() - t0) / 1000), (rssKb / 1024).toFixed(1), (heap / 1048576).toFixed(1), fds, d.requests, d.s2xx, d.s401, d.s403, d.s429, d.s5xx, d.netErrors, d.unexpected, sockets.size, d.wsMessages, d.wsReopened, pendingEvent];
  pendingEvent = '';
  rows.push(row);
  writeFileSync(join(OUT, 'soak.csv'), [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
  log(`t=${row[0]}s rss=${row[1]}MB heap=${row[2]}MB fds=${fds} req=${d.requests} 5xx=${d.s5xx} net=${d.netErrors} unexpected=${d.unexpected} ws=${sockets.size}`);
}
const sampler = setInterval(() => void sample(), SAMPLE_MS);

// --- the events --------------------------------------------------------------------------------------------------
const events = [];
async function at(fraction, name, fn) {
  await sleep(Math.max(0, t0 + DURATION_MS * fraction - Date.now()));
  if (!running) return;
  log(`event: ${name}`);
  events.push({ s: Math.round((Date.now() - t0) / 1000), name });
  pendingEvent = name;
  await fn();
}
const jwtRefresher = setInterval(() => void refreshJwt(), 10 * 60_000);
await at(0.4, 'redis-restart', async () => {
  await stop(redis);
  await sleep(5000);
  redis = startRedis();
});
await at(0.6, 'control-plane-restart', async () => {
  await stop(admin);
  await sleep(5000);
  admin = startAdmin();
  await waitFor('admin API', async () => (await fetch(`${adminUrl}/api/v1/sidecar/jwks`)).ok);
});
await sleep(Math.max(0, t0 + DURATION_MS - Date.now()));
running = false;
clearInterval(sampler);
clearInterval(jwtRefresher);
await loadLoop;
await Promise.allSettled(inFlight);
await sample();
for (const ws of sockets) ws.terminate();
await agent.close();
await stop(sidecar);
await stop(admin);
await stop(redis);
backend.closeAllConnections();
backend.close();

// --- the report and the plot -----------------------------------------------------------------------------------
const sum = (i) => rows.reduce((a, r) => a + Number(r[i]), 0);
const warm = rows.filter((r) => r[0] >= 120);
const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = {
  minutes: Number(values.minutes),
  requests: sum(4),
  s2xx: sum(5),
  s401: sum(6),
  s403: sum(7),
  s429: sum(8),
  s5xx: sum(9),
  net_errors: sum(10),
  unexpected: sum(11),
  ws_messages: sum(13),
  ws_reopened: sum(14),
  unexpected_kinds: Object.fromEntries(unexpectedSeen),
  rss_mb_after_warmup: { first: Number(warm[0]?.[1]), median: mid(warm.map((r) => Number(r[1]))), max: Math.max(...warm.map((r) => Number(r[1]))), last: Number(warm.at(-1)?.[1]) },
  heap_mb_after_warmup: { first: Number(warm[0]?.[2]), median: mid(warm.map((r) => Number(r[2]))), max: Math.max(...warm.map((r) => Number(r[2]))), last: Number(warm.at(-1)?.[2]) },
  fds_after_warmup: { min: Math.min(...warm.map((r) => Number(r[3]))), max: Math.max(...warm.map((r) => Number(r[3]))), last: Number(warm.at(-1)?.[3]) },
  events,
};
writeFileSync(join(OUT, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
writeFileSync(join(OUT, 'soak.svg'), plot(rows, events));
console.log(JSON.stringify(summary, null, 2));

/** Three stacked panels over time: memory (RSS, heap), file descriptors, errors per interval; events as lines. */
function plot(data, marks) {
  const W = 900, H = 180, L = 60, PAD = 30;
  const xMax = Math.max(1, ...data.map((r) => Number(r[0])));
  const x = (s) => L + ((W - L - 20) * s) / xMax;
  const panels = [
    { title: 'memory (MB): RSS (blue), V8 heap used (orange)', series: [[1, '#1f77b4'], [2, '#ff7f0e']] },
    { title: 'open file descriptors', series: [[3, '#2ca02c']] },
    { title: `per ${SAMPLE_MS / 1000} s: 5xx + network errors + unexpected (red), requests / 10 (grey)`, series: [[-1, '#d62728'], [-2, '#999']] },
  ];
  const value = (r, i) => (i === -1 ? Number(r[9]) + Number(r[10]) + Number(r[11]) : i === -2 ? Number(r[4]) / 10 : Number(r[i]));
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${panels.length * (H + PAD) + 20}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n`;
  panels.forEach((p, k) => {
    const top = 20 + k * (H + PAD);
    const vals = data.flatMap((r) => p.series.map(([i]) => value(r, i))).filter((v) => Number.isFinite(v));
    const yMax = Math.max(1, ...vals) * 1.1;
    const y = (v) => top + H - (H * v) / yMax;
    svg += `<text x="${L}" y="${top - 5}">${p.title}</text>\n<rect x="${L}" y="${top}" width="${W - L - 20}" height="${H}" fill="none" stroke="#ccc"/>\n`;
    for (let t = 0; t <= 4; t++) svg += `<text x="${L - 5}" y="${y((yMax * t) / 4) + 4}" text-anchor="end">${((yMax * t) / 4).toFixed(0)}</text>\n`;
    for (const m of marks) svg += `<line x1="${x(m.s)}" x2="${x(m.s)}" y1="${top}" y2="${top + H}" stroke="#888" stroke-dasharray="4 3"/><text x="${x(m.s) + 3}" y="${top + 12}" fill="#555">${m.name}</text>\n`;
    for (const [i, color] of p.series) {
      const pts = data.filter((r) => Number.isFinite(value(r, i))).map((r) => `${x(Number(r[0])).toFixed(1)},${y(value(r, i)).toFixed(1)}`);
      svg += `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(' ')}"/>\n`;
    }
    svg += `<text x="${W - 20}" y="${top + H + 14}" text-anchor="end">${(xMax / 60).toFixed(1)} min</text>\n`;
  });
  return svg + '</svg>\n';
}
process.exit(0);

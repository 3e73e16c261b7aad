#!/usr/bin/env node
// Sidecar throughput vs http-proxy, side by side in one run on 127.0.0.1 (see docs/benchmarks.md).
//
// Targets, all in front of the same fixed-cost backend (nginx when /usr/sbin/nginx exists, else
// node:http), each answering a 99-byte body:
//   direct        the backend itself
//   http-proxy    http-proxy 1.18 with a keep-alive agent (bench/http-proxy-server.mjs)
//   sidecar       our sidecar, public route /bench/public (pass-through)
//   sidecar-full  our sidecar, /bench/private: API key + RBAC + rate limit (never trips) + access log
// Each target is run --runs times, interleaved (A B C D A B C D …); medians are reported as a
// markdown table on stdout (progress goes to stderr). Everything started is stopped by pid.
//
// usage: node bench/proxy-bench.mjs [--duration 10s] [--connections 64] [--runs 3]
//          [--only direct,http-proxy,sidecar,sidecar-full,sidecar-full-trace-0.01,sidecar-full-trace-1] [--rate] [--access-log FILE] [--json FILE]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds } from './proc-stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NGINX = '/usr/sbin/nginx';
const BODY_BYTES = 99;
/** set from --pin once options are parsed */
let PIN = false;

/** Bench-only API key; bench.bundle.json holds its SHA-256. Never use it anywhere else. */
const BENCH_API_KEY = 'bench_only_7f3c9a1e5b2d4c6f8a0e1d3b5c7f9a2e';

/** An OTLP/HTTP sink for the tracing targets: reads and discards each export, answers 200. */
async function startOtlpSink() {
  const { createServer: createHttpServer } = await import('node:http');
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  return { url: `http://127.0.0.1:${server.address().port}` };
}

/** The targets, in the order they run within each round. */
const TARGETS = [
  { id: 'direct', label: 'backend direct', path: '/bench/public', headers: {} },
  { id: 'undici', label: 'plain node:http + undici Pool.dispatch proxy (bench/undici-proxy-server.mjs)', path: '/bench/public', headers: {} },
  { id: 'http-proxy', label: 'http-proxy 1.18, keep-alive agent', path: '/bench/public', headers: {} },
  {
    id: 'raw-net',
    label: 'EXPERIMENT: net server + undici dispatch, no node:http (bench/raw-net-proxy-experiment.mjs)',
    path: '/bench/public',
    headers: {},
    optional: true,
  },
  { id: 'sidecar', label: 'sidecar, public route (pass-through)', path: '/bench/public', headers: {} },
  {
    id: 'sidecar-full',
    label: 'sidecar, API key + RBAC + rate limit + access log',
    path: '/bench/private',
    headers: { 'X-API-Key': BENCH_API_KEY },
  },
  {
    id: 'sidecar-full-redis',
    label: 'sidecar, API key + RBAC + rate limit in Redis (--redis) + access log',
    path: '/bench/private',
    headers: { 'X-API-Key': BENCH_API_KEY },
    optional: true,
  },
  {
    id: 'sidecar-w2',
    label: 'sidecar --workers 2, API key + RBAC + rate limit + access log',
    path: '/bench/private',
    headers: { 'X-API-Key': BENCH_API_KEY },
    optional: true,
  },
  {
    id: 'sidecar-full-trace-0.01',
    label: 'sidecar-full + tracing, --trace-sample-ratio 0.01 (OTLP/HTTP to a local sink)',
    path: '/bench/private',
    headers: { 'X-API-Key': BENCH_API_KEY },
    optional: true,
  },
  {
    id: 'sidecar-full-trace-1',
    label: 'sidecar-full + tracing, --trace-sample-ratio 1 (OTLP/HTTP to a local sink)',
    path: '/bench/private',
    headers: { 'X-API-Key': BENCH_API_KEY },
    optional: true,
  },
  {
    id: 'base',
    label: 'baseline build (--baseline-cli), public route (pass-through)',
    path: '/bench/public',
    headers: {},
    optional: true,
  },
  {
    id: 'base-full',
    label: 'baseline build (--baseline-cli), API key + RBAC + rate limit + access log',
    path: '/bench/private',
    headers: { 'X-API-Key': BENCH_API_KEY },
    optional: true,
  },
  {
    id: 'sidecar-jwt',
    label: 'sidecar, JWT (ES256, cached) + RBAC + rate limit + access log',
    path: '/bench/private-jwt',
    // Filled in at start: a demo-issuer token valid for the run (policies/examples, demo-only key).
    headers: {},
  },
];

const USAGE = `usage: node bench/proxy-bench.mjs [options]

  --duration 10s        wrk duration of each run (wrk syntax: 10s, 1m)
  --connections 64      wrk connections (-c); --threads (default 1) sets -t
  --runs 3              runs per target, interleaved; the median is reported
  --warmup 2s           one unreported run per target before the measured ones ("0" = none)
  --only LIST           comma-separated subset of: ${TARGETS.map((t) => t.id).join(', ')}
  --rate                light-load latency mode: one connection (wrk -t1 -c1), reports p50/p99
                        and the latency added over direct; with wrk2 on PATH, --rps N sets its rate
  --requests N          with --rate: N sequential requests per run on one keep-alive connection
                        (bench/one-connection-client.mjs) instead of a timed wrk run
  --node PATH           the Node.js binary that runs the proxies (default: this one), e.g. a Node 24 build
  --baseline-node PATH  the Node.js binary of the base targets (default: --node); with --baseline-cli set to this
                        build, base/base-full compare two Node versions side by side
  --access-log FILE     sidecar stdout (access log) appended to FILE instead of /dev/null
  --sidecar-cli PATH    sidecar entry point (default proxy/dist/cli.js)
  --baseline-cli PATH   a second sidecar build (e.g. an older commit's proxy/dist/cli.js) for the targets
                        base and base-full, run side by side with the current one in the same rounds
  --bundle PATH         policy bundle (default bench/bench.bundle.json)
  --json FILE           also write the raw results as JSON`;

// ------------------------------------------------------------------ arguments

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        duration: { type: 'string', default: '10s' },
        connections: { type: 'string', default: '64' },
        threads: { type: 'string', default: '1' },
        runs: { type: 'string', default: '3' },
        warmup: { type: 'string', default: '2s' },
        only: { type: 'string' },
        rate: { type: 'boolean', default: false },
        rps: { type: 'string', default: '1000' },
        requests: { type: 'string' },
        node: { type: 'string', default: process.execPath },
        'baseline-node': { type: 'string' },
        'access-log': { type: 'string' },
        pin: { type: 'boolean', default: false },
        redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
        'sidecar-cli': { type: 'string', default: join(ROOT, 'proxy/dist/cli.js') },
        'baseline-cli': { type: 'string' },
        bundle: { type: 'string', default: join(ROOT, 'bench/bench.bundle.json') },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    fail(`${e.message}\n\n${USAGE}`, 2);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const durationRe = /^\d+(s|m|h)?$/;
  if (!durationRe.test(parsed.duration)) fail(`--duration must look like 10s or 1m, got "${parsed.duration}"`, 2);
  if (parsed.warmup !== '0' && !durationRe.test(parsed.warmup)) fail(`--warmup must look like 2s or 0, got "${parsed.warmup}"`, 2);
  const int = (name, min) => {
    const n = Number(parsed[name]);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got "${parsed[name]}"`, 2);
    return n;
  };
  const ids = parsed.only === undefined ? TARGETS.filter((t) => !t.optional).map((t) => t.id) : parsed.only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !TARGETS.some((t) => t.id === id));
  if (unknown.length || ids.length === 0) fail(`--only takes a comma-separated subset of ${TARGETS.map((t) => t.id).join(', ')}; got "${parsed.only}"`, 2);
  const rate = parsed.rate;
  return {
    duration: parsed.duration,
    warmup: parsed.warmup,
    connections: rate ? 1 : int('connections', 1),
    threads: rate ? 1 : int('threads', 1),
    runs: int('runs', 1),
    rps: int('rps', 1),
    requests: parsed.requests === undefined ? undefined : int('requests', 1),
    node: resolve(parsed.node),
    baselineNode: parsed['baseline-node'] === undefined ? undefined : resolve(parsed['baseline-node']),
    rate,
    targets: TARGETS.filter((t) => ids.includes(t.id)),
    accessLog: parsed['access-log'],
    pin: parsed.pin,
    redis: parsed.redis,
    sidecarCli: resolve(parsed['sidecar-cli']),
    baselineCli: parsed['baseline-cli'] === undefined ? undefined : resolve(parsed['baseline-cli']),
    bundle: resolve(parsed.bundle),
    json: parsed.json,
  };
}

// ------------------------------------------------------------------ processes (stopped by pid only)

/** @type {Set<{ name: string, child: import('node:child_process').ChildProcess, errFile: string }>} */
const children = new Set();
let tmp = '';
let stopping = false;

function log(line) {
  process.stderr.write(`${line}\n`);
}

function fail(message, code = 1) {
  process.stderr.write(`proxy-bench: ${message}\n`);
  process.exit(code);
}

/** Spawns a process we own: stderr goes to a temp file (shown if it fails), stdout as given. */
function start(name, command, args, stdout = 'ignore') {
  const errFile = join(tmp, `${name}.stderr.log`);
  const errFd = openSync(errFile, 'w');
  // --pin: backend and proxies share CPU 0, the load generator gets CPU 1.
  if (PIN) [command, args] = ['taskset', ['-c', '0', command, ...args]];
  const child = spawn(command, args, { stdio: ['ignore', stdout, errFd], cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } });
  closeSync(errFd);
  const entry = { name, child, errFile };
  children.add(entry);
  child.once('exit', () => children.delete(entry));
  child.once('error', (e) => log(`${name}: ${e.message}`));
  return entry;
}

function stderrTail(entry) {
  try {
    const text = readFileSync(entry.errFile, 'utf8').trimEnd();
    return text === '' ? '(no stderr output)' : text.split('\n').slice(-20).join('\n');
  } catch {
    return '(no stderr file)';
  }
}

function exited(entry) {
  return entry.child.exitCode !== null || entry.child.signalCode !== null;
}

/** SIGTERM by pid, SIGKILL by pid after 3 s. */
function stop(entry) {
  return new Promise((done) => {
    const { child } = entry;
    if (exited(entry) || child.pid === undefined) return done();
    const killer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 3000);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      clearTimeout(killer);
      done();
    }
  });
}

async function stopAll() {
  if (currentWrk?.pid !== undefined && currentWrk.exitCode === null) {
    try {
      process.kill(currentWrk.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  await Promise.all([...children].map(stop));
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  tmp = '';
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping everything started…`);
    stopAll().finally(() => process.exit(130));
  });
}

// ------------------------------------------------------------------ helpers

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** One GET on a fresh connection: { status, body } or throws. */
function httpGet(url, headers = {}, timeoutMs = 2000) {
  return new Promise((resolveGet, reject) => {
    const req = request(url, { headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolveGet({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Waits for a child to print {"port":N} on stdout. */
function readPort(entry, timeoutMs = 10_000) {
  return new Promise((resolvePort, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${entry.name} did not report its port in ${timeoutMs} ms:\n${stderrTail(entry)}`)), timeoutMs);
    entry.child.stdout.setEncoding('utf8');
    entry.child.stdout.on('data', (c) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      try {
        resolvePort(JSON.parse(buf.slice(0, nl)).port);
      } catch (e) {
        reject(new Error(`${entry.name} printed "${buf.slice(0, nl)}" instead of {"port":N}: ${e.message}`));
      }
    });
    entry.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${entry.name} exited (${signal ?? code}) before listening:\n${stderrTail(entry)}`));
    });
  });
}

/** Polls `url` until it answers 200, failing early if the process exits. */
async function waitReady(entry, url, headers = {}, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (exited(entry)) throw new Error(`${entry.name} exited (${entry.child.signalCode ?? entry.child.exitCode}) while starting:\n${stderrTail(entry)}`);
    try {
      const r = await httpGet(url, headers, 1000);
      if (r.status === 200) return;
      last = `HTTP ${r.status} ${r.body.toString('utf8').slice(0, 300)}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(100);
  }
  throw new Error(`${entry.name} not ready at ${url} after ${timeoutMs} ms (last: ${last}):\n${stderrTail(entry)}`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    /* not Linux */
  }
  return cpus()[0]?.model ?? 'unknown';
}

function shellQuote(a) {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

// ------------------------------------------------------------------ wrk

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses `wrk --latency` (or wrk2 `--latency`) output. */
export function parseWrk(text) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!rps) throw new Error(`no "Requests/sec" in wrk output:\n${text}`);
  const percentiles = {};
  for (const m of text.matchAll(/^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m)\s*$/gm)) {
    const key = String(Number.parseFloat(m[1]));
    if (!(key in percentiles)) percentiles[key] = Number.parseFloat(m[2]) * UNIT_MS[m[3]];
  }
  const requests = /(\d+) requests in/.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    rps: Number.parseFloat(rps[1]),
    p50: percentiles['50'],
    p99: percentiles['99'],
    requests: requests ? Number(requests[1]) : undefined,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

let currentWrk;

/**
 * Runs a load generator to its end (on CPU 1 with --pin; `currentWrk` so a signal can stop it) and parses its output;
 * rejects with the output when it fails.
 */
function runLoad(name, command, args, parse) {
  return new Promise((resolveRun, reject) => {
    const child = PIN ? spawn('taskset', ['-c', '1', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    currentWrk = child;
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      currentWrk = undefined;
      if (code !== 0) return reject(new Error(`${name} exited with ${signal ?? code}:\n${out}`));
      try {
        resolveRun(parse(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** --requests: N sequential requests on one connection, timed by bench/one-connection-client.mjs. */
function runClient(url, headers, requests) {
  const args = [join(ROOT, 'bench/one-connection-client.mjs'), url, String(requests), ...Object.entries(headers).map(([k, v]) => `${k}:${v}`)];
  return runLoad('one-connection-client', process.execPath, args, (out) => {
    const r = JSON.parse(out.trim().split('\n').pop());
    return { rps: 1000 / r.mean, p50: r.p50, p99: r.p99, requests: r.requests, non2xx: r.errors, socketErrors: 0 };
  });
}

/** One measured (or, with `warmup`, unreported) run of a target: wrk for a duration, or the one-connection client. */
function runWrk(tool, opts, url, headers, duration, warmup = false) {
  if (opts.requests !== undefined) return runClient(url, headers, warmup ? Math.min(1000, opts.requests) : opts.requests);
  const args = ['-t', String(opts.threads), '-c', String(opts.connections), '-d', duration, '--latency'];
  if (tool.isWrk2) args.push('-R', String(opts.rps));
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  return runLoad(tool.name, tool.path, args, parseWrk);
}

// ------------------------------------------------------------------ the fixed-cost backend

async function startBackend() {
  if (existsSync(NGINX)) {
    const port = await freePort();
    const dir = join(tmp, 'nginx');
    mkdirSync(dir);
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port};
    location / {
      default_type text/plain;
      return 200 '${'x'.repeat(BODY_BYTES)}';
    }
  }
}
`,
    );
    const entry = start('nginx', NGINX, ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', conf]);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(entry, `${url}/bench/public`, {}, 10_000);
    return { url, kind: `nginx (${NGINX}, 1 worker, 99-byte body)` };
  }
  const entry = start('backend', process.execPath, [join(ROOT, 'bench/fixed-backend.mjs')], 'pipe');
  const port = await readPort(entry);
  return { url: `http://127.0.0.1:${port}`, kind: `node:http fixed 99-byte body (bench/fixed-backend.mjs; ${NGINX} not found)` };
}

// ------------------------------------------------------------------ main

async function checkBundle(bundlePath) {
  const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
  const sha = createHash('sha256').update(BENCH_API_KEY).digest('hex');
  if (!bundle.authentication?.apiKeys?.some((k) => k.sha256 === sha)) {
    throw new Error(`${bundlePath} has no API key with the SHA-256 of the bench key (${sha})`);
  }
  const policies = join(ROOT, 'policies/dist/index.js');
  if (!existsSync(policies)) return 'not validated (policies/dist not built)';
  const { validateBundle } = await import(policies);
  const r = validateBundle(bundle);
  if (!r.ok) throw new Error(`${bundlePath} is not a valid bundle:\n${r.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  return 'valid';
}

async function main() {
  const opts = parseOptions();
  PIN = opts.pin;
  const wrk2 = opts.rate ? which('wrk2') : undefined;
  const wrkPath = wrk2 ?? which('wrk');
  if (!wrkPath) {
    fail(
      'wrk not found on PATH. Install it, then run again:\n' +
        '  Debian/Ubuntu: sudo apt-get install -y wrk\n' +
        '  macOS:         brew install wrk\n' +
        '  from source:   https://github.com/wg/wrk (make; put ./wrk on PATH)',
    );
  }
  const tool = { path: wrkPath, isWrk2: wrk2 !== undefined, name: wrk2 ? 'wrk2' : 'wrk' };
  const versionLine = (spawnSync(wrkPath, ['-v'], { encoding: 'utf8' }).stdout || '').split('\n')[0] ?? '';
  const toolVersion = versionLine.replace(/\s*Copyright.*$/, '').trim() || tool.name;

  const needSidecar = opts.targets.some((t) => t.id.startsWith('sidecar') || t.id.startsWith('base'));
  const needBaseline = opts.targets.some((t) => t.id.startsWith('base'));
  if (needBaseline && (!opts.baselineCli || !existsSync(opts.baselineCli))) fail('the base targets need --baseline-cli PATH to a built sidecar entry point');
  let bundleStatus = 'not used';
  if (needSidecar) {
    if (!existsSync(opts.sidecarCli)) {
      fail(`sidecar entry point ${opts.sidecarCli} not found: build it (npx tsc -b proxy) or leave the sidecar out (--only direct,http-proxy)`);
    }
    bundleStatus = await checkBundle(opts.bundle);
  }

  tmp = mkdtempSync(join(tmpdir(), 'proxy-bench-'));
  const startedAt = new Date();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const urls = {};
  /** target id → the process whose CPU time (with its children) the target's runs are charged */
  const pids = {};
  let backendKind;
  try {
    const backend = await startBackend();
    backendKind = backend.kind;
    urls.direct = backend.url;
    log(`backend: ${backend.kind} at ${backend.url}`);

    for (const [id, script] of [
      ['undici', 'bench/undici-proxy-server.mjs'],
      ['http-proxy', 'bench/http-proxy-server.mjs'],
      ['raw-net', 'bench/raw-net-proxy-experiment.mjs'],
    ]) {
      if (!opts.targets.some((t) => t.id === id)) continue;
      const entry = start(id, opts.node, [join(ROOT, script), backend.url], 'pipe');
      urls[id] = `http://127.0.0.1:${await readPort(entry)}`;
      pids[id] = entry.child.pid;
      log(`${id}: ${urls[id]}`);
    }

    if (needSidecar) {
      const [port, adminPort] = [await freePort(), await freePort()];
      const stdout = opts.accessLog ? openSync(resolve(opts.accessLog), 'a') : 'ignore';
      const args = [opts.sidecarCli, '--bundle', opts.bundle, '--upstream', backend.url, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`];
      log(`sidecar: node ${args.map(shellQuote).join(' ')}`);
      const entry = start('sidecar', opts.node, args, stdout);
      if (typeof stdout === 'number') closeSync(stdout);
      urls.sidecar = urls['sidecar-full'] = urls['sidecar-jwt'] = `http://127.0.0.1:${port}`;
      pids.sidecar = pids['sidecar-full'] = pids['sidecar-jwt'] = entry.child.pid;
      const { mintDemoJwt } = await import('../policies/examples/mint-demo-jwt.mjs');
      TARGETS.find((t) => t.id === 'sidecar-jwt').headers.Authorization = `Bearer ${await mintDemoJwt({ sub: 'bench-client', roles: ['reader'], ttlSeconds: 3600 })}`;
      await waitReady(entry, `${urls.sidecar}/bench/public`);
    }
    if (needBaseline) {
      if (opts.baselineNode !== undefined) {
        // the same kind of build on another Node: say so in the table instead of "baseline build"
        const v = spawnSync(opts.baselineNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
        for (const t of TARGETS) if (t.id.startsWith('base')) t.label = t.label.replace('baseline build (--baseline-cli)', `--baseline-cli build on Node ${v} (--baseline-node)`);
      }
      const [port, adminPort] = [await freePort(), await freePort()];
      const args = [opts.baselineCli, '--bundle', opts.bundle, '--upstream', backend.url, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`];
      log(`baseline: node ${args.map(shellQuote).join(' ')}`);
      const entry = start('baseline', opts.baselineNode ?? opts.node, args, 'ignore');
      urls.base = urls['base-full'] = `http://127.0.0.1:${port}`;
      pids.base = pids['base-full'] = entry.child.pid;
      await waitReady(entry, `${urls.base}/bench/public`);
    }
    // Extra sidecar processes for the optional targets: one with its limits in Redis, one with two workers.
    // Tracing targets export to a sink in this process that answers every OTLP POST with 200.
    const otlp = opts.targets.some((t) => t.id.startsWith('sidecar-full-trace')) ? await startOtlpSink() : undefined;
    const trace = (ratio) => ['--otlp-endpoint', `${otlp?.url}/v1/traces`, '--trace-sample-ratio', ratio];
    const extra = { 'sidecar-full-redis': ['--redis', opts.redis, '--redis-timeout-ms', '100'], 'sidecar-w2': ['--workers', '2'], 'sidecar-full-trace-0.01': trace('0.01'), 'sidecar-full-trace-1': trace('1') };
    for (const [id, flags] of Object.entries(extra)) {
      if (!opts.targets.some((t) => t.id === id)) continue;
      const [port, adminPort] = [await freePort(), await freePort()];
      const args = [opts.sidecarCli, '--bundle', opts.bundle, '--upstream', backend.url, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`, ...flags];
      log(`${id}: node ${args.map(shellQuote).join(' ')}`);
      const entry = start(id, opts.node, args, 'ignore');
      urls[id] = `http://127.0.0.1:${port}`;
      pids[id] = entry.child.pid;
      await waitReady(entry, `${urls[id]}/bench/public`);
    }

    // Sanity: every target answers 200 with the 99-byte body; the private route refuses a request without the key.
    for (const t of opts.targets) {
      const r = await httpGet(urls[t.id] + t.path, t.headers);
      if (r.status !== 200 || r.body.length !== BODY_BYTES) {
        throw new Error(`${t.id}: GET ${t.path} answered ${r.status} with ${r.body.length} bytes (expected 200, ${BODY_BYTES}): ${r.body.toString('utf8').slice(0, 300)}`);
      }
      if (t.path !== '/bench/public') {
        const anon = await httpGet(urls[t.id] + t.path);
        if (anon.status !== 401) throw new Error(`${t.id}: GET ${t.path} without an API key answered ${anon.status}, expected 401: the pipeline is not enforcing`);
      }
    }
    log('sanity checks passed');

    if (opts.warmup !== '0') {
      for (const t of opts.targets) {
        log(`warm-up ${t.id} (${opts.warmup})`);
        await runWrk(tool, opts, urls[t.id] + t.path, t.headers, opts.warmup, true);
      }
    }

    const results = Object.fromEntries(opts.targets.map((t) => [t.id, []]));
    for (let run = 1; run <= opts.runs; run++) {
      for (const t of opts.targets) {
        await sleep(500);
        const cpuBefore = pids[t.id] !== undefined ? cpuSeconds(pids[t.id]) : undefined;
        const r = await runWrk(tool, opts, urls[t.id] + t.path, t.headers, opts.duration);
        // CPU time per request of the proxy process (and its workers): less noisy than req/s on a shared VM
        if (cpuBefore !== undefined && r.requests) r.cpuUs = ((cpuSeconds(pids[t.id]) - cpuBefore) / r.requests) * 1e6;
        results[t.id].push(r);
        const errs = r.non2xx + r.socketErrors ? `  non-2xx ${r.non2xx}, socket errors ${r.socketErrors}` : '';
        const cpu = r.cpuUs !== undefined ? `  ${r.cpuUs.toFixed(1)} µs CPU/req` : '';
        log(`run ${run}/${opts.runs} ${t.id.padEnd(12)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms${cpu}${errs}`);
      }
    }

    const meta = {
      command: `node bench/proxy-bench.mjs ${process.argv.slice(2).map(shellQuote).join(' ')}`.trim(),
      date: startedAt.toISOString(),
      node: opts.node === process.execPath ? process.version : spawnSync(opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim() + ` (${opts.node}; proxies)`,
      cpu: `${cpuModel()}, ${cpus().length} logical CPUs`,
      loadAverage: load,
      backend: backendKind,
      loadGenerator:
        opts.requests !== undefined
          ? `bench/one-connection-client.mjs (undici Client, one keep-alive connection, closed loop): ${opts.requests} requests per run after 200 unmeasured`
          : `${toolVersion}: ${tool.name} -t${opts.threads} -c${opts.connections} -d${opts.duration} --latency${tool.isWrk2 ? ` -R${opts.rps}` : ''}`,
      runs: opts.runs,
      accessLog: needSidecar ? (opts.accessLog ?? '/dev/null') : 'n/a',
      bundle: needSidecar ? `${opts.bundle} (${bundleStatus})` : 'n/a',
      baseline: needBaseline ? `${opts.baselineCli} on ${spawnSync(opts.baselineNode ?? opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim()}` : undefined,
    };
    const summary = opts.targets.map((t) => {
      const rs = results[t.id];
      return {
        id: t.id,
        label: t.label,
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        perRun: rs.map((r) => r.rps),
        cpuUs: rs.every((r) => r.cpuUs !== undefined) ? median(rs.map((r) => r.cpuUs)) : undefined,
        errors: rs.reduce((a, r) => a + r.non2xx + r.socketErrors, 0),
      };
    });
    process.stdout.write(opts.rate ? latencyReport(meta, summary) : throughputReport(meta, summary));
    if (opts.json) writeFileSync(resolve(opts.json), JSON.stringify({ meta, summary, results }, null, 2) + '\n');
  } finally {
    await stopAll();
  }
}

function fmt(ms, digits = 3) {
  return ms === undefined ? '—' : ms.toFixed(digits);
}

function header(meta, title) {
  return `### ${title} — ${meta.date.slice(0, 10)}

\`\`\`
${meta.command}
\`\`\`

- date: ${meta.date}; node ${meta.node}; CPU: ${meta.cpu}; load average at start: ${meta.loadAverage}
- backend: ${meta.backend}
- load: ${meta.loadGenerator}; ${meta.runs} run(s) per target, interleaved; medians${PIN ? '; pinned: backend + proxies on CPU 0, load generator on CPU 1' : ''}
- sidecar access log: ${meta.accessLog}; bundle: ${meta.bundle}${meta.baseline ? `\n- base targets: ${meta.baseline}` : ''}

`;
}

function ratio(summary, a, b) {
  const x = summary.find((s) => s.id === a);
  const y = summary.find((s) => s.id === b);
  return x && y ? `${(x.rps / y.rps).toFixed(2)}×` : 'n/a (not run)';
}

/** b's CPU per request over a's: how many of a's requests one CPU second serves relative to b (higher = a cheaper). */
function cpuRatio(summary, a, b) {
  const x = summary.find((s) => s.id === a);
  const y = summary.find((s) => s.id === b);
  return x?.cpuUs && y?.cpuUs ? `${(y.cpuUs / x.cpuUs).toFixed(2)}× (${x.cpuUs.toFixed(1)} vs ${y.cpuUs.toFixed(1)} µs)` : 'n/a';
}

function throughputReport(meta, summary) {
  const rows = summary.map(
    (s) => `| ${s.label} | ${s.rps.toFixed(0)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.cpuUs === undefined ? '—' : s.cpuUs.toFixed(1)} | ${s.perRun.map((r) => r.toFixed(0)).join(' / ')} | ${s.errors} |`,
  );
  return `${header(meta, 'Sidecar throughput vs http-proxy')}| target | req/s | p50 ms | p99 ms | proxy CPU µs/req | req/s per run | non-2xx + socket errors |
|---|---:|---:|---:|---:|---|---:|
${rows.join('\n')}

- sidecar pass-through / plain undici dispatch proxy: ${ratio(summary, 'sidecar', 'undici')} (goal ≥ 0.9×); by CPU per request: ${cpuRatio(summary, 'sidecar', 'undici')}
- sidecar pass-through / http-proxy: ${ratio(summary, 'sidecar', 'http-proxy')} (goal ≥ 1.8×)
- full pipeline (API key) / pass-through: ${ratio(summary, 'sidecar-full', 'sidecar')} (goal ≥ 0.9×)
- full pipeline (JWT) / pass-through: ${ratio(summary, 'sidecar-jwt', 'sidecar')}
- this build / baseline build: pass-through ${ratio(summary, 'sidecar', 'base')}, full pipeline ${ratio(summary, 'sidecar-full', 'base-full')}
- rate limit in Redis / local (full pipeline): ${ratio(summary, 'sidecar-full-redis', 'sidecar-full')}
- --workers 2 / 1 (full pipeline): ${ratio(summary, 'sidecar-w2', 'sidecar-full')} (goal ≥ 1.8×)
- http-proxy / direct: ${ratio(summary, 'http-proxy', 'direct')}; sidecar pass-through / direct: ${ratio(summary, 'sidecar', 'direct')}
`;
}

function latencyReport(meta, summary) {
  const direct = summary.find((s) => s.id === 'direct');
  const added = (s, k) => (direct && s.id !== 'direct' && s[k] !== undefined && direct[k] !== undefined ? fmt(s[k] - direct[k]) : '—');
  const rows = summary.map((s) => `| ${s.label} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${added(s, 'p50')} | ${added(s, 'p99')} | ${s.rps.toFixed(0)} | ${s.errors} |`);
  return `${header(meta, 'Light-load latency, one connection')}| target | p50 ms | p99 ms | added p50 ms | added p99 ms | req/s | non-2xx + socket errors |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Added = target − backend direct (medians); goals for the sidecar: p50 added ≤ 0.1 ms, p99 added ≤ 1 ms. ${meta.loadGenerator.includes('wrk2') ? '' : 'One connection is closed-loop: the next request leaves when the previous answer arrives, so req/s is 1 / latency, not a fixed rate.'}
`;
}

main().catch(async (e) => {
  log(`proxy-bench: ${e.message}`);
  await stopAll();
  process.exit(1);
});

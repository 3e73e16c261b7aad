#!/usr/bin/env node
// Token endpoint throughput (see docs/oauth.md, docs/benchmarks.md):
//   1. client_credentials and refresh_token tokens/s of the admin API pinned to one core (taskset -c 1),
//      on SQLite, driven from this process with --concurrency requests in flight for --duration seconds;
//   2. with --sidecar: the sidecar's throughput (wrk) with these tokens vs with an API key, same route
//      pipeline (auth + RBAC + rate limit + access log), the control plane's issuer and keys inline in the
//      bundle as a synced sidecar gets them, and --revoked revoked jtis in it.
// Needs `npm run build`. Everything started is stopped by pid.
//
// usage: node bench/token-bench.mjs [--duration 5] [--concurrency 16] [--sidecar] [--revoked 1000] [--wrk-duration 5s]
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PASSWORD = 'bench-only owner password';
const BENCH_API_KEY = 'bench_only_7f3c9a1e5b2d4c6f8a0e1d3b5c7f9a2e';
const { values: opts } = parseArgs({
  options: {
    serve: { type: 'string' },
    duration: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    sidecar: { type: 'boolean', default: false },
    revoked: { type: 'string', default: '1000' },
    'wrk-duration': { type: 'string', default: '5s' },
  },
});

const log = (m) => process.stderr.write(`${m}\n`);
const children = [];
function start(cmd, args, ready) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } });
  children.push(child);
  return new Promise((res, rej) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = ready.exec(buf);
      if (m) res(m[1] ?? '');
    });
    child.on('exit', (code) => rej(new Error(`${args[0]} exited ${code}`)));
  });
}
const stopAll = () => children.forEach((c) => c.exitCode === null && process.kill(c.pid, 'SIGTERM'));

async function json(url, init) {
  const r = await fetch(url, init);
  const text = await r.text();
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Runs `once` with `concurrency` loops for `seconds`; returns completed calls per second. */
async function load(seconds, concurrency, once) {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    const state = {};
    while (performance.now() < until) {
      await once(worker, state);
      n++;
    }
  }));
  return n / ((performance.now() - t0) / 1000);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'token-bench-'));
  try {
    const pin = spawnSync('taskset', ['-V']).status === 0;
    const url = await start(pin ? 'taskset' : process.execPath, [...(pin ? ['-c', '1', process.execPath] : []), fileURLToPath(import.meta.url), '--serve', join(dir, 'db.sqlite')], /READY (\S+)/);
    log(`admin API ${url}${pin ? ' pinned to CPU 1' : ' (taskset missing: not pinned)'}`);
    const s = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const { csrfToken } = await s.json();
    const cookie = s.headers.get('set-cookie').split(';', 1)[0];
    const { token: pat } = await json(`${url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ name: 'bench' }) });
    const admin = (method, path, body) => json(url + path, { method, headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    await admin('POST', '/api/v1/services', { name: 'bench' });
    await admin('POST', '/api/v1/services/bench/roles', { name: 'reader', permissions: ['bench:read'] });
    await admin('POST', '/api/v1/principals', { id: 'admin', kind: 'user', displayName: 'bench', roles: ['reader'] });
    const scopes = { scopes: ['bench.read'], scopeRoles: { 'bench.read': ['reader'] }, audiences: ['bench'] };
    const cc = await admin('POST', '/api/v1/oauth-clients', { id: 'cc', name: 'cc', type: 'confidential', grants: ['client_credentials'], ...scopes });
    const rt = await admin('POST', '/api/v1/oauth-clients', { id: 'rt', name: 'rt', type: 'confidential', grants: ['password', 'refresh_token'], ...scopes });
    const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const token = (auth, form) => json(`${url}/oauth/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });

    const seconds = Number(opts.duration);
    const concurrency = Number(opts.concurrency);
    const ccAuth = basic('cc', cc.secret);
    await load(1, concurrency, () => token(ccAuth, { grant_type: 'client_credentials' }));
    const ccRate = await load(seconds, concurrency, () => token(ccAuth, { grant_type: 'client_credentials' }));
    const rtAuth = basic('rt', rt.secret);
    // One refresh chain per worker, started with a password grant (scrypt) before the clock runs.
    const chains = [];
    for (let i = 0; i < concurrency; i++) chains.push((await token(rtAuth, { grant_type: 'password', username: 'admin', password: PASSWORD, scope: 'bench.read' })).refresh_token);
    const rtRate = await load(seconds, concurrency, async (w) => {
      chains[w] = (await token(rtAuth, { grant_type: 'refresh_token', refresh_token: chains[w] })).refresh_token;
    });
    console.log(`| grant | tokens/s (admin API on 1 core, SQLite, ${concurrency} in flight, ${seconds} s) |\n|---|---|\n| client_credentials | ${ccRate.toFixed(0)} |\n| refresh_token (rotation) | ${rtRate.toFixed(0)} |`);

    if (opts.sidecar) await sidecarComparison(url, dir, await token(ccAuth, { grant_type: 'client_credentials' }));
  } finally {
    stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** wrk against the sidecar: API key vs our access token on the same pipeline. */
async function sidecarComparison(url, dir, tokens) {
  const bundle = JSON.parse(readFileSync(join(ROOT, 'bench/bench.bundle.json'), 'utf8'));
  const { keys } = await json(`${url}/.well-known/jwks.json`);
  const exp = Math.floor(Date.now() / 1000) + 600;
  bundle.authentication.jwt = [{ id: 'agentcore-control-plane', issuer: url, audiences: ['bench'], jwks: { keys }, algorithms: ['ES256'], tokenType: 'at+jwt' }];
  bundle.authentication.revokedTokens = Array.from({ length: Number(opts.revoked) }, () => ({ jti: randomUUID(), exp }));
  const file = join(dir, 'bundle.json');
  writeFileSync(file, JSON.stringify(bundle));
  const backend = `http://127.0.0.1:${await start(process.execPath, [join(ROOT, 'bench/fixed-backend.mjs'), '0'], /"port":(\d+)/)}`;
  const sidecar = await start('taskset', ['-c', '1', process.execPath, join(ROOT, 'proxy/dist/cli.js'), '--bundle', file, '--upstream', backend, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-level', 'info'], /"url":"(http:\/\/[^"]+)","admin"/);
  const wrk = (path, header) => {
    const r = spawnSync('taskset', ['-c', '0', 'wrk', '-t1', '-c32', '-d', opts['wrk-duration'], '-H', header, `${sidecar}${path}`], { encoding: 'utf8' });
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1];
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1];
    if (!rps || non2xx) throw new Error(`wrk on ${path}: ${r.stdout}${r.stderr}`);
    return Number(rps);
  };
  const apiKey = [];
  const jwt = [];
  for (let i = 0; i < 3; i++) {
    apiKey.push(wrk('/bench/private', `X-API-Key: ${BENCH_API_KEY}`));
    jwt.push(wrk('/bench/private-jwt', `Authorization: Bearer ${tokens.access_token}`));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[1];
  console.log(`\n| sidecar route (1 core, wrk -c32, median of 3) | req/s |\n|---|---|\n| API key + RBAC + rate limit + log | ${median(apiKey).toFixed(0)} |\n| control-plane JWT (${opts.revoked} revoked jtis in the bundle) + RBAC + rate limit + log | ${median(jwt).toFixed(0)} |\n| ratio JWT / API key | ${(median(jwt) / median(apiKey)).toFixed(2)} |`);
}

// ---- child mode: the admin API with the OAuth server, in its own process -------------------------
if (opts.serve !== undefined) {
  const { loadConfig } = await import(join(ROOT, 'admin-api/dist/config.js'));
  const { startAdmin } = await import(join(ROOT, 'admin-api/dist/server.js'));
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${opts.serve}`, '--log-level', 'warn'], {});
  const admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD } });
  console.log(`READY ${admin.url}`);
  process.on('SIGTERM', () => admin.close().then(() => process.exit(0)));
} else {
  process.on('exit', stopAll);
  await main();
}


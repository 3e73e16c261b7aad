#!/usr/bin/env node
// Latency at a fixed rate while a new policy bundle is published every second (issue #16): does a policy push cost
// the data plane anything?
//
//   node bench/publish-under-load.mjs [--rate 500] [--seconds 10] [--rounds 3] [--connections 16]
//
// This process runs the admin API (SQLite in a temp dir) and the demo backend; the sidecar is the real CLI in synced
// mode in its own process; the load is bench/paced-client.mjs in its own process (open loop, latency from each
// request's due time). Phases alternate: "steady" (no change) and "publishing" (every second a role changes through
// the admin API → a new signed revision → the sidecar long-poll fetches, verifies and applies it), `--rounds` of each.
// The probe is the operator's API key on GET /api/v1/agents (API key + RBAC + a rate limit that never trips +
// access log); the change toggles
// `workflows:read` on the viewer role, so the probe's answer never changes (checked: every answer must be 200).
// Prints a markdown table with the percentiles of each phase type. Requires `npm run build`.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig as adminConfig, startAdmin } from '../admin-api/dist/index.js';
import { startDemoBackend } from '../e2e/dist/demo-backend.js';
import { adminClient, loginForToken, seedService } from '../e2e/dist/seed-demo.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    node: { type: 'string', default: process.execPath },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
for (const [k, v] of Object.entries({ rate: RATE, seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS })) {
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`publish-under-load: --${k} must be a whole number ≥ 1\n`);
    process.exit(2);
  }
}
const log = (s) => process.stderr.write(`${s}\n`);
const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ');

const dir = mkdtempSync(join(tmpdir(), 'agentcore-publish-load-'));
const PASSWORD = 'bench-password-0123456789';
const backend = await startDemoBackend({ port: 0, quiet: true });
const ac = adminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'bench.db')}`, '--log-level', 'warn'], {});
const admin = await startAdmin(ac.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
const token = await loginForToken(admin.url, 'admin', PASSWORD);
const call = adminClient(admin.url, token);
const demo = JSON.parse(readFileSync(join(ROOT, 'policies/examples/demo.bundle.json'), 'utf8'));
// The demo's "reads" limit (100/s per client, 100,000 a day) would answer most probes 429: raise it so it is
// computed on every request but never trips.
for (const l of demo.rateLimits) if (l.id === 'reads') Object.assign(l, { rate: { requests: 1_000_000, periodSeconds: 1, burst: 1_000_000 }, quotas: [{ requests: 1_000_000_000, period: 'day' }] });
const seeded = await seedService(admin.url, token, demo);
const operatorKey = seeded.apiKeys.operator.secret;

const children = new Set();
function start(name, args, stdout = 'ignore') {
  const err = openSync(join(dir, `${name}.stderr.log`), 'w');
  const child = spawn(values.node, args, { stdio: ['ignore', stdout, err], cwd: ROOT });
  closeSync(err);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
async function stopAll() {
  for (const c of children) {
    if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGTERM');
  }
  await sleep(500);
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
}
process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));

const [port, adminPort] = [await freePort(), await freePort()];
start('sidecar', [
  join(ROOT, 'proxy/dist/cli.js'),
  ...['--control-plane', admin.url, '--service', 'agents', '--token', seeded.sidecarToken, '--trust-jwks-url', `${admin.url}/api/v1/sidecar/jwks`],
  ...['--cache-dir', join(dir, 'cache'), '--upstream', backend.url, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`],
]);
const probe = `http://127.0.0.1:${port}/api/v1/agents`;
for (let i = 0; ; i++) {
  try {
    const r = await fetch(probe, { headers: { 'x-api-key': operatorKey } });
    await r.arrayBuffer();
    if (r.status === 200) break;
  } catch {
    /* not up yet */
  }
  if (i > 200) throw new Error('the sidecar did not answer 200 within 20 s');
  await sleep(100);
}

let workflows = true;
/** One change (viewer's workflows:read toggled) → one new revision. */
async function change() {
  workflows = !workflows;
  const cur = await call('GET', '/api/v1/services/agents/roles/viewer');
  const permissions = workflows ? ['agents:read', 'workflows:read'] : ['agents:read'];
  const r = await call('PUT', '/api/v1/services/agents/roles/viewer', { ...cur.body.definition, permissions }, { 'if-match': cur.headers.get('etag') });
  if (r.status !== 200) throw new Error(`role change answered ${r.status}`);
}
async function bundleRevision() {
  const r = await fetch(`http://127.0.0.1:${adminPort}/bundle`);
  return (await r.json()).revision;
}

function paced() {
  const child = start('paced', [join(ROOT, 'bench/paced-client.mjs'), probe, String(RATE), String(SECONDS), String(CONNECTIONS), `x-api-key:${operatorKey}`], 'pipe');
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  return new Promise((res, rej) => child.once('exit', (code) => (code === 0 ? res(JSON.parse(out.trim())) : rej(new Error(`paced client exited ${code}: ${out}`)))));
}

const results = { steady: [], publishing: [] };
let published = 0;
const revisionBefore = await bundleRevision();
// warm-up: one short unmeasured run
await paced();
for (let round = 1; round <= ROUNDS; round++) {
  for (const phase of ['steady', 'publishing']) {
    await sleep(500);
    const run = paced();
    let publishing = phase === 'publishing';
    const publisher = (async () => {
      while (publishing) {
        const t = Date.now();
        await change();
        published++;
        await sleep(Math.max(0, 1000 - (Date.now() - t)));
      }
    })();
    const r = await run;
    publishing = false;
    await publisher;
    results[phase].push(r);
    log(`round ${round} ${phase.padEnd(10)} p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  p99.9 ${r.p999.toFixed(3)} ms  max ${r.max.toFixed(1)} ms  errors ${r.errors}`);
  }
}
const revisionAfter = await bundleRevision();
await stopAll();
await admin.close();
await backend.close();
rmSync(dir, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const row = (phase) => {
  const rs = results[phase];
  const f = (k, d = 3) => median(rs.map((r) => r[k])).toFixed(d);
  return `| ${phase} | ${rs.reduce((a, r) => a + r.sent, 0)} | ${f('p50')} | ${f('p90')} | ${f('p99')} | ${f('p999')} | ${f('max', 1)} | ${rs.reduce((a, r) => a + r.errors, 0)} |`;
};
process.stdout.write(`### Fixed rate while publishing a bundle every second — ${new Date().toISOString().slice(0, 10)}

\`\`\`
node bench/publish-under-load.mjs ${process.argv.slice(2).join(' ')}
\`\`\`

- node ${values.node === process.execPath ? process.version : values.node}; CPU: ${cpus()[0]?.model.trim()}, ${cpus().length} logical CPUs; load average at start: ${loadAtStart}
- ${RATE} req/s for ${SECONDS} s per phase over ${CONNECTIONS} connections (bench/paced-client.mjs, latency from each request's due time); ${ROUNDS} rounds of steady / publishing, interleaved; medians of the rounds
- probe: operator API key on GET /api/v1/agents (API key + RBAC + rate limits + access log), demo backend; sidecar in synced mode against the admin API on SQLite
- revisions applied by the sidecar during the run: ${revisionBefore} → ${revisionAfter} (${published} changes published)

| phase | requests | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | non-200 |
|---|---:|---:|---:|---:|---:|---:|---:|
${row('steady')}
${row('publishing')}
`);
process.exit(0);

function freePort() {
  return new Promise((res, rej) => {
    import('node:net').then(({ createServer }) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const { port: p } = s.address();
        s.close(() => res(p));
      });
    });
  });
}

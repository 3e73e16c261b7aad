#!/usr/bin/env node
// Memory of an idle sidecar (issue #16: "RSS per idle worker ≤ 80 MB"): starts the real CLI with `--workers 2` on the
// bench bundle (a bundle file, no traffic), waits until /readyz answers 200 and then `--settle` seconds more, and reads
// RSS, anonymous RSS and PSS of the primary and of each worker from /proc. Repeats `--runs` times (fresh processes
// each time) and prints the medians; `--node PATH` runs the sidecar on another Node binary (e.g. Node 24).
//
//   node bench/idle-rss.mjs [--runs 3] [--settle 5] [--workers 2] [--node PATH] [--bundle PATH] [--cli proxy/dist/cli.js] [--synced]
//
// --synced: the sidecar as deployed — in synced mode against an admin API (started in this process on SQLite in a
// temp dir, the demo service seeded), pulling and verifying its signed bundle and reporting its status.
//
// RSS counts the node binary's file pages (~40–45 MB, shared by every worker of the machine); PSS divides shared
// pages among the processes that map them. Linux only (reads /proc). Requires `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { childrenOf, memoryOf } from './proc-stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    settle: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    node: { type: 'string', default: process.execPath },
    bundle: { type: 'string', default: join(ROOT, 'bench/bench.bundle.json') },
    cli: { type: 'string', default: join(ROOT, 'proxy/dist/cli.js') },
    synced: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const SETTLE = Number(values.settle);
const WORKERS = Number(values.workers);
if (!(RUNS >= 1 && SETTLE >= 0 && WORKERS >= 1)) {
  process.stderr.write('idle-rss: --runs ≥ 1, --settle ≥ 0 and --workers ≥ 1 take numbers\n');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const freePort = () =>
  new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
const status = (url) =>
  new Promise((res) => {
    const r = request(url, (m) => {
      m.resume();
      res(m.statusCode);
    });
    r.once('error', () => res(0));
    r.setTimeout(1000, () => r.destroy());
    r.end();
  });

/** --synced: an admin API in this process with the demo service seeded; the sidecar's control-plane flags. */
async function controlPlane() {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { Writable } = await import('node:stream');
  const { loadConfig, startAdmin } = await import('../admin-api/dist/index.js');
  const { loginForToken, seedService } = await import('../e2e/dist/seed-demo.js');
  const dir = mkdtempSync(join(tmpdir(), 'agentcore-idle-rss-'));
  const password = 'bench-password-0123456789';
  const ac = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'bench.db')}`, '--log-level', 'warn'], {});
  const admin = await startAdmin(ac.config, { env: { AGENTCORE_ADMIN_PASSWORD: password }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const token = await loginForToken(admin.url, 'admin', password);
  const seeded = await seedService(admin.url, token, JSON.parse(readFileSync(join(ROOT, 'policies/examples/demo.bundle.json'), 'utf8')));
  return {
    args: (n) => ['--control-plane', admin.url, '--service', 'agents', '--token', seeded.sidecarToken, '--trust-jwks-url', `${admin.url}/api/v1/sidecar/jwks`, '--cache-dir', join(dir, `cache-${n}`)],
    close: async () => {
      await admin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
const cp = values.synced ? await controlPlane() : undefined;
let runNo = 0;

async function once() {
  const [port, adminPort] = [await freePort(), await freePort()];
  const source = cp ? cp.args(++runNo) : ['--bundle', values.bundle];
  const args = [values.cli, ...source, '--upstream', 'http://127.0.0.1:9', '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`];
  if (WORKERS > 1) args.push('--workers', String(WORKERS));
  const child = spawn(values.node, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  try {
    const deadline = Date.now() + 20_000;
    while ((await status(`http://127.0.0.1:${adminPort}/readyz`)) !== 200) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the sidecar did not become ready:\n${stderr.slice(-2000)}`);
      await sleep(100);
    }
    await sleep(SETTLE * 1000);
    const workers = WORKERS > 1 ? childrenOf(child.pid) : [];
    if (workers.length !== (WORKERS > 1 ? WORKERS : 0)) throw new Error(`expected ${WORKERS} workers, found ${workers.length}`);
    return { primary: memoryOf(child.pid), workers: workers.map(memoryOf) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

const results = [];
for (let i = 1; i <= RUNS; i++) {
  const r = await once();
  results.push(r);
  const w = r.workers.map((m) => `${m.rss.toFixed(1)}`).join(' / ');
  process.stderr.write(`run ${i}/${RUNS}: primary ${r.primary.rss.toFixed(1)} MB RSS; workers ${w || '—'} MB RSS\n`);
}

await cp?.close();
const nodeVersion = spawnSync(values.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const rows = [];
const row = (label, ms) =>
  rows.push(`| ${label} | ${median(ms.map((m) => m.rss)).toFixed(1)} | ${median(ms.map((m) => m.anon)).toFixed(1)} | ${median(ms.map((m) => m.pss)).toFixed(1)} | ${ms.map((m) => m.rss.toFixed(1)).join(' / ')} |`);
if (WORKERS > 1) {
  row('primary', results.map((r) => r.primary));
  row('worker (each)', results.flatMap((r) => r.workers));
} else row('single process', results.map((r) => r.primary));
process.stdout.write(`#### Idle memory, --workers ${WORKERS}${cp ? ', synced mode' : ''} — ${new Date().toISOString().slice(0, 10)}

\`\`\`
node bench/idle-rss.mjs ${process.argv.slice(2).join(' ')}
\`\`\`

- ${values.cli} on node ${nodeVersion}; load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${cp ? 'synced from an admin API (demo service)' : `bundle: ${values.bundle}`}; ${RUNS} run(s), ${SETTLE} s idle after ready

| process | RSS MB (median) | anonymous RSS MB | PSS MB | RSS per sample |
|---|---:|---:|---:|---|
${rows.join('\n')}

Goal: RSS per idle worker ≤ 80 MB.
`);

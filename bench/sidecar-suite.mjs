#!/usr/bin/env node
// The sidecar's performance suite in one command (issue #16; results and how to read them: docs/benchmarks.md).
//
//   npm run bench:sidecar -- [--runs 3] [--duration 10s] [--baseline-cli PATH] [--node24 PATH] [--skip publish,...]
//
// Runs, one after the other, each part interleaving its targets round by round (A B C … A B C …) and reporting medians:
//   throughput    wrk -c64: plain undici dispatch proxy, http-proxy 1.18, the sidecar (pass-through, API key, JWT) and
//                 --workers 2; unpinned, then pinned (proxies + backend on CPU 0, wrk on CPU 1); ratios against the goals
//   latency       one connection, 5,000 sequential requests per run: p50/p99 added over the backend direct
//   publish       a fixed rate while a new bundle is published every second (bench/publish-under-load.mjs)
//   node24        this build on this Node and on another Node binary (--node24 PATH) side by side (targets base*)
//   memory        RSS / PSS of the idle primary and workers of `--workers 2` (bench/idle-rss.mjs), this build, the
//                 --baseline-cli build, and this build on --node24
// --baseline-cli adds an older build of the sidecar (e.g. a worktree of the previous commit: proxy/dist/cli.js) as
// the targets base / base-full to every throughput and latency run: before/after in the same rounds.
// Needs wrk and nginx (apt-get install -y wrk nginx) and `npm run build`. Everything runs on 127.0.0.1 and stops itself.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['throughput', 'latency', 'publish', 'node24', 'memory'];
let values;
try {
  ({ values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10s' },
      requests: { type: 'string', default: '5000' },
      'baseline-cli': { type: 'string' },
      node24: { type: 'string' },
      skip: { type: 'string', default: '' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  process.stderr.write(`sidecar-suite: ${e.message}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write('usage: npm run bench:sidecar -- [--runs 3] [--duration 10s] [--requests 5000] [--baseline-cli PATH] [--node24 PATH] [--skip throughput,latency,publish,node24,memory]\n');
  process.exit(0);
}
const skip = new Set(values.skip.split(',').filter(Boolean));
const unknown = [...skip].filter((s) => !PARTS.includes(s));
if (unknown.length) {
  process.stderr.write(`sidecar-suite: --skip takes ${PARTS.join(', ')}; got ${unknown.join(', ')}\n`);
  process.exit(2);
}

const base = values['baseline-cli'] ? ['--baseline-cli', values['baseline-cli']] : [];
const withBase = (ids) => (values['baseline-cli'] ? `${ids},base,base-full` : ids);
const common = ['--runs', values.runs];

/** Runs a bench script; its report (stdout) is collected, its progress (stderr) shown. */
function run(script, args) {
  process.stderr.write(`\n== node ${script} ${args.join(' ')}\n`);
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(ROOT, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('error', rej);
    child.once('exit', (code, signal) => (code === 0 ? res(out) : rej(new Error(`${script} exited with ${signal ?? code}`))));
  });
}

const reports = [];
if (!skip.has('throughput')) {
  const ids = withBase('undici,http-proxy,sidecar,sidecar-full,sidecar-jwt,sidecar-w2');
  reports.push(await run('bench/proxy-bench.mjs', ['--only', ids, '--duration', values.duration, ...common, ...base]));
  reports.push(await run('bench/proxy-bench.mjs', ['--pin', '--only', ids.replace(',sidecar-w2', ''), '--duration', values.duration, ...common, ...base]));
}
if (!skip.has('latency')) {
  const ids = withBase('direct,undici,http-proxy,sidecar,sidecar-full,sidecar-jwt');
  reports.push(await run('bench/proxy-bench.mjs', ['--rate', '--requests', values.requests, '--only', ids, ...common, ...base]));
}
if (!skip.has('publish')) reports.push(await run('bench/publish-under-load.mjs', ['--rounds', values.runs]));
if (!skip.has('node24') && values.node24) {
  // the same build on both Node versions, in the same rounds: base / base-full are the Node 24 processes
  const node24 = ['--baseline-cli', join(ROOT, 'proxy/dist/cli.js'), '--baseline-node', values.node24];
  reports.push(await run('bench/proxy-bench.mjs', ['--only', 'sidecar,sidecar-full,base,base-full', '--duration', values.duration, ...common, ...node24]));
}
if (!skip.has('memory')) {
  reports.push(await run('bench/idle-rss.mjs', common));
  if (values['baseline-cli']) reports.push(await run('bench/idle-rss.mjs', [...common, '--cli', values['baseline-cli']]));
  if (values.node24) reports.push(await run('bench/idle-rss.mjs', [...common, '--node', values.node24]));
}
process.stdout.write(reports.join('\n'));

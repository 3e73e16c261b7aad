// Light-load latency client for the benchmarks: N sequential GET requests on ONE keep-alive connection (closed loop:
// the next request leaves when the previous answer has arrived), each timed from write to last byte.
// usage: node bench/one-connection-client.mjs <url> <requests> [header:value ...]
// prints one JSON line: {"requests":N,"errors":E,"p50":ms,"p90":ms,"p99":ms,"max":ms,"mean":ms}
import { Client } from 'undici';

const [url, n, ...headerArgs] = process.argv.slice(2);
const total = Number(n);
if (!url || !Number.isInteger(total) || total < 1) {
  process.stderr.write('usage: node bench/one-connection-client.mjs <url> <requests> [header:value ...]\n');
  process.exit(2);
}
const headers = {};
for (const h of headerArgs) {
  const i = h.indexOf(':');
  headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
}
const target = new URL(url);
const client = new Client(target.origin, { pipelining: 1, connections: 1 });
const path = target.pathname + target.search;
const times = new Float64Array(total);
let errors = 0;

// 200 unmeasured requests first: JIT, connection, caches
for (let i = 0; i < 200; i++) {
  const r = await client.request({ path, method: 'GET', headers });
  await r.body.dump();
}
for (let i = 0; i < total; i++) {
  const t0 = performance.now();
  try {
    const r = await client.request({ path, method: 'GET', headers });
    await r.body.dump();
    if (r.statusCode !== 200) errors++;
  } catch {
    errors++;
  }
  times[i] = performance.now() - t0;
}
await client.close();
const sorted = Float64Array.from(times).sort();
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const mean = times.reduce((a, b) => a + b, 0) / total;
process.stdout.write(JSON.stringify({ requests: total, errors, p50: pct(50), p90: pct(90), p99: pct(99), max: sorted[sorted.length - 1], mean }) + '\n');

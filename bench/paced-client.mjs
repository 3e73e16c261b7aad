// Fixed-rate (open-loop) load client: GET <url> at <rate> requests/s for <seconds> over up to <connections>
// keep-alive connections. Request i is due at start + i/rate; its latency is measured from that due time (so a
// stall shows up in the percentiles instead of silently lowering the rate: no coordinated omission).
// usage: node bench/paced-client.mjs <url> <rate> <seconds> <connections> [header:value ...]
// prints one JSON line: {"sent":N,"errors":E,"p50":ms,"p90":ms,"p99":ms,"p999":ms,"max":ms,"late":N}
import { Pool } from 'undici';

const [url, rateArg, secondsArg, connArg, ...headerArgs] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const connections = Number(connArg);
if (!url || !(rate > 0) || !(seconds > 0) || !(connections > 0)) {
  process.stderr.write('usage: node bench/paced-client.mjs <url> <rate> <seconds> <connections> [header:value ...]\n');
  process.exit(2);
}
const headers = {};
for (const h of headerArgs) {
  const i = h.indexOf(':');
  headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
}
const target = new URL(url);
const pool = new Pool(target.origin, { connections, pipelining: 1 });
const path = target.pathname + target.search;
const total = Math.round(rate * seconds);
const latencies = new Float64Array(total);
let done = 0;
let errors = 0;
let late = 0;

function send(i, due) {
  pool.request({ path, method: 'GET', headers }).then(
    async (r) => {
      await r.body.dump();
      if (r.statusCode !== 200) errors++;
      latencies[i] = performance.now() - due;
      done++;
    },
    () => {
      errors++;
      latencies[i] = performance.now() - due;
      done++;
    },
  );
}

const start = performance.now() + 50;
let next = 0;
await new Promise((finish) => {
  const tick = () => {
    const now = performance.now();
    while (next < total && start + (next * 1000) / rate <= now) {
      const due = start + (next * 1000) / rate;
      if (now - due > 1) late++;
      send(next, due);
      next++;
    }
    if (next < total) setTimeout(tick, Math.max(0, start + (next * 1000) / rate - performance.now() - 0.2));
    else finish();
  };
  setTimeout(tick, 50);
});
while (done < total) await new Promise((r) => setTimeout(r, 5));
await pool.close();
const sorted = Float64Array.from(latencies).sort();
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
process.stdout.write(JSON.stringify({ sent: total, errors, p50: pct(50), p90: pct(90), p99: pct(99), p999: pct(99.9), max: sorted[sorted.length - 1], late }) + '\n');

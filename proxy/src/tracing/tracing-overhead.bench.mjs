// CPU cost of request tracing per request at several sampling ratios, OTLP JSON encoding and export
// included (the receiver runs in a child process). Run after `npm run build`:
//   node proxy/src/tracing/tracing-overhead.bench.mjs
import { createServer } from 'node:http';
import { createRequestTracer } from '../../dist/tracing/request-tracer.js';
import { fork } from 'node:child_process';
// The receiver runs in another process so that only the sidecar side's CPU is counted.
if (process.argv[2] === 'recv') {
  const recv = createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
  recv.listen(0, '127.0.0.1', () => process.send(recv.address().port));
} else {
  const child = fork(new URL(import.meta.url).pathname, ['recv']);
  const port = await new Promise((r) => child.once('message', r));
  const endpoint = `http://127.0.0.1:${port}/v1/traces`;
  const N = 20000;
  const loop = (t) => { for (let i = 0; i < N; i++) { const s = t.startRequest('GET', '/api/v1/agents', {}); s.stage('authenticate', 'allow', 'GRANTED'); s.route('agents-list'); s.stage('authorize', 'allow'); s.stage('rate-limit', 'allow'); s.end(200); } };
  // warm-up
  { const t = createRequestTracer({ endpoint, sampleRatio: 1, maxQueueSize: 100000 }); loop(t); await t.shutdown(); }
  for (const ratio of [0, 0.01, 0.1, 1]) {
    const best = [];
    for (let k = 0; k < 3; k++) {
      const t = createRequestTracer({ endpoint, sampleRatio: ratio, maxQueueSize: 100000 });
      const c0 = process.cpuUsage();
      loop(t);
      await t.shutdown();
      const c = process.cpuUsage(c0);
      best.push((c.user + c.system) * 1000 / N);
    }
    console.log(`ratio ${String(ratio).padEnd(5)}: ${Math.min(...best).toFixed(0).padStart(6)} ns CPU/request incl. OTLP JSON encoding + export (best of 3 × ${N})`);
  }
  child.kill();
}

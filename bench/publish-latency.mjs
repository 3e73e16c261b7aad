#!/usr/bin/env node
// Publish-to-enforced latency: how long after a policy change is made through the admin API do
// sidecars enforce it?
//
//   node bench/publish-latency.mjs [--changes 30] [--clients 1,100]
//
// Everything runs on 127.0.0.1 in this process (admin API on SQLite in a temp dir, demo backend):
//   - clients = 1: a REAL sidecar in synced mode; after each change a probe polls it every 2 ms until
//     the decision flips. Measured: PUT of the role → the first request the sidecar decides differently.
//   - clients = N > 1: N simulated sidecars, each the real sync client (long-poll, ETag, JWS signature
//     and schema verification) in this process. Measured: PUT of the role → that client verified and
//     applied the new revision (onBundle). One process holds them all; each has its own connection.
// Prints a markdown table with p50 / p90 / p99 / max per configuration. Requires `npm run build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createRemoteJWKSet } from 'jose';
import { loadConfig as adminConfig, startAdmin } from '../admin-api/dist/index.js';
import { startDemoBackend } from '../e2e/dist/demo-backend.js';
import { adminClient, loginForToken, seedService } from '../e2e/dist/seed-demo.js';
import { loadConfig as proxyConfig, startProxy } from '../proxy/dist/index.js';
import { createBundleSync } from '../proxy/dist/sync/bundle-sync.js';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '30' }, clients: { type: 'string', default: '1,100' } } });
const CHANGES = Number(values.changes);
const CLIENT_COUNTS = values.clients.split(',').map(Number);
const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (ms) => ms.toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'agentcore-publish-bench-'));
const PASSWORD = 'bench-password-0123456789';
const backend = await startDemoBackend({ port: 0, quiet: true });
const ac = adminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'bench.db')}`, '--log-level', 'warn'], {});
const admin = await startAdmin(ac.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
const token = await loginForToken(admin.url, 'admin', PASSWORD);
const call = adminClient(admin.url, token);
const { readFileSync } = await import('node:fs');
const demo = JSON.parse(readFileSync(new URL('../policies/examples/demo.bundle.json', import.meta.url), 'utf8'));
const seeded = await seedService(admin.url, token, demo);
const viewerKey = seeded.apiKeys.viewer.secret;

/** Flips the viewer role between "may read agents" and "may not"; resolves with the time the PUT was sent. */
let grantRead = true;
async function change() {
  grantRead = !grantRead;
  const cur = await call('GET', '/api/v1/services/agents/roles/viewer');
  const permissions = grantRead ? ['agents:read', 'workflows:read'] : ['workflows:read'];
  const t0 = performance.now();
  await call('PUT', '/api/v1/services/agents/roles/viewer', { ...cur.body.definition, permissions }, { 'if-match': cur.headers.get('etag') });
  return { t0, expectStatus: grantRead ? 200 : 403 };
}

const results = [];
for (const n of CLIENT_COUNTS) {
  const latencies = [];
  if (n === 1) {
    const pc = proxyConfig(
      ['--control-plane', admin.url, '--service', 'agents', '--token', seeded.sidecarToken, '--trust-jwks-url', `${admin.url}/api/v1/sidecar/jwks`, '--cache-dir', join(dir, 'cache'), '--upstream', backend.url, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--status-interval-ms', '60000'],
      {},
    );
    const sidecar = await startProxy(pc.config, { logDestination: quiet(), defaultMetrics: false });
    for (let i = 0; i < CHANGES; i++) {
      const { t0, expectStatus } = await change();
      for (;;) {
        const r = await fetch(`${sidecar.url}/api/v1/agents`, { headers: { 'x-api-key': viewerKey } });
        await r.arrayBuffer();
        if (r.status === expectStatus) break;
        if (performance.now() - t0 > 10_000) throw new Error('change not enforced within 10 s');
        await new Promise((res) => setTimeout(res, 2));
      }
      latencies.push(performance.now() - t0);
      await new Promise((res) => setTimeout(res, 100));
    }
    await sidecar.close();
    results.push({ label: '1 real sidecar (PUT → first request decided differently)', n, latencies });
  } else {
    const keys = createRemoteJWKSet(new URL(`${admin.url}/api/v1/sidecar/jwks`));
    let target;
    const clients = [];
    for (let i = 0; i < n; i++) {
      const c = createBundleSync({
        controlPlane: admin.url,
        service: 'agents',
        token: seeded.sidecarToken,
        keys,
        cacheDir: join(dir, `sim-${i}`),
        instanceId: `sim-${i}`,
        onBundle: async (bundle) => {
          if (target && bundle.revision >= target.revision) {
            latencies.push(performance.now() - target.t0);
            if (--target.remaining === 0) target.resolve();
          }
          return { applied: true };
        },
      });
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.start()));
    for (let i = 0; i < CHANGES; i++) {
      const before = (await call('GET', '/api/v1/services/agents/revisions?limit=1')).body.items[0].revision;
      let resolve;
      const done = new Promise((r) => (resolve = r));
      target = { revision: before + 1, t0: 0, remaining: n, resolve };
      const { t0 } = await change();
      target.t0 = t0;
      await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`not all ${n} clients applied within 15 s`)), 15_000))]);
      target = undefined;
      await new Promise((res) => setTimeout(res, 200));
    }
    await Promise.all(clients.map((c) => c.stop()));
    results.push({ label: `${n} simulated sidecars (PUT → each verified + applied)`, n, latencies });
  }
}

await admin.close();
await backend.close();
rmSync(dir, { recursive: true, force: true });

console.log(`### Control-plane publish-to-enforced latency — ${new Date().toISOString().slice(0, 10)}

\`\`\`
node bench/publish-latency.mjs ${process.argv.slice(2).join(' ')}
\`\`\`

- node ${process.version}; CPU: ${cpus()[0]?.model.trim()}, ${cpus().length} logical CPUs; admin API on SQLite; ${CHANGES} changes per row

| configuration | samples | p50 ms | p90 ms | p99 ms | max ms |
|---|---:|---:|---:|---:|---:|
${results.map((r) => `| ${r.label} | ${r.latencies.length} | ${fmt(pct(r.latencies, 50))} | ${fmt(pct(r.latencies, 90))} | ${fmt(pct(r.latencies, 99))} | ${fmt(Math.max(...r.latencies))} |`).join('\n')}
`);
process.exit(0);

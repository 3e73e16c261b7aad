#!/usr/bin/env node
// Compose one-shot job: seeds the demo "agents" service into the control plane (first run only) and
// writes a fresh sidecar credential to $AGENTCORE_SEED_DIR/sidecar-token (mode 0600) for the sidecar,
// plus the demo API keys to $AGENTCORE_SEED_DIR/demo-seed.json. Runs inside the admin-api image
// (it imports the built e2e/dist/seed-demo.js there). Idempotent across restarts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { adminClient, loginForToken, seedService } from '../../e2e/dist/seed-demo.js';

const url = process.env.AGENTCORE_SEED_ADMIN_URL ?? 'http://admin-api:7070';
const dir = process.env.AGENTCORE_SEED_DIR ?? '/run/agentcore';
const password = process.env.AGENTCORE_ADMIN_PASSWORD;
if (!password) {
  console.error('seed-demo: set AGENTCORE_ADMIN_PASSWORD (the owner password the admin API was started with)');
  process.exit(2);
}
for (let i = 0; ; i++) {
  try {
    const r = await fetch(`${url}/api/v1/sidecar/jwks`);
    if (r.ok) break;
  } catch {
    // not up yet
  }
  if (i === 60) {
    console.error(`seed-demo: the admin API at ${url} did not answer within 60 s`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 1000));
}
const token = await loginForToken(url, 'admin', password);
const call = adminClient(url, token);
const exists = await call('GET', '/api/v1/services/agents').then(
  () => true,
  (e) => (/ → 404/.test(e.message) ? false : Promise.reject(e)),
);
let sidecarToken;
if (!exists) {
  const bundle = JSON.parse(readFileSync(new URL('../../policies/examples/demo.bundle.json', import.meta.url), 'utf8'));
  const seeded = await seedService(url, token, bundle);
  writeFileSync(`${dir}/demo-seed.json`, JSON.stringify({ apiKeys: seeded.apiKeys }, null, 2), { mode: 0o600 });
  sidecarToken = seeded.sidecarToken;
  console.log('seed-demo: seeded service "agents"; demo API keys in the seed volume (demo-seed.json)');
} else {
  sidecarToken = (await call('POST', '/api/v1/services/agents/sidecar-credentials', { name: `compose-sidecar-${Date.now()}` })).body.token;
  console.log('seed-demo: service "agents" exists; issued a fresh sidecar credential');
}
writeFileSync(`${dir}/sidecar-token`, sidecarToken, { mode: 0o600 });
if (!existsSync(`${dir}/sidecar-token`)) process.exit(1);

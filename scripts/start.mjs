#!/usr/bin/env node
// `npm start` (after `npm install`; it builds first): the whole system on one machine, nothing else to install.
//   - the control plane (admin API) on SQLite under ./data
//   - the demo "agents" backend
//   - one sidecar in synced mode in front of it, pulling signed bundles from the control plane
// The demo service is seeded from policies/examples/demo.bundle.json through the admin API on the first run.
// Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adminClient, loginForToken, seedService } from '../e2e/dist/seed-demo.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const ports = {
  admin: env.AGENTCORE_ADMIN_PORT ?? '7070',
  backend: env.DEMO_BACKEND_PORT ?? '3000',
  sidecar: env.AGENTCORE_PROXY_PORT ?? '8080',
  sidecarAdmin: env.AGENTCORE_PROXY_ADMIN_PORT ?? '9901',
};
const dataDir = `${root}data`;
const seedFile = `${dataDir}/demo-seed.json`;
mkdirSync(`${dataDir}/sidecar-cache`, { recursive: true });

// The owner password: AGENTCORE_ADMIN_PASSWORD, else the one chosen on the first run (kept in ./data, mode 0600).
let seed = existsSync(seedFile) ? JSON.parse(readFileSync(seedFile, 'utf8')) : undefined;
const password = env.AGENTCORE_ADMIN_PASSWORD || seed?.password || randomBytes(12).toString('base64url');

const children = [];
let stopping = false;
function run(name, args, extraEnv = {}) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...extraEnv } });
  children.push(child);
  let tail = '';
  child.stderr.on('data', (d) => (tail = (tail + d).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the demo.\n${tail}`);
      stop(1);
    }
  });
  return child;
}
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const waitFor = (child, re) =>
  new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      if (re.test(buf)) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', () => reject(new Error('exited before it was ready')));
  });

try {
  const admin = run('admin API', ['admin-api/dist/cli.js', '--listen', `127.0.0.1:${ports.admin}`, '--database', 'sqlite:./data/agentcore.db'], { AGENTCORE_ADMIN_PASSWORD: password });
  const backend = run('demo backend', ['e2e/dist/demo-backend-cli.js', '--port', ports.backend, '--host', '127.0.0.1', '--quiet']);
  await Promise.all([waitFor(admin, /agentcore-admin listening/), waitFor(backend, /http:\/\//)]);
  const adminUrl = `http://127.0.0.1:${ports.admin}`;

  const token = await loginForToken(adminUrl, 'admin', password);
  if (!seed) {
    const demo = JSON.parse(readFileSync(new URL('../policies/examples/demo.bundle.json', import.meta.url), 'utf8'));
    const result = await seedService(adminUrl, token, demo);
    seed = { password, ...result };
    writeFileSync(seedFile, JSON.stringify(seed, null, 2), { mode: 0o600 });
  } else {
    // A fresh sidecar credential each start (the old ones stay listed until revoked in the API).
    const call = adminClient(adminUrl, token);
    seed.sidecarToken = (await call('POST', '/api/v1/services/agents/sidecar-credentials', { name: `demo-sidecar-${Date.now()}` })).body.token;
  }

  const sidecar = run('sidecar', [
    'proxy/dist/cli.js',
    '--control-plane', adminUrl,
    '--service', 'agents',
    '--trust-jwks-url', `${adminUrl}/api/v1/sidecar/jwks`,
    '--cache-dir', 'data/sidecar-cache',
    '--upstream', `http://127.0.0.1:${ports.backend}`,
    '--listen', `127.0.0.1:${ports.sidecar}`,
    '--admin-listen', `127.0.0.1:${ports.sidecarAdmin}`,
  ], { AGENTCORE_PROXY_TOKEN: seed.sidecarToken });
  await waitFor(sidecar, /agentcore-proxy listening/);

  const s = `http://127.0.0.1:${ports.sidecar}`;
  const viewer = seed.apiKeys.viewer.secret;
  const operator = seed.apiKeys.operator.secret;
  console.log(`
AgentCore Gateway is up.

  console:            ${adminUrl}/             login: admin / ${env.AGENTCORE_ADMIN_PASSWORD ? '(your AGENTCORE_ADMIN_PASSWORD)' : password}
  admin API + docs:   ${adminUrl}/docs/
  sidecar (traffic):  ${s}                enforcing service "agents", synced from the admin API
  sidecar admin:      http://127.0.0.1:${ports.sidecarAdmin}/metrics  /readyz  /bundle
  demo backend:       http://127.0.0.1:${ports.backend}

Try it (demo keys created by the admin API; kept in data/demo-seed.json):
  curl -i ${s}/healthz                                           # public: 200
  curl -i ${s}/api/v1/agents                                     # no credentials: 401
  curl -i -H 'X-API-Key: ${viewer}' ${s}/api/v1/agents      # viewer: 200
  curl -i -X POST -H 'X-API-Key: ${viewer}' -H 'content-type: application/json' -d '{"name":"x"}' ${s}/api/v1/agents   # viewer: 403
  curl -i -X POST -H 'X-API-Key: ${operator}' -H 'content-type: application/json' -d '{"name":"x"}' ${s}/api/v1/agents   # operator: 201 (6th in 10 s: 429)
  TOKEN=$(node policies/examples/mint-demo-jwt.mjs --sub alice --roles operator)   # DEMO-ONLY signing key
  curl -i -H "Authorization: Bearer $TOKEN" ${s}/api/v1/agents

Change a role or revoke a key in the console (${adminUrl}/) or the admin API and the sidecar enforces it within a second.
Ctrl-C stops everything.
`);
} catch (e) {
  console.error(`npm start failed: ${e.message}`);
  stop(1);
}

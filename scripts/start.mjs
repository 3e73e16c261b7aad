#!/usr/bin/env node
// `npm start` (after `npm install`; it builds first): the whole system on one machine, nothing else to install.
//   - the control plane (admin API) on SQLite under ./data
//   - the demo "agents" backend
//   - one sidecar in synced mode in front of it, pulling signed bundles from the control plane
// The demo service is seeded from policies/examples/demo.bundle.json through the admin API on the first run; later
// runs reuse the automation token and sidecar credential kept in data/demo-seed.json (minting new ones only when
// those no longer work, and revoking the ones they replace).
// Ctrl-C, `kill <pid>` (of npm or of this script) and a closed terminal stop everything.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { adminClient, loginAndMintToken, seedService, tokenWorks } from '../e2e/dist/seed-demo.js';
import { ensureDemoKeyFile } from '../admin-api/dist/secrets/key-ring.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const ports = {
  admin: env.AGENTCORE_ADMIN_PORT ?? '7070',
  backend: env.DEMO_BACKEND_PORT ?? '3000',
  sidecar: env.AGENTCORE_PROXY_PORT ?? '8080',
  sidecarAdmin: env.AGENTCORE_PROXY_ADMIN_PORT ?? '9901',
};
// AGENTCORE_DATA_DIR moves ./data (the tests of this script use a temporary one).
const dataDir = env.AGENTCORE_DATA_DIR ?? `${root}data`;
const seedFile = `${dataDir}/demo-seed.json`;
// ./data holds the database, the owner password and the demo credentials: owner-only (0700 dir, 0600 files).
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
mkdirSync(`${dataDir}/sidecar-cache`, { recursive: true, mode: 0o700 });

// The owner password: AGENTCORE_ADMIN_PASSWORD, else the one chosen on the first run (kept in ./data, mode 0600).
let seed = existsSync(seedFile) ? JSON.parse(readFileSync(seedFile, 'utf8')) : undefined;
const password = env.AGENTCORE_ADMIN_PASSWORD || seed?.password || randomBytes(12).toString('base64url');
// Secrets at rest (signing keys, identity-provider secrets) are encrypted with a demo key made on the first run
// (data/secret.key, mode 0600) unless AGENTCORE_SECRET_KEY or AGENTCORE_SECRET_KEY_FILE is set.
const secretKeyEnv = env.AGENTCORE_SECRET_KEY || env.AGENTCORE_SECRET_KEY_FILE ? {} : { AGENTCORE_SECRET_KEY_FILE: ensureDemoKeyFile(`${dataDir}/secret.key`) };

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
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));
// `npm start` runs this script under `sh -c`, which does not pass npm's SIGTERM on: when our parent goes away we are
// re-parented, and stop the services rather than leave them holding the ports.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) stop(0);
}, 250).unref();

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
  const admin = run('admin API', ['admin-api/dist/cli.js', '--listen', `127.0.0.1:${ports.admin}`, '--database', `sqlite:${dataDir}/agentcore.db`], { AGENTCORE_ADMIN_PASSWORD: password, ...secretKeyEnv });
  const backend = run('demo backend', ['e2e/dist/demo-backend-cli.js', '--port', ports.backend, '--host', '127.0.0.1', '--quiet']);
  await Promise.all([waitFor(admin, /agentcore-admin listening/), waitFor(backend, /http:\/\//)]);
  const adminUrl = `http://127.0.0.1:${ports.admin}`;

  const token = await automationToken(adminUrl);
  if (!seed) {
    const demo = JSON.parse(readFileSync(new URL('../policies/examples/demo.bundle.json', import.meta.url), 'utf8'));
    const result = await seedService(adminUrl, token.token, demo);
    seed = { password, ...result };
  } else if (!(await tokenWorks(adminUrl, seed.sidecarToken, '/api/v1/sidecar/bundles/agents'))) {
    // The kept sidecar credential was revoked: make a new one, and revoke the one it replaces (if it still exists).
    const call = adminClient(adminUrl, token.token);
    const made = (await call('POST', '/api/v1/services/agents/sidecar-credentials', { name: 'demo-sidecar' })).body;
    if (seed.sidecarCredentialId) await call('DELETE', `/api/v1/services/agents/sidecar-credentials/${seed.sidecarCredentialId}`).catch(() => {});
    seed.sidecarToken = made.token;
    seed.sidecarCredentialId = made.id;
  }
  seed.automationToken = token;
  writeFileSync(seedFile, JSON.stringify(seed, null, 2), { mode: 0o600 });
  chmodSync(seedFile, 0o600); // `mode` applies only when the file is created

  // A demo OAuth client (client_credentials → tokens the sidecar verifies offline); its secret is kept in the seed file.
  if (!seed.oauthClient) {
    seed.oauthClient = await demoOAuthClient(adminClient(adminUrl, token.token));
    writeFileSync(seedFile, JSON.stringify(seed, null, 2), { mode: 0o600 });
  }

  const sidecar = run('sidecar', [
    'proxy/dist/cli.js',
    '--control-plane', adminUrl,
    '--service', 'agents',
    '--trust-jwks-url', `${adminUrl}/api/v1/sidecar/jwks`,
    '--cache-dir', `${dataDir}/sidecar-cache`,
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

Try it (keys created by this system's admin API, kept in data/demo-seed.json — the README's standalone demo keys do not work here):
  curl -i ${s}/healthz                                           # public: 200
  curl -i ${s}/api/v1/agents                                     # no credentials: 401
  curl -i -H 'X-API-Key: ${viewer}' ${s}/api/v1/agents      # viewer: 200
  curl -i -X POST -H 'X-API-Key: ${viewer}' -H 'content-type: application/json' -d '{"name":"x"}' ${s}/api/v1/agents   # viewer: 403
  curl -i -X POST -H 'X-API-Key: ${operator}' -H 'content-type: application/json' -d '{"name":"x"}' ${s}/api/v1/agents   # operator: 201 (6th in 10 s: 429)
  TOKEN=$(node policies/examples/mint-demo-jwt.mjs --sub alice --roles operator)   # DEMO-ONLY signing key
  curl -i -H "Authorization: Bearer $TOKEN" ${s}/api/v1/agents

OAuth 2.0 (the control plane issues the token, RFC 6749 client_credentials; the sidecar verifies it offline):
  TOKEN=$(curl -s -u '${seed.oauthClient.id}:${seed.oauthClient.secret}' -d grant_type=client_credentials -d scope=agents.read ${adminUrl}/oauth/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
  curl -i -H "Authorization: Bearer $TOKEN" ${s}/api/v1/agents                 # 200 as demo-client with role viewer

Change a role or revoke a key in the console (${adminUrl}/) or the admin API and the sidecar enforces it within a second.
Ctrl-C stops everything.
`);
} catch (e) {
  console.error(`npm start failed: ${e.message}`);
  stop(1);
}

/**
 * The automation token kept from an earlier run when it still works; else a new one (after a password login),
 * with the one it replaces revoked. A wrong AGENTCORE_ADMIN_PASSWORD gets a message saying what to do.
 */
async function automationToken(adminUrl) {
  if (env.AGENTCORE_ADMIN_PASSWORD) await checkOwnerPassword(adminUrl);
  const kept = seed?.automationToken;
  if (kept && (await tokenWorks(adminUrl, kept.token, '/api/v1/tokens'))) return kept;
  let minted;
  try {
    minted = await loginAndMintToken(adminUrl, 'admin', password, 'npm start');
  } catch (e) {
    if (!String(e.message).startsWith('login failed: 401')) throw e;
    throw new Error(`the owner password in ${seedFile} no longer works (changed in the console?). Set AGENTCORE_ADMIN_PASSWORD to the current one, or start over with rm -rf ${dataDir}.`, { cause: e });
  }
  if (kept?.id) {
    await fetch(`${adminUrl}/api/v1/tokens/${kept.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${minted.token}` } }).catch(() => {});
  }
  return minted;
}

/**
 * Registers the confidential demo OAuth client `demo-client` (client_credentials; scope agents.read → role viewer,
 * agents.write → operator); when it already exists (a data dir from before the seed kept it), its secret is rotated.
 */
async function demoOAuthClient(call) {
  const id = 'demo-client';
  const body = {
    id, name: 'Demo client', type: 'confidential', grants: ['client_credentials'],
    scopes: ['agents.read', 'agents.write'], scopeRoles: { 'agents.read': ['viewer'], 'agents.write': ['operator'] }, audiences: ['agents'],
  };
  try {
    return { id, secret: (await call('POST', '/api/v1/oauth-clients', body)).body.secret };
  } catch (e) {
    if (!String(e.message).includes('→ 409')) throw e;
    return { id, secret: (await call('POST', `/api/v1/oauth-clients/${id}/rotate-secret`)).body.secret };
  }
}

/** AGENTCORE_ADMIN_PASSWORD must be the owner's password: it is only used to create the first owner, never to reset one. */
async function checkOwnerPassword(adminUrl) {
  const r = await fetch(`${adminUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  await r.arrayBuffer();
  if (r.status === 401) {
    throw new Error(`the owner "admin" already exists in ${dataDir} with another password: AGENTCORE_ADMIN_PASSWORD only sets the password of the first owner. Unset it (the password is kept in ${seedFile}), or start over with rm -rf ${dataDir}.`);
  }
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
}

#!/usr/bin/env node
// `npm start`: the demo backend and one sidecar in front of it, enforcing the demo policy bundle.
// Run after `npm install` (npm start builds first). Ctrl-C stops everything.
// The control plane (admin API, console) is not built yet; this starts the sidecar standalone.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const backendPort = process.env.DEMO_BACKEND_PORT ?? '3000';
const proxyPort = process.env.AGENTCORE_PROXY_PORT ?? '8080';
const adminPort = process.env.AGENTCORE_PROXY_ADMIN_PORT ?? '9901';
const creds = JSON.parse(readFileSync(new URL('../policies/examples/DEMO-ONLY-credentials.json', import.meta.url), 'utf8'));

const children = [];
function run(name, args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the demo.`);
      stop(1);
    }
  });
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 2000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const waitForLine = (child, re) =>
  new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      if (re.test(buf)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', () => reject(new Error('exited before it was ready')));
  });

const backend = run('demo backend', ['e2e/dist/demo-backend-cli.js', '--port', backendPort, '--host', '127.0.0.1']);
await waitForLine(backend, /http:\/\//);
const proxy = run('sidecar', [
  'proxy/dist/cli.js',
  '--bundle', 'policies/examples/demo.bundle.json',
  '--upstream', `http://127.0.0.1:${backendPort}`,
  '--listen', `127.0.0.1:${proxyPort}`,
  '--admin-listen', `127.0.0.1:${adminPort}`,
]);
await waitForLine(proxy, /agentcore-proxy listening/);
proxy.stdout.resume(); // the access log goes to the sidecar's stdout; keep it flowing
backend.stdout.resume();

const s = `http://127.0.0.1:${proxyPort}`;
console.log(`
AgentCore Gateway demo is up.

  demo backend (direct):   http://127.0.0.1:${backendPort}
  sidecar (traffic):       ${s}
  sidecar admin:           http://127.0.0.1:${adminPort}/metrics  /readyz  /bundle

Try it (DEMO-ONLY credentials from policies/examples/DEMO-ONLY-credentials.json):
  curl -i ${s}/healthz                                               # public: 200
  curl -i ${s}/api/v1/agents                                         # no credentials: 401
  curl -i -H 'X-API-Key: ${creds.apiKeys.viewer}' ${s}/api/v1/agents   # viewer: 200
  curl -i -X POST -H 'X-API-Key: ${creds.apiKeys.viewer}' -H 'content-type: application/json' -d '{"name":"x"}' ${s}/api/v1/agents   # viewer: 403
  TOKEN=$(node policies/examples/mint-demo-jwt.mjs --sub alice --roles operator)
  curl -i -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"x"}' ${s}/api/v1/agents   # operator: 201 (6th within 10 s: 429)

The admin API and console are not built yet. Ctrl-C stops everything.
`);

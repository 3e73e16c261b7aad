// The webhook as deployed: the built sidecar (proxy/dist/cli.js) in standalone mode with the bundle
// and flags of deploy/k8s/base, terminating TLS in front of the /k8s/inject router. The Kubernetes
// API server's call is made over HTTPS, trusting the certificate as a caBundle would; nothing else
// of the admin API is reachable through that port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createInjectRouter } from './inject-endpoint.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk arbitrary manifest JSON
type Json = any;

const root = fileURLToPath(new URL('../../../', import.meta.url));
const base = (file: string): Json[] => parseAllDocuments(readFileSync(`${root}deploy/k8s/base/${file}`, 'utf8')).map((d) => d.toJS());
const dir = mkdtempSync(join(tmpdir(), 'agentcore-webhook-'));
let app: Server;
let front: ChildProcess;
let url: string;
let ca: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
function post(path: string, body: string, method = 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}${path}`, { method, ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  ca = readFileSync(cert, 'utf8');
  writeFileSync(join(dir, 'bundle.json'), base('webhook-bundle-configmap.yaml')[0].data['bundle.json']);

  const inject = express();
  inject.use(createInjectRouter({ image: 'agentcore/proxy:0.1.0', controlPlaneUrl: 'http://cp:7070', listenPort: 15080, adminPort: 15090 }));
  app = await new Promise((r) => {
    const s = inject.listen(0, '127.0.0.1', () => r(s));
  });

  // The front's arguments exactly as in the Deployment, with this machine's paths and ports.
  const deployment = base('admin-api-deployment.yaml')[0];
  const manifestArgs: string[] = deployment.spec.template.spec.initContainers.find((c: Json) => c.name === 'webhook-tls').args;
  const [listen, admin] = await Promise.all([freePort(), freePort()]);
  const args = manifestArgs.map((a) =>
    a
      .replace('/etc/agentcore/webhook-bundle/', `${dir}/`)
      .replace('/etc/agentcore/webhook-tls/', `${dir}/`)
      .replace('http://127.0.0.1:7070', `http://127.0.0.1:${(app.address() as AddressInfo).port}`)
      .replace('0.0.0.0:8443', `127.0.0.1:${listen}`)
      .replace('0.0.0.0:9902', `127.0.0.1:${admin}`),
  );
  expect(args.filter((a, i) => a !== manifestArgs[i])).toHaveLength(6); // bundle, upstream, listen, admin-listen, cert and key were mapped
  front = spawn(process.execPath, [`${root}proxy/dist/cli.js`, ...args, '--log-level=warn'], { stdio: 'ignore' });
  url = `https://localhost:${listen}`;
  for (let i = 0; ; i++) {
    if (front.exitCode !== null) throw new Error(`the TLS front exited with ${front.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${admin}/readyz`)).ok) break;
    } catch {
      // starting
    }
    if (i > 200) throw new Error('the TLS front did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);
afterAll(async () => {
  if (front && front.exitCode === null) {
    front.kill('SIGTERM');
    await new Promise((r) => front.once('exit', r));
  }
  await new Promise((r) => app?.close(r));
});

describe('the webhook behind its TLS front', () => {
  it('answers an AdmissionReview over HTTPS with the injection patch', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'agents-', labels: { 'app.kubernetes.io/name': 'agents' } }, spec: { containers: [{ name: 'agents', image: 'x', ports: [{ name: 'http', containerPort: 3000 }] }] } };
    const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: '0b6a3c1e-0000-4000-8000-000000000042', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', object: pod } };
    const r = await post('/k8s/inject', JSON.stringify(review));
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(body.response).toMatchObject({ uid: '0b6a3c1e-0000-4000-8000-000000000042', allowed: true, patchType: 'JSONPatch' });
    const patch = JSON.parse(Buffer.from(body.response.patch, 'base64').toString('utf8'));
    expect(patch.some((op: Json) => op.path === '/spec/initContainers')).toBe(true);
  });

  it('exposes nothing else of the admin API through the webhook port', async () => {
    expect((await post('/api/v1/services', '', 'GET')).status).toBe(404);
    expect((await post('/k8s/inject', '', 'GET')).status).toBe(405);
  });
});

/**
 * The injection webhook as the assembled control plane serves it: mounted by `startAdmin` only when the
 * injector is configured, answering a real AdmissionReview with a JSON patch.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startAdmin, type AdminHandle } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'agentcore-admin-k8s-'));
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const handles: AdminHandle[] = [];

async function start(env: Record<string, string>, db: string): Promise<AdminHandle> {
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, db)}`, '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('config');
  const h = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: 'a long enough password', ...env }, logDestination: quiet() });
  handles.push(h);
  return h;
}

const review = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'shop',
    operation: 'CREATE',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'orders-7d9f8c6b5-', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'orders' } },
      spec: { containers: [{ name: 'orders', image: 'registry.example/orders:1.4.2', ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
  },
};

let injecting: AdminHandle;
let plain: AdminHandle;
beforeAll(async () => {
  injecting = await start({ AGENTCORE_ADMIN_INJECT_IMAGE: 'registry.example/agentcore-proxy:0.1.0', AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL: 'http://agentcore-admin.agentcore-system.svc:7070' }, 'a.db');
  plain = await start({}, 'b.db');
});
afterAll(async () => {
  for (const h of handles) await h.close();
});

const post = (url: string, body: string) => fetch(`${url}/k8s/inject`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('POST /k8s/inject through startAdmin', () => {
  it('answers an AdmissionReview with a JSON patch adding the sidecar (no session or CSRF needed)', async () => {
    const r = await post(injecting.url, JSON.stringify(review));
    expect(r.status).toBe(200);
    const out = (await r.json()) as { kind: string; response: { uid: string; allowed: boolean; patchType: string; patch: string } };
    expect(out.kind).toBe('AdmissionReview');
    expect(out.response.uid).toBe(review.request.uid);
    expect(out.response.allowed).toBe(true);
    expect(out.response.patchType).toBe('JSONPatch');
    const patch = JSON.parse(Buffer.from(out.response.patch, 'base64').toString('utf8')) as { op: string; path: string; value?: unknown }[];
    expect(JSON.stringify(patch)).toContain('agentcore-sidecar');
    expect(JSON.stringify(patch)).toContain('registry.example/agentcore-proxy:0.1.0');
  });

  it('answers a malformed review with 400 in the spec error format', async () => {
    const r = await post(injecting.url, '{"kind":"AdmissionReview"}');
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; request_id: string } };
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.request_id).not.toBe('');
  });

  it('is not mounted when the injector is not configured', async () => {
    const r = await post(plain.url, JSON.stringify(review));
    expect(r.status).toBe(404);
  });
});

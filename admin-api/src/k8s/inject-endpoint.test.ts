// The injection webhook over HTTP with real AdmissionReview v1 requests; patches are applied with
// fast-json-patch and the result validated against the Kubernetes Pod schema (kubernetes-models).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import jsonpatch from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1/Pod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInjectRouter, injectOptionsFromEnv, mountSidecarInjector } from './inject-endpoint.js';
import { SIDECAR_NAME } from './sidecar-injection.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk arbitrary AdmissionReview and Pod JSON
type Json = any;

const opts = { image: 'registry.example/agentcore-proxy:0.1.0', controlPlaneUrl: 'http://agentcore-admin.agentcore-system.svc:7070', listenPort: 15080, adminPort: 15090 };
let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.use(createInjectRouter(opts));
  server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/k8s/inject`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A Pod as a Deployment's ReplicaSet creates it (no name yet, generateName, owner reference). */
function deploymentPod(extra: { annotations?: Record<string, string>; ports?: { name?: string; containerPort: number }[] } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'orders-7d9f8c6b5-',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'orders', 'pod-template-hash': '7d9f8c6b5' },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'orders-7d9f8c6b5', uid: 'a6b1c1f0-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{ name: 'orders', image: 'registry.example/orders:1.4.2', ports: extra.ports ?? [{ name: 'http', containerPort: 8080 }] }],
      restartPolicy: 'Always',
      serviceAccountName: 'default',
    },
  };
}

function review(object: unknown, uid = '705ab4f5-6393-11e8-b7cc-42010a800002') {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

async function post(body: unknown, raw = false) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, Json> };
}

function applyPatch(pod: object, b64: string) {
  const patch = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  return jsonpatch.applyPatch(structuredClone(pod), patch, true, false).newDocument as Json;
}

describe('POST /k8s/inject', () => {
  it('injects a native sidecar into a plain Deployment Pod; the result is a valid Pod', async () => {
    const pod = deploymentPod();
    const { status, body } = await post(review(pod));
    expect(status).toBe(200);
    expect(body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true, patchType: 'JSONPatch' } });
    const out = applyPatch(pod, body.response.patch);
    expect(() => new Pod(out as never).validate()).not.toThrow();
    const sidecar = out.spec.initContainers[0];
    expect(sidecar).toMatchObject({ name: SIDECAR_NAME, image: opts.image, restartPolicy: 'Always', startupProbe: { httpGet: { path: '/readyz', port: 15090 } } });
    // The Service's named target port "http" now lands on the sidecar; the app's port is renamed.
    expect(sidecar.ports[0]).toMatchObject({ name: 'http', containerPort: 15080 });
    expect(out.spec.containers[0].ports[0]).toEqual({ name: 'app-http', containerPort: 8080 });
    const env = Object.fromEntries(sidecar.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
    expect(env.AGENTCORE_PROXY_UPSTREAM).toBe('http://127.0.0.1:8080');
    expect(env.AGENTCORE_PROXY_SERVICE).toBe('orders');
    expect(env.AGENTCORE_PROXY_TOKEN).toEqual({ secretKeyRef: { name: 'agentcore-sidecar-orders', key: 'token' } });
    expect(out.spec.volumes).toEqual([{ name: 'agentcore-bundle-cache', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(out.metadata.annotations['agentcore.io/injected']).toBe('true');
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  it('is idempotent: an already-injected Pod gets no patch', async () => {
    const pod = deploymentPod();
    const first = await post(review(pod));
    const injected = applyPatch(pod, first.body.response.patch);
    const second = await post(review(injected));
    expect(second.status).toBe(200);
    expect(second.body.response).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  it('appends to existing init containers and volumes without touching them', async () => {
    const pod = deploymentPod() as Record<string, Json>;
    pod.spec.initContainers = [{ name: 'migrate', image: 'registry.example/orders:1.4.2', args: ['migrate'] }];
    pod.spec.volumes = [{ name: 'tmp', emptyDir: {} }];
    const { body } = await post(review(pod));
    const out = applyPatch(pod, body.response.patch);
    expect(out.spec.initContainers.map((c: { name: string }) => c.name)).toEqual([SIDECAR_NAME, 'migrate']);
    expect(out.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['tmp', 'agentcore-bundle-cache']);
    expect(() => new Pod(out as never).validate()).not.toThrow();
  });

  it('leaves an opted-out Pod alone', async () => {
    const { status, body } = await post(review(deploymentPod({ annotations: { 'agentcore.io/inject': 'false' } })));
    expect(status).toBe(200);
    expect(body.response).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  it('refuses a Pod whose container uses the sidecar port, with a clear message', async () => {
    const { status, body } = await post(review(deploymentPod({ ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 15090 }] })));
    expect(status).toBe(200);
    expect(body.response.allowed).toBe(false);
    expect(body.response.status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(body.response.status.message).toMatch(/port conflict: container "orders" uses port 15090/);
    expect(body.response.patch).toBeUndefined();
  });

  it('refuses a Pod with no port and no annotation, and takes the annotation when given', async () => {
    const bare = deploymentPod({ ports: [] });
    const refused = await post(review(bare));
    expect(refused.body.response.allowed).toBe(false);
    expect(refused.body.response.status.message).toMatch(/no application port/);
    const annotated = deploymentPod({ ports: [], annotations: { 'agentcore.io/upstream-port': '3000' } });
    const ok = await post(review(annotated));
    const out = applyPatch(annotated, ok.body.response.patch);
    expect(out.spec.initContainers[0].ports[0]).toMatchObject({ name: 'agentcore-http', containerPort: 15080 });
    expect(() => new Pod(out as never).validate()).not.toThrow();
  });

  it('answers malformed reviews with 400 in the spec error format, never 500', async () => {
    for (const bad of ['{"apiVersion":', '[]', JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'x' } }), JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'not a uid!' } })]) {
      const r = await post(bad, true);
      expect(r.status, bad).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(r.body.error.message).toMatch(/AdmissionReview/);
    }
    // A review with a uid but no Pod object: answered (so the API server can show it), not allowed.
    const noObject = await post({ ...review(undefined), request: { ...review(undefined).request, object: 'x' } });
    expect(noObject.status).toBe(200);
    expect(noObject.body.response).toMatchObject({ allowed: false, status: { code: 400 } });
  });

  it('passes other kinds and operations through unchanged', async () => {
    const r = review(deploymentPod()) as Record<string, Json>;
    r.request.operation = 'UPDATE';
    expect((await post(r)).body.response).toEqual({ uid: r.request.uid, allowed: true });
  });
});

describe('injector configuration', () => {
  it('is off without the environment, and rejects half or wrong configuration', () => {
    expect(injectOptionsFromEnv({})).toBeUndefined();
    expect(() => injectOptionsFromEnv({ AGENTCORE_ADMIN_INJECT_IMAGE: 'x' })).toThrow(/set both/);
    expect(() => injectOptionsFromEnv({ AGENTCORE_ADMIN_INJECT_IMAGE: 'x', AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL: 'http://cp', AGENTCORE_ADMIN_INJECT_LISTEN_PORT: '70000' })).toThrow(/port number/);
    const app = express();
    expect(mountSidecarInjector(app, {})).toBe(false);
    expect(mountSidecarInjector(app, { AGENTCORE_ADMIN_INJECT_IMAGE: 'x', AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL: 'http://cp:7070' })).toBe(true);
  });
});

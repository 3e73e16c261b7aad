// Injection mode `container` (Kubernetes < 1.29): the sidecar as a regular container with --exit-on-file on a
// shared emptyDir, so a Job's Pod completes; the patch is applied and the Pod validated against its schema.
import jsonpatch from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1/Pod';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE } from './legacy-sidecar.js';
import { injectSidecar, SIDECAR_NAME, type PodLike } from './sidecar-injection.js';
import { injectOptionsFromEnv } from './inject-endpoint.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk arbitrary Pod JSON
type Json = any;

const opts = { image: 'registry.example/agentcore-proxy:0.1.0', controlPlaneUrl: 'http://agentcore-admin.agentcore-system.svc:7070', listenPort: 15080, adminPort: 15090, mode: 'container' as const };

function jobPod(): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'report-', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'reports' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'report', image: 'registry.example/report:1.0', ports: [{ name: 'http', containerPort: 8080 }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  };
}

function inject(pod: Json): Json {
  const r = injectSidecar(pod as PodLike, opts);
  if (r.kind !== 'patch') throw new Error(r.message);
  return jsonpatch.applyPatch(structuredClone(pod), r.patch as jsonpatch.Operation[]).newDocument;
}

describe('injection for clusters without native sidecars', () => {
  it('adds the sidecar as a regular container that exits on the shared exit file; the Pod validates', () => {
    const pod = inject(jobPod());
    expect(() => new Pod(pod).validate()).not.toThrow();
    expect(pod.spec.initContainers).toBeUndefined();
    const sidecar = pod.spec.containers.find((c: Json) => c.name === SIDECAR_NAME);
    expect(sidecar.restartPolicy).toBeUndefined();
    expect(sidecar.env).toContainEqual({ name: 'AGENTCORE_PROXY_EXIT_ON_FILE', value: LIFECYCLE.exitFile });
    const app = pod.spec.containers[0];
    for (const c of [app, sidecar]) expect(c.volumeMounts).toContainEqual({ name: LIFECYCLE.volume, mountPath: LIFECYCLE.dir });
    expect(app.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(pod.spec.volumes.map((v: Json) => v.name)).toEqual(['data', 'agentcore-bundle-cache', LIFECYCLE.volume]);
    expect(pod.spec.volumes.find((v: Json) => v.name === LIFECYCLE.volume).emptyDir).toBeDefined();
  });

  it('is idempotent: an injected Pod gets no patch', () => {
    const r = injectSidecar(inject(jobPod()) as PodLike, opts);
    expect(r).toEqual({ kind: 'patch', patch: [], reason: 'already injected' });
  });

  it('adds volumeMounts to a container that has none, and a volumes list to a Pod without one', () => {
    const p = jobPod();
    delete p.spec.containers[0].volumeMounts;
    delete p.spec.volumes;
    const pod = inject(p);
    expect(() => new Pod(pod).validate()).not.toThrow();
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: LIFECYCLE.volume, mountPath: LIFECYCLE.dir }]);
  });

  it('is chosen with AGENTCORE_ADMIN_INJECT_MODE=container; native by default; anything else refused', () => {
    const base = { AGENTCORE_ADMIN_INJECT_IMAGE: opts.image, AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL: opts.controlPlaneUrl };
    expect(injectOptionsFromEnv({ ...base, AGENTCORE_ADMIN_INJECT_MODE: 'container' })?.mode).toBe('container');
    expect(injectOptionsFromEnv(base)?.mode).toBe('native');
    expect(() => injectOptionsFromEnv({ ...base, AGENTCORE_ADMIN_INJECT_MODE: 'legacy' })).toThrow(/native.*container/);
  });
});

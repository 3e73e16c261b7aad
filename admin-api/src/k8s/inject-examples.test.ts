// The injector against the repository's Kubernetes examples: the plain Deployment of
// deploy/k8s/examples/orders-injected, once injected, is a valid Pod whose sidecar is exactly the one
// written by hand in deploy/k8s/examples/orders-native-sidecar (one source of truth for both).
import { readFileSync } from 'node:fs';
import jsonpatch from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1/Pod';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { reviewPodAdmission } from './admission-review.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk arbitrary manifest JSON
type Json = any;

const examples = new URL('../../../deploy/k8s/examples/', import.meta.url);
const docs = (file: string): Json[] => parseAllDocuments(readFileSync(new URL(file, examples), 'utf8')).map((d) => d.toJS());
const opts = { image: 'agentcore/proxy', controlPlaneUrl: 'http://agentcore-admin-api.agentcore-system.svc:7070', listenPort: 15080, adminPort: 15090 };

/** The Pod a ReplicaSet would create from a Deployment's template. */
function podOf(deployment: Json): Json {
  const t = deployment.spec.template;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, generateName: `${deployment.metadata.name}-`, namespace: deployment.metadata.namespace }, spec: t.spec };
}

describe('the injector on the examples', () => {
  const plain = docs('orders-injected/resources.yaml').find((d) => d.kind === 'Deployment');
  const handWritten = docs('orders-native-sidecar/deployment.yaml').find((d) => d.kind === 'Deployment');
  const pod = podOf(plain);
  const review = reviewPodAdmission({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'e2a0c1a4-0000-4000-8000-000000000001', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'agents-injected', object: pod } }, opts);
  const patch = JSON.parse(Buffer.from(review.response.patch!, 'base64').toString('utf8'));
  const injected: Json = jsonpatch.applyPatch(structuredClone(pod), patch, true, false).newDocument;

  it('injects the plain Deployment into a valid Pod', () => {
    expect(review.response.allowed).toBe(true);
    expect(() => new Pod(injected).validate()).not.toThrow();
    expect(injected.spec.containers[0].ports).toEqual([{ name: 'app-http', containerPort: 3000, protocol: 'TCP' }]);
  });

  it('produces the same sidecar and cache volume as the hand-written native-sidecar example', () => {
    const expected = handWritten.spec.template.spec.initContainers[0];
    const actual = injected.spec.initContainers[0];
    // The example is trimmed for reading: it leaves out the uid and seccomp (set on its Pod) and the
    // probes' timeouts; every field it does state must be what the injector produces.
    expect(actual).toMatchObject({ ...expected, securityContext: expect.objectContaining(expected.securityContext) });
    expect(actual.env.map((e: Json) => e.name)).toEqual(expected.env.map((e: Json) => e.name));
    expect(injected.spec.volumes).toEqual([{ name: 'agentcore-bundle-cache', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(handWritten.spec.template.spec.volumes).toEqual(injected.spec.volumes);
  });
});

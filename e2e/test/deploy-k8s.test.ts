// deploy/k8s rendered offline (deploy-kustomize.ts) and every object validated against the Kubernetes
// OpenAPI schemas shipped by kubernetes-models (no cluster); then the properties the rollout needs.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadConfig as loadAdminConfig } from '@agentcore/admin-api';
import { validateBundle } from '@agentcore/policies';
import { loadConfig as loadProxyConfig } from '@agentcore/proxy';
import { describe, expect, it } from 'vitest';
import { containersOf, readYamlDocuments, renderKustomization, renderWithKubectl, type Json, type Manifest } from './deploy-kustomize.js';

const require = createRequire(import.meta.url);
const k8s = fileURLToPath(new URL('../../deploy/k8s/', import.meta.url));
const KUSTOMIZATIONS = ['base', 'overlays/dev', 'overlays/production', 'examples/orders-native-sidecar', 'examples/orders-injected'];

/** Validates one object against its Kubernetes schema; throws with the schema's message. */
function validateManifest(m: Manifest): void {
  const group = m.apiVersion.includes('/') ? m.apiVersion : `v1`;
  const Model = (require(`kubernetes-models/${group}/${m.kind}`) as Record<string, new (o: unknown) => { validate(): void }>)[m.kind];
  if (!Model) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  new Model(m).validate();
}

// `kubectl kustomize` when kubectl is installed (it is here: /usr/bin/kubectl with kustomize v5), else the offline renderer.
const byKubectl = Object.fromEntries(KUSTOMIZATIONS.map((k) => [k, renderWithKubectl(k8s + k)]));
const byRenderer = Object.fromEntries(KUSTOMIZATIONS.map((k) => [k, renderKustomization(k8s + k)]));
const rendered = Object.fromEntries(KUSTOMIZATIONS.map((k) => [k, byKubectl[k] ?? byRenderer[k]!]));
const kubectl = Object.values(byKubectl).every((v) => v !== undefined);
const find = (k: string, kind: string, name: string) => rendered[k]!.find((m) => m.kind === kind && m.metadata.name === name) as Manifest & Record<string, Json>;
/** A container's literal environment (values from Secrets and fields are left out). */
const env = (c: Record<string, Json>) => Object.fromEntries((c.env ?? []).filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));

describe('kustomizations render and validate against the Kubernetes schemas', () => {
  it.each(KUSTOMIZATIONS)('%s', (k) => {
    const objects = rendered[k]!;
    expect(objects.length).toBeGreaterThan(0);
    for (const m of objects) expect(() => validateManifest(m), `${k}: ${m.kind}/${m.metadata.name}`).not.toThrow();
  });

  it.runIf(kubectl).each(KUSTOMIZATIONS)('kubectl kustomize and the offline renderer agree on %s', (k) => {
    const ids = (ms: Manifest[]) => ms.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`).sort();
    expect(ids(byKubectl[k]!)).toEqual(ids(byRenderer[k]!));
    const norm = (ms: Manifest[]) => JSON.stringify(ms.map((m) => containersOf(m).map((c) => [c.name, c.image])).flat());
    expect(norm(byKubectl[k]!.slice().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)))).toBe(norm(byRenderer[k]!.slice().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))));
  });

  it('the validator rejects a broken manifest (the check can fail)', () => {
    const d = structuredClone(find('base', 'Deployment', 'agentcore-admin-api'));
    d.spec.template.spec.containers[0].ports[0].containerPort = 'seventy';
    expect(() => validateManifest(d)).toThrow(/containerPort/);
    const p = structuredClone(find('base', 'PodDisruptionBudget', 'agentcore-admin-api'));
    p.spec.selector = 'everything';
    expect(() => validateManifest(p)).toThrow();
  });

  it('the renderer refuses kustomize features it does not model, and a patch that does not apply', () => {
    expect(() => renderKustomization(fileURLToPath(new URL('./fixtures/kustomize-unsupported', import.meta.url)))).toThrow(/does not model: namePrefix/);
    expect(() => renderKustomization(fileURLToPath(new URL('./fixtures/kustomize-bad-patch', import.meta.url)))).toThrow(/replace|missing|OPERATION_PATH/i);
  });
});

describe('the control plane', () => {
  const deploy = find('base', 'Deployment', 'agentcore-admin-api');
  const pod = deploy.spec.template.spec;
  const admin = pod.containers.find((c: { name: string }) => c.name === 'admin-api');

  it('runs ≥ 2 replicas with rolling updates that keep capacity, a PDB and a Service', () => {
    expect(deploy.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deploy.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pdb = find('base', 'PodDisruptionBudget', 'agentcore-admin-api');
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deploy.spec.selector.matchLabels);
    const svc = find('base', 'Service', 'agentcore-admin-api');
    expect(svc.spec.selector).toEqual(deploy.spec.selector.matchLabels);
    expect(svc.spec.ports.map((p: { targetPort: string }) => p.targetPort).sort()).toEqual(['http', 'webhook-tls']);
  });

  it('every container has probes, resource requests, a memory limit and a restricted security context', () => {
    for (const k of KUSTOMIZATIONS) {
      for (const m of rendered[k]!) {
        for (const c of containersOf(m)) {
          const where = `${k} ${m.kind}/${m.metadata.name} ${c.name}`;
          expect(c.resources?.requests?.cpu, where).toBeDefined();
          expect(c.resources?.limits?.memory, where).toBeDefined();
          expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
          if (m.kind !== 'Job') expect(c.readinessProbe ?? c.startupProbe, where).toBeDefined();
          if (String(c.image).startsWith('agentcore/') || String(c.image).includes('/agentcore/')) expect(c.securityContext.readOnlyRootFilesystem, where).toBe(true);
        }
      }
    }
    expect(admin.startupProbe && admin.readinessProbe && admin.livenessProbe).toBeTruthy();
  });

  it('takes the database URL, the secret key and the admin password from a Secret, and its flags parse', () => {
    const refs = Object.fromEntries(admin.env.filter((e: Json) => e.valueFrom).map((e: Json) => [e.name, e.valueFrom.secretKeyRef?.name]));
    expect(refs).toMatchObject({ AGENTCORE_ADMIN_DATABASE: 'agentcore-admin', AGENTCORE_ADMIN_PASSWORD: 'agentcore-admin', AGENTCORE_ADMIN_SECRET_KEY: 'agentcore-admin' });
    expect(admin.command).toEqual(['node', 'admin-api/dist/cli.js']);
    const r = loadAdminConfig([], { ...env(admin), AGENTCORE_ADMIN_DATABASE: 'postgres://agentcore@db:5432/agentcore' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });

  it('fronts the webhook with TLS: a sidecar whose bundle is valid and whose flags parse', () => {
    const front = pod.initContainers.find((c: { name: string }) => c.name === 'webhook-tls');
    expect(front.restartPolicy).toBe('Always');
    const r = loadProxyConfig(front.args, {});
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const cm = find('base', 'ConfigMap', 'agentcore-webhook-bundle');
    const v = validateBundle(JSON.parse(cm.data['bundle.json']));
    expect(v.ok, JSON.stringify(v)).toBe(true);
  });

  it('has a NetworkPolicy for ingress and egress of the admin API', () => {
    const np = find('base', 'NetworkPolicy', 'agentcore-admin-api');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress.flatMap((e: Json) => e.ports.map((p: Json) => p.port))).toContain(5432);
  });

  it('production: 3 replicas, PDB 2, images from the registry, injected sidecar image too', () => {
    const d = find('overlays/production', 'Deployment', 'agentcore-admin-api');
    expect(d.spec.replicas).toBe(3);
    expect(find('overlays/production', 'PodDisruptionBudget', 'agentcore-admin-api').spec.minAvailable).toBe(2);
    expect(containersOf(d).map((c) => c.image).sort()).toEqual(['registry.example.com/agentcore/admin-api:0.1.0', 'registry.example.com/agentcore/proxy:0.1.0']);
    expect(env(d.spec.template.spec.containers[0]).AGENTCORE_ADMIN_INJECT_IMAGE).toBe('registry.example.com/agentcore/proxy:0.1.0');
  });
});

describe('the injection webhook configuration', () => {
  const wh = find('base', 'MutatingWebhookConfiguration', 'agentcore-sidecar-injector');

  it('calls /k8s/inject on the admin API Service for Pod creations, failing closed, never in its own namespace', () => {
    expect(wh.webhooks).toHaveLength(2);
    for (const w of wh.webhooks) {
      expect(w.clientConfig.service).toEqual({ name: 'agentcore-admin-api', namespace: 'agentcore-system', path: '/k8s/inject', port: 443 });
      expect(w.failurePolicy).toBe('Fail');
      expect(w.sideEffects).toBe('None');
      expect(w.rules).toEqual([{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }]);
    }
    const ns = find('base', 'Namespace', 'agentcore-system');
    expect(ns.metadata.labels?.['agentcore.io/inject']).toBe('disabled');
    expect(wh.webhooks[1].namespaceSelector.matchExpressions[0]).toEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'agentcore-system'] });
  });
});

describe('the application examples', () => {
  it('native sidecar: init container with restartPolicy Always, cache on emptyDir, token from a Secret; the app is loopback-only', () => {
    for (const name of ['agents', 'agents-report']) {
      const w = rendered['examples/orders-native-sidecar']!.find((m) => m.metadata.name === name && (m.kind === 'Deployment' || m.kind === 'Job')) as Manifest & Record<string, Json>;
      const spec = w.spec.template.spec;
      const sidecar = spec.initContainers[0];
      expect(sidecar).toMatchObject({ name: 'agentcore-sidecar', restartPolicy: 'Always', image: 'agentcore/proxy:0.1.0' });
      expect(sidecar.startupProbe.httpGet.path).toBe('/readyz');
      expect(sidecar.env.find((e: Json) => e.name === 'AGENTCORE_PROXY_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'agentcore-sidecar-agents', key: 'token' });
      const cacheMount = sidecar.volumeMounts[0];
      expect(spec.volumes.find((v: Json) => v.name === cacheMount.name).emptyDir).toBeDefined();
      const r = loadProxyConfig([], { ...env(sidecar), AGENTCORE_PROXY_TOKEN: 'agc_sc_0123456789abcdef0123' });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(spec.containers.flatMap((c: Json) => c.ports ?? [])).toEqual([]);
    }
    const svc = rendered['examples/orders-native-sidecar']!.find((m) => m.kind === 'Service') as Record<string, Json>;
    expect(svc.spec.ports[0].targetPort).toBe('http');
    const np = rendered['examples/orders-native-sidecar']!.find((m) => m.kind === 'NetworkPolicy') as Record<string, Json>;
    expect(np.spec.ingress[0].ports.map((p: Json) => p.port)).toEqual([15080, 15090]);
  });

  it('the cert-manager component names the Service DNS name the webhook is called on', () => {
    const docs = readYamlDocuments(k8s + 'cert-manager/webhook-certificate.yaml') as Record<string, Json>[];
    const cert = docs.find((d) => d.kind === 'Certificate')!;
    expect(cert.spec.secretName).toBe('agentcore-webhook-tls');
    expect(cert.spec.dnsNames).toContain('agentcore-admin-api.agentcore-system.svc');
  });
});

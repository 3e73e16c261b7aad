/**
 * Sidecar injection for Kubernetes Pods, as a pure function: a Pod in, an RFC 6902 JSON patch (or a
 * refusal with a message) out. The sidecar is a native sidecar (an init container with
 * `restartPolicy: Always`, Kubernetes 1.29+): it starts before the application containers, which start
 * only once its startup probe passes, and a Job's Pod completes when its application container ends.
 */

import { legacySidecarPatch } from './legacy-sidecar.js';

/** The annotation/label keys the injector reads and writes. */
export const INJECT_KEYS = {
  inject: 'agentcore.io/inject',
  injected: 'agentcore.io/injected',
  service: 'agentcore.io/service',
  upstreamPort: 'agentcore.io/upstream-port',
  credentialsSecret: 'agentcore.io/credentials-secret',
} as const;

/** Name of the injected sidecar container and its cache volume. */
export const SIDECAR_NAME = 'agentcore-sidecar';
export const CACHE_VOLUME = 'agentcore-bundle-cache';

/** What the injector needs to know about the cluster's control plane and the sidecar image. */
export interface InjectOptions {
  /** sidecar image, pinned (e.g. registry/agentcore-proxy:0.1.0 or @sha256:…) */
  image: string;
  /** the control plane's URL as Pods reach it (e.g. http://agentcore-admin.agentcore-system.svc:7070) */
  controlPlaneUrl: string;
  /** traffic port of the sidecar in the Pod (the Service's target port moves here) */
  listenPort: number;
  /** admin port of the sidecar (/healthz, /readyz, /metrics) */
  adminPort: number;
  /**
   * `native` (default): an init container with restartPolicy Always (Kubernetes 1.29+). `container`: for older
   * clusters, a regular container that exits when the application writes the exit file (`legacy-sidecar.ts`).
   */
  mode?: 'native' | 'container';
}

/** One RFC 6902 operation (the injector only adds and replaces). */
export interface PatchOp {
  op: 'add' | 'replace';
  path: string;
  value: unknown;
}

/** The injector's answer: a patch (possibly empty: nothing to do, and why) or a refusal. */
export type InjectResult = { kind: 'patch'; patch: PatchOp[]; reason: string } | { kind: 'refuse'; message: string };

interface ContainerPort {
  name?: string;
  containerPort?: number;
}
interface Container {
  name?: string;
  ports?: ContainerPort[];
}
/** The parts of a Pod the injector reads (the rest passes through untouched). */
export interface PodLike {
  metadata?: { name?: string; generateName?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; initContainers?: Container[]; volumes?: { name?: string }[]; hostNetwork?: boolean };
}

const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** JSON Pointer escaping of one path segment (RFC 6901). */
function pointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isOptOut(pod: PodLike): boolean {
  const v = pod.metadata?.annotations?.[INJECT_KEYS.inject] ?? pod.metadata?.labels?.[INJECT_KEYS.inject];
  return v !== undefined && ['false', 'disabled', 'no', '0'].includes(v.toLowerCase());
}

function serviceOf(pod: PodLike): string | undefined {
  const m = pod.metadata ?? {};
  return m.annotations?.[INJECT_KEYS.service] ?? m.labels?.['app.kubernetes.io/name'] ?? m.labels?.app;
}

/** The application's port: the annotation, else the port named `http`, else the first declared port. */
function upstreamPort(pod: PodLike): { port: number; container?: number; index?: number } | string {
  const given = pod.metadata?.annotations?.[INJECT_KEYS.upstreamPort];
  const containers = pod.spec?.containers ?? [];
  const all = containers.flatMap((c, ci) => (c.ports ?? []).map((p, pi) => ({ p, ci, pi })));
  if (given !== undefined) {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 1 || n > 65535) return `annotation ${INJECT_KEYS.upstreamPort} must be a port number 1-65535, got "${given}"`;
    const declared = all.find((x) => x.p.containerPort === n);
    return declared ? { port: n, container: declared.ci, index: declared.pi } : { port: n };
  }
  const chosen = all.find((x) => x.p.name === 'http') ?? all[0];
  if (!chosen || typeof chosen.p.containerPort !== 'number') {
    return `no application port: declare a containerPort (named "http" if there are several) or set the annotation ${INJECT_KEYS.upstreamPort}`;
  }
  return { port: chosen.p.containerPort, container: chosen.ci, index: chosen.pi };
}

/** The sidecar container spec for one service. */
export function sidecarContainer(opts: InjectOptions, service: string, secret: string, appPort: number, portName: string): Record<string, unknown> {
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: opts.adminPort },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });
  return {
    name: SIDECAR_NAME,
    image: opts.image,
    restartPolicy: 'Always',
    env: [
      { name: 'AGENTCORE_PROXY_CONTROL_PLANE', value: opts.controlPlaneUrl },
      { name: 'AGENTCORE_PROXY_SERVICE', value: service },
      { name: 'AGENTCORE_PROXY_TOKEN', valueFrom: { secretKeyRef: { name: secret, key: 'token' } } },
      { name: 'AGENTCORE_PROXY_TRUST_JWKS_URL', value: `${opts.controlPlaneUrl.replace(/\/$/, '')}/api/v1/sidecar/jwks` },
      { name: 'AGENTCORE_PROXY_CACHE_DIR', value: '/var/cache/agentcore' },
      { name: 'AGENTCORE_PROXY_UPSTREAM', value: `http://127.0.0.1:${appPort}` },
      { name: 'AGENTCORE_PROXY_LISTEN', value: `0.0.0.0:${opts.listenPort}` },
      { name: 'AGENTCORE_PROXY_ADMIN_LISTEN', value: `0.0.0.0:${opts.adminPort}` },
      { name: 'AGENTCORE_PROXY_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    ports: [
      { name: portName, containerPort: opts.listenPort, protocol: 'TCP' },
      { name: 'agentcore-admin', containerPort: opts.adminPort, protocol: 'TCP' },
    ],
    // The application containers start only once this passes (native sidecar semantics).
    // Checked every 2 s for up to 2 minutes (the first bundle may wait for the control plane).
    startupProbe: probe('/readyz', 2, 60),
    readinessProbe: probe('/readyz', 5, 3),
    livenessProbe: probe('/healthz', 10, 3),
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [{ name: CACHE_VOLUME, mountPath: '/var/cache/agentcore' }],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** Checks that the Pod can take the sidecar; returns the refusal message or undefined. */
function conflicts(pod: PodLike, opts: InjectOptions, appPort: number): string | undefined {
  if (pod.spec?.hostNetwork) return 'the Pod uses hostNetwork: the sidecar ports would be bound on the node; inject by hand or opt out';
  const used = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].flatMap((c) => (c.ports ?? []).map((p) => ({ c: c.name, p: p.containerPort })));
  for (const sidecarPort of [opts.listenPort, opts.adminPort]) {
    const clash = used.find((u) => u.p === sidecarPort);
    if (clash) return `port conflict: container "${clash.c}" uses port ${sidecarPort}, which the sidecar needs; move the application or set the injector's ports`;
  }
  if (appPort === opts.listenPort || appPort === opts.adminPort) return `port conflict: the application port ${appPort} is one of the sidecar's ports`;
  if ((pod.spec?.volumes ?? []).some((v) => v.name === CACHE_VOLUME)) return `the Pod already has a volume named "${CACHE_VOLUME}" but no sidecar`;
  return undefined;
}

/** Computes the patch that injects the sidecar into `pod` (idempotent: an injected Pod gets no patch). */
export function injectSidecar(pod: PodLike, opts: InjectOptions): InjectResult {
  if (!pod.spec || !Array.isArray(pod.spec.containers) || pod.spec.containers.length === 0) return { kind: 'refuse', message: 'the object is not a Pod with containers' };
  const spec = pod.spec;
  const containers = pod.spec.containers;
  if ((spec.initContainers ?? []).some((c) => c.name === SIDECAR_NAME) || containers.some((c) => c.name === SIDECAR_NAME)) {
    return { kind: 'patch', patch: [], reason: 'already injected' };
  }
  if (isOptOut(pod)) return { kind: 'patch', patch: [], reason: `opted out (${INJECT_KEYS.inject}=false)` };
  const service = serviceOf(pod);
  if (!service || !DNS_LABEL.test(service)) {
    return { kind: 'refuse', message: `cannot tell which AgentCore service this Pod is: set the annotation ${INJECT_KEYS.service} (or the label app.kubernetes.io/name) to a DNS label` };
  }
  const up = upstreamPort(pod);
  if (typeof up === 'string') return { kind: 'refuse', message: up };
  const clash = conflicts(pod, opts, up.port);
  if (clash) return { kind: 'refuse', message: clash };
  const secret = pod.metadata?.annotations?.[INJECT_KEYS.credentialsSecret] ?? `agentcore-sidecar-${service}`;
  if (!DNS_LABEL.test(secret)) return { kind: 'refuse', message: `annotation ${INJECT_KEYS.credentialsSecret} must name a Secret (a DNS label), got "${secret}"` };

  const patch: PatchOp[] = [];
  // The Service's named target port moves to the sidecar: the sidecar takes the application port's name.
  let portName = 'agentcore-http';
  if (up.container !== undefined && up.index !== undefined) {
    const appName = containers[up.container]?.ports?.[up.index]?.name;
    if (appName && PORT_NAME.test(appName)) {
      portName = appName;
      const renamed = `app-${appName}`.slice(0, 15).replace(/-+$/, '');
      patch.push({ op: 'replace', path: `/spec/containers/${up.container}/ports/${up.index}/name`, value: renamed });
    }
  }
  const sidecar = sidecarContainer(opts, service, secret, up.port, portName);
  const volume = { name: CACHE_VOLUME, emptyDir: { sizeLimit: '64Mi' } };
  if (opts.mode === 'container') patch.push(...legacySidecarPatch(pod, sidecar, volume));
  else {
    patch.push(spec.initContainers ? { op: 'add', path: '/spec/initContainers/0', value: sidecar } : { op: 'add', path: '/spec/initContainers', value: [sidecar] });
    patch.push(spec.volumes ? { op: 'add', path: '/spec/volumes/-', value: volume } : { op: 'add', path: '/spec/volumes', value: [volume] });
  }
  if (!pod.metadata) patch.push({ op: 'add', path: '/metadata', value: {} });
  if (!pod.metadata?.annotations) patch.push({ op: 'add', path: '/metadata/annotations', value: {} });
  patch.push({ op: 'add', path: `/metadata/annotations/${pointer(INJECT_KEYS.injected)}`, value: 'true' });
  if (!pod.metadata?.labels) patch.push({ op: 'add', path: '/metadata/labels', value: {} });
  patch.push({ op: 'add', path: `/metadata/labels/${pointer(INJECT_KEYS.injected)}`, value: 'true' });
  return { kind: 'patch', patch, reason: `injected for service "${service}" in front of port ${up.port}` };
}

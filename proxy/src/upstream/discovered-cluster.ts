/**
 * An upstream whose targets come from DNS (`discovery.dns` in the bundle): discovery re-resolves the name on its
 * TTL and, on a change, the cluster is rebuilt from the new target list; unchanged targets (same address and port,
 * hence same name) keep their health and ejection state, and the circuit breaker and retry budget carry over.
 * Tries started on a replaced cluster finish on it. No targets → every pick is undefined (503).
 */
import type { Upstream } from '@agentcore/policies';
import { startDnsDiscovery, type DnsTarget } from './dns-discovery.js';
import { upstreamWithDnsTargets } from './dns-targets.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { createRetryPolicy } from './retry-policy.js';
import { createUpstreamCluster, type CarriedState, type ClusterOptions, type Target, type UpstreamCluster } from './upstream-cluster.js';

/** Process-level settings of discovery (the sidecar's flags). */
export interface DiscoveryOptions extends ClusterOptions {
  /** resolvers as ip or ip:port (`--dns-server`); default the system's */
  dnsServers?: string[] | undefined;
  /** a resolution failed and the last good targets are kept */
  onDnsError?: (upstream: string, err: Error) => void;
  /** the targets changed (ids `host:port`) */
  onTargets?: (upstream: string, targets: string[]) => void;
}

/** Starts discovery for `def` (which has `discovery.dns`) and resolves once the first answer is in. */
export async function createDiscoveredCluster(name: string, def: Upstream, o: DiscoveryOptions): Promise<UpstreamCluster> {
  const dns = def.discovery!.dns;
  const owner = new WeakMap<Target, UpstreamCluster>();
  // One breaker and retry budget for the upstream's lifetime; per-target state moves from cluster to cluster.
  const base: CarriedState = {
    breaker: createCircuitBreaker(def.circuitBreaker),
    retry: createRetryPolicy(def.retries, { now: o.now, random: o.random }),
    healthy: () => undefined,
    outlier: () => undefined,
  };
  let inner: UpstreamCluster | undefined;
  let last: CarriedState = base;
  const rebuild = (list: readonly DnsTarget[]): void => {
    const next = upstreamWithDnsTargets({ ...def, discovery: undefined }, list, dns.scheme);
    const old = inner;
    if (old) last = old.carried;
    inner = next ? createUpstreamCluster(name, next, { ...o, previous: { ...last, breaker: base.breaker, retry: base.retry } }) : undefined;
    if (inner) for (const t of inner.targets) owner.set(t, inner);
    old?.close();
    o.onTargets?.(name, list.map((t) => t.id));
  };
  const discovery = await startDnsDiscovery({
    name: dns.name,
    mode: dns.mode,
    ...(dns.port !== undefined ? { port: dns.port } : {}),
    ...(o.dnsServers?.length ? { servers: o.dnsServers } : {}),
    minTtlMs: dns.minTtlMs,
    maxTtlMs: dns.maxTtlMs,
    onChange: rebuild,
    onError: (err) => o.onDnsError?.(name, err),
  });
  return {
    name,
    get targets() {
      return inner?.targets ?? [];
    },
    pick: (hashKey, exclude) => inner?.pick(hashKey, exclude),
    admit: () => base.breaker.admit(),
    tryStarted: (t) => owner.get(t)?.tryStarted(t),
    tryFinished: (t, outcome) => owner.get(t)?.tryFinished(t, outcome),
    retry: base.retry,
    hashKeyFor: (req) => inner?.hashKeyFor(req),
    snapshot: () => inner?.snapshot() ?? { name, targets: [], circuit: base.breaker.state },
    close() {
      discovery.close();
      inner?.close();
    },
    get carried() {
      return inner?.carried ?? last;
    },
  };
}

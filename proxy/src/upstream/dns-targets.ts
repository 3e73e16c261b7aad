/**
 * From discovered DNS targets to the `targets` of an `Upstream` definition, so that the existing
 * cluster (balancer, health checks, outlier detection, pools) is rebuilt from a plain definition
 * whenever discovery reports a change. Target names are stable per address and port, so health and
 * ejection state can be carried over by name across rebuilds.
 */
import type { Upstream } from '@agentcore/policies';
import type { DnsTarget } from './dns-discovery.js';

/** A valid target name (Identifier: starts alnum, [A-Za-z0-9._-], ≤ 64) for an address and port. */
export function dnsTargetName(t: DnsTarget): string {
  return `${t.host.replace(/[^A-Za-z0-9]/g, '-')}-${t.port}`.replace(/^-+/, '').slice(0, 64);
}

/** `def` with its targets replaced by the discovered ones (undefined when there are none: no targets → 503). */
export function upstreamWithDnsTargets(def: Upstream, targets: readonly DnsTarget[], scheme: 'http' | 'https' = 'http'): Upstream | undefined {
  if (targets.length === 0) return undefined;
  return {
    ...def,
    targets: targets.map((t) => ({
      name: dnsTargetName(t),
      url: `${scheme}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`,
      weight: Math.min(1000, Math.max(1, t.weight)),
    })),
  };
}

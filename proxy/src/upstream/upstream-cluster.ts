/**
 * One upstream as the forwarding stage sees it: its targets with their pools, the balancer, active
 * health checks, outlier ejection, the circuit breaker / concurrency limits and the retry policy,
 * built once per bundle load from the `Upstream` definition.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Pool } from 'undici';
import type { Upstream } from '@agentcore/policies';
import type { UpstreamPools } from './upstream-pools.js';
import { createCircuitBreaker, type Admission, type CircuitBreaker, type CircuitStateName } from './circuit-breaker.js';
import { hashKeyExtractor, type HashKeyOf } from './hash-key.js';
import { createHealthChecker, type HealthChecker } from './health-checker.js';
import { createBalancer, type Balancer } from './load-balancer.js';
import { createOutlierDetector, type OutlierDetector, type OutlierState } from './outlier-detector.js';
import { createRetryPolicy, type RetryPolicy } from './retry-policy.js';
import type { TryOutcome } from './try-outcome.js';

/** One backend of an upstream, with its own connection pool. */
export interface Target {
  readonly name: string;
  readonly url: string;
  /** `scheme://host:port` of `url` */
  readonly origin: string;
  readonly weight: number;
  readonly pool: Pool;
}

/** What `snapshot()` reports per target (for /readyz and metrics). */
export interface TargetSnapshot {
  name: string;
  url: string;
  weight: number;
  healthy: boolean;
  ejected: boolean;
  active: number;
}

export interface ClusterSnapshot {
  name: string;
  targets: TargetSnapshot[];
  circuit: CircuitStateName;
}

/** A load-balanced upstream with its resilience state. */
export interface UpstreamCluster {
  readonly name: string;
  readonly targets: readonly Target[];
  /**
   * A healthy, non-ejected target, avoiding `exclude` (targets already tried) while another is
   * eligible; undefined when every target is unhealthy or ejected (→ 503 UPSTREAM_UNAVAILABLE).
   */
  pick(hashKey?: string, exclude?: ReadonlySet<Target>): Target | undefined;
  /** Once per client request, before the first try; see `CircuitBreaker.admit`. */
  admit(): Admission | Promise<Admission>;
  /** A try to `t` starts (least-request counts it). */
  tryStarted(t: Target): void;
  /** A try to `t` ended: feeds least-request counters and outlier detection. */
  tryFinished(t: Target, outcome: TryOutcome): void;
  readonly retry: RetryPolicy;
  /** The consistent-hash key of a request (undefined for other algorithms or when the request lacks it). */
  hashKeyFor(req: { headers: IncomingHttpHeaders; clientAddress: string; principalId?: string | undefined }): string | undefined;
  snapshot(): ClusterSnapshot;
  /** Stops health checks. The pools belong to `UpstreamPools` and stay open for the next bundle. */
  close(): void;
  /** what a rebuilt cluster of the same upstream keeps (DNS discovery): the breaker, retry budget, per-target state by name */
  readonly carried: CarriedState;
}

/** The state carried from one cluster to its rebuild, targets matched by name. */
export interface CarriedState {
  breaker: CircuitBreaker;
  retry: RetryPolicy;
  healthy(target: string): boolean | undefined;
  outlier(target: string): OutlierState | undefined;
}

export interface ClusterOptions {
  /** the sidecar's `--upstream` URL: the only target of an upstream without `targets` */
  localUpstream: string;
  pools: UpstreamPools;
  now?: () => number;
  random?: () => number;
  /** target state changes, for the one place that logs decisions */
  onEvent?: (e: { upstream: string; target: string; event: 'healthy' | 'unhealthy' | 'ejected' | 'returned' }) => void;
  /** the cluster this one replaces (DNS discovery): unchanged targets keep their health and ejection state */
  previous?: CarriedState | undefined;
}

/** Name of the single target of an upstream that has no `targets`. */
export const LOCAL_TARGET = 'local';

/** The targets of `def` with their pools; throws a readable error on a URL that is not http(s). */
function buildTargets(name: string, def: Upstream, o: ClusterOptions): Target[] {
  const defs = def.targets ?? [{ name: LOCAL_TARGET, url: o.localUpstream, weight: 1 }];
  return defs.map((d) => {
    let origin: string;
    try {
      const u = new URL(d.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported scheme ${u.protocol}`);
      origin = u.origin;
    } catch (err) {
      throw new Error(`upstream "${name}" target "${d.name}": invalid URL "${d.url}" (${(err as Error).message}); use http(s)://host:port`, { cause: err });
    }
    return { name: d.name, url: d.url, origin, weight: d.weight, pool: o.pools.get(origin, def.timeouts.connectMs) };
  });
}

/** Builds the cluster; throws a readable error on a target URL that is not http(s). */
export function createUpstreamCluster(name: string, def: Upstream, o: ClusterOptions): UpstreamCluster {
  const targets = buildTargets(name, def, o);

  const active = new Map<Target, number>();
  for (const t of targets) active.set(t, 0);
  const load = (t: Target): number => active.get(t) ?? 0;
  const onEvent = o.onEvent;
  const prev = o.previous;

  const balancer: Balancer<Target> = createBalancer(def.loadBalancing.algorithm, targets, { random: o.random, load });
  const health: HealthChecker<Target> | undefined = def.healthCheck
    ? createHealthChecker(targets, def.healthCheck, {
        onChange: (t, healthy) => onEvent?.({ upstream: name, target: t.name, event: healthy ? 'healthy' : 'unhealthy' }),
        carried: (t) => prev?.healthy(t.name),
      })
    : undefined;
  const outliers: OutlierDetector<Target> | undefined = def.outlierDetection
    ? createOutlierDetector(targets, def.outlierDetection, {
        now: o.now,
        onChange: (t, ejected) => onEvent?.({ upstream: name, target: t.name, event: ejected ? 'ejected' : 'returned' }),
        carried: (t) => prev?.outlier(t.name),
      })
    : undefined;
  const breaker = prev?.breaker ?? createCircuitBreaker(def.circuitBreaker);
  const retry = prev?.retry ?? createRetryPolicy(def.retries, { now: o.now, random: o.random });
  const byName = new Map(targets.map((t) => [t.name, t]));
  const hashKeyOf: HashKeyOf = def.loadBalancing.algorithm === 'consistent-hash' ? hashKeyExtractor(def.loadBalancing.hashOn) : () => undefined;

  // Eligibility predicates built once; the exclusion set of the current pick is passed through a variable.
  let excluded: ReadonlySet<Target> | undefined;
  const available = (t: Target): boolean => (health === undefined || health.isHealthy(t)) && (outliers === undefined || !outliers.isEjected(t));
  const availableNotExcluded = (t: Target): boolean => !excluded!.has(t) && available(t);

  return {
    name,
    targets,
    pick(hashKey, exclude) {
      if (exclude === undefined || exclude.size === 0) return balancer.pick(hashKey, available);
      excluded = exclude;
      const t = balancer.pick(hashKey, availableNotExcluded);
      excluded = undefined;
      return t ?? balancer.pick(hashKey, available);
    },
    admit: () => breaker.admit(),
    tryStarted(t) {
      active.set(t, load(t) + 1);
    },
    tryFinished(t, outcome) {
      active.set(t, Math.max(0, load(t) - 1));
      outliers?.record(t, outcome);
    },
    retry,
    hashKeyFor: (req) => hashKeyOf(req),
    snapshot() {
      return {
        name,
        targets: targets.map((t) => ({
          name: t.name,
          url: t.url,
          weight: t.weight,
          healthy: health === undefined || health.isHealthy(t),
          ejected: outliers?.isEjected(t) ?? false,
          active: load(t),
        })),
        circuit: breaker.state,
      };
    },
    close() {
      health?.stop();
    },
    carried: {
      breaker,
      retry,
      healthy: (n) => (health && byName.has(n) ? health.isHealthy(byName.get(n)!) : undefined),
      outlier: (n) => (outliers && byName.has(n) ? outliers.stateOf(byName.get(n)!) : undefined),
    },
  };
}

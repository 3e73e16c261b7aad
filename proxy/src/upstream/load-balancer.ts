/**
 * Load-balancing algorithms over an upstream's targets: smooth weighted round-robin, least-request
 * (power of two choices), weighted random and a consistent-hash ring. Each is built once per bundle
 * load; `pick` allocates nothing and never builds closures.
 */
import type { Upstream } from '@agentcore/policies';
import { hash32 } from './hash.js';

/** The algorithms of `Upstream.loadBalancing.algorithm`. */
export type Algorithm = Upstream['loadBalancing']['algorithm'];

/** What a balancer needs to know about a target. */
export interface Weighted {
  readonly name: string;
  /** 1..1000 (schema) */
  readonly weight: number;
}

/** Chooses one target per try. */
export interface Balancer<T extends Weighted> {
  readonly algorithm: Algorithm;
  /**
   * One eligible target, or undefined when none is eligible. `hashKey` is read by consistent-hash
   * only (absent → weighted random); `eligible` is the caller's health/ejection/exclusion filter.
   */
  pick(hashKey: string | undefined, eligible: (t: T) => boolean): T | undefined;
}

/** Injected state and randomness. */
export interface BalancerOptions<T> {
  /** uniform in [0, 1); default `Math.random` */
  random?: () => number;
  /** requests in flight to a target, read by least-request; default 0 */
  load?: (t: T) => number;
  /** ring points per unit of the smallest weight (consistent-hash); default 100 */
  pointsPerWeight?: number;
}

/** Builds the balancer for `algorithm`; throws on an empty target list (a configuration bug). */
export function createBalancer<T extends Weighted>(algorithm: Algorithm, targets: readonly T[], o: BalancerOptions<T> = {}): Balancer<T> {
  if (targets.length === 0) throw new Error('createBalancer: no targets');
  const random = o.random ?? Math.random;
  switch (algorithm) {
    case 'round-robin':
      return new SmoothRoundRobin(targets);
    case 'least-request':
      return new LeastRequest(targets, random, o.load ?? (() => 0));
    case 'random':
      return new WeightedRandom(targets, random);
    case 'consistent-hash':
      return new HashRing(targets, random, o.pointsPerWeight ?? 100);
  }
}

/**
 * nginx's smooth weighted round-robin: every pick adds each eligible target's weight to its
 * counter, takes the largest and subtracts the eligible total from it. Over each cycle of
 * Σweight picks a target is chosen exactly `weight` times, interleaved (5,1,1 → a a b a c a a).
 * https://github.com/phusion/nginx/commit/27e94984486058d73157038f7950a0a36ecc6e35
 */
class SmoothRoundRobin<T extends Weighted> implements Balancer<T> {
  readonly algorithm = 'round-robin';
  private readonly current: Float64Array;
  constructor(private readonly targets: readonly T[]) {
    this.current = new Float64Array(targets.length);
  }
  pick(_hashKey: string | undefined, eligible: (t: T) => boolean): T | undefined {
    const { targets, current } = this;
    let total = 0;
    let best = -1;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (!eligible(t)) continue;
      current[i]! += t.weight;
      total += t.weight;
      if (best < 0 || current[i]! > current[best]!) best = i;
    }
    if (best < 0) return undefined;
    current[best]! -= total;
    return targets[best];
  }
}

/** Weighted random choice among the eligible targets, skipping index `skip` (or -1). */
function weightedChoice<T extends Weighted>(targets: readonly T[], eligible: (t: T) => boolean, r: number, skip: number): number {
  let total = 0;
  for (let i = 0; i < targets.length; i++) if (i !== skip && eligible(targets[i]!)) total += targets[i]!.weight;
  if (total === 0) return -1;
  let x = r * total;
  let last = -1;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (i === skip || !eligible(t)) continue;
    last = i;
    x -= t.weight;
    if (x < 0) return i;
  }
  return last; // r * total rounded up to total
}

/** Weighted random: P(target) = weight / Σ eligible weights. */
class WeightedRandom<T extends Weighted> implements Balancer<T> {
  readonly algorithm = 'random';
  constructor(
    private readonly targets: readonly T[],
    private readonly random: () => number,
  ) {}
  pick(_hashKey: string | undefined, eligible: (t: T) => boolean): T | undefined {
    const i = weightedChoice(this.targets, eligible, this.random(), -1);
    return i < 0 ? undefined : this.targets[i];
  }
}

/**
 * Power of two choices: two distinct candidates drawn by weight, the one with fewer requests in
 * flight per unit of weight wins (ties → the first draw, so an idle cluster is spread by weight).
 * Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing" (2001); Envoy's LEAST_REQUEST.
 */
class LeastRequest<T extends Weighted> implements Balancer<T> {
  readonly algorithm = 'least-request';
  constructor(
    private readonly targets: readonly T[],
    private readonly random: () => number,
    private readonly load: (t: T) => number,
  ) {}
  pick(_hashKey: string | undefined, eligible: (t: T) => boolean): T | undefined {
    const { targets } = this;
    const a = weightedChoice(targets, eligible, this.random(), -1);
    if (a < 0) return undefined;
    const b = weightedChoice(targets, eligible, this.random(), a);
    const ta = targets[a]!;
    if (b < 0) return ta;
    const tb = targets[b]!;
    return this.load(tb) / tb.weight < this.load(ta) / ta.weight ? tb : ta;
  }
}

/**
 * Consistent hashing on a ring (Karger et al. 1997) with points proportional to weight, so adding or
 * removing one of N targets moves only ~1/N of the keys. An ineligible owner falls through to the
 * next distinct owner clockwise, which is exactly where its keys would go if it were removed.
 */
class HashRing<T extends Weighted> implements Balancer<T> {
  readonly algorithm = 'consistent-hash';
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;
  private readonly seen: Uint8Array;
  private readonly fallback: WeightedRandom<T>;

  constructor(
    private readonly targets: readonly T[],
    random: () => number,
    pointsPerWeight: number,
  ) {
    this.fallback = new WeightedRandom(targets, random);
    this.seen = new Uint8Array(targets.length);
    let minW = Infinity;
    let sumW = 0;
    for (const t of targets) {
      minW = Math.min(minW, t.weight);
      sumW += t.weight;
    }
    // At most ~40k points whatever the weights (1 vs 1000 would otherwise mean 100k points per target).
    const scale = Math.min(pointsPerWeight / minW, 40_000 / sumW);
    const ring: { h: number; o: number }[] = [];
    targets.forEach((t, o) => {
      const n = Math.max(1, Math.round(t.weight * scale));
      for (let i = 0; i < n; i++) ring.push({ h: hash32(`${t.name}#${i}`), o });
    });
    ring.sort((x, y) => x.h - y.h || x.o - y.o);
    this.points = Uint32Array.from(ring, (p) => p.h);
    this.owners = Uint32Array.from(ring, (p) => p.o);
  }

  pick(hashKey: string | undefined, eligible: (t: T) => boolean): T | undefined {
    if (hashKey === undefined) return this.fallback.pick(undefined, eligible);
    const { points, owners, targets, seen } = this;
    const h = hash32(hashKey);
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    const start = lo === points.length ? 0 : lo;
    const first = targets[owners[start]!]!;
    if (eligible(first)) return first;
    // Walk clockwise to the next eligible owner, asking each distinct owner once.
    let asked = 1;
    let found: T | undefined;
    seen[owners[start]!] = 1;
    for (let step = 1; step < points.length && asked < targets.length; step++) {
      const o = owners[(start + step) % points.length]!;
      if (seen[o] === 1) continue;
      seen[o] = 1;
      asked++;
      if (eligible(targets[o]!)) {
        found = targets[o];
        break;
      }
    }
    seen.fill(0);
    return found;
  }
}

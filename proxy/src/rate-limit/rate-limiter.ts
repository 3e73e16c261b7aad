/**
 * Rate limiting on the sidecar: the bundle's limits compiled to checks, evaluated with the pure
 * arithmetic of `@agentcore/policies` against a store. All checks of a request are decided together:
 * a request denied by one check consumes nothing from the others.
 */
import { LRUCache } from 'lru-cache';
import {
  fixedRateWindow,
  fixedWindow,
  gcra,
  gcraParams,
  quotaWindow,
  rateLimitHeader,
  rateLimitKey,
  rateLimitPolicyHeader,
  type GcraParams,
  type GcraState,
  type LimitDecision,
  type RateLimit,
  type RateLimitSubject,
  type WindowState,
} from '@agentcore/policies';

/** One counter of a limit: its GCRA rate, its fixed-window rate, or one of its quotas. */
export type LimitCheck =
  | { kind: 'gcra'; name: string; params: GcraParams; quota: number; windowSeconds: number; isQuota: false }
  | { kind: 'rate-window'; name: string; limit: number; periodSeconds: number; quota: number; windowSeconds: number; isQuota: false }
  | { kind: 'quota'; name: string; period: 'hour' | 'day' | 'month'; quota: number; windowSeconds: number; isQuota: true };

export interface CompiledLimit {
  readonly limit: RateLimit;
  readonly checks: readonly LimitCheck[];
}

const PERIOD_SECONDS = { hour: 3600, day: 86400, month: 2592000 } as const;

/**
 * Compiles one bundle rate limit. `share` > 1 divides every count (rate, burst, quotas, rounded up)
 * between that many worker processes that each keep their own counters (`--workers` without Redis).
 */
export function compileLimit(limit: RateLimit, share = 1): CompiledLimit {
  const checks: LimitCheck[] = [];
  const part = (n: number): number => Math.max(1, Math.ceil(n / share));
  if (limit.rate) {
    const requests = part(limit.rate.requests);
    const { periodSeconds } = limit.rate;
    if (limit.algorithm === 'gcra') {
      const burst = limit.rate.burst === undefined ? undefined : part(limit.rate.burst);
      const params = gcraParams({ requests, periodSeconds, ...(burst !== undefined ? { burst } : {}) });
      checks.push({ kind: 'gcra', name: limit.id, params, quota: requests, windowSeconds: periodSeconds, isQuota: false });
    } else {
      checks.push({ kind: 'rate-window', name: limit.id, limit: requests, periodSeconds, quota: requests, windowSeconds: periodSeconds, isQuota: false });
    }
  }
  for (const q of limit.quotas) {
    checks.push({ kind: 'quota', name: `${limit.id}-${q.period}`, period: q.period, quota: part(q.requests), windowSeconds: PERIOD_SECONDS[q.period], isQuota: true });
  }
  return { limit, checks };
}

/** The `RateLimit-Policy` value of a route's limits, computed once per bundle. */
export function policyHeaderFor(limits: readonly CompiledLimit[]): string | undefined {
  const items = limits.flatMap((l) => l.checks.map((c) => ({ name: c.name, quota: c.quota, windowSeconds: c.windowSeconds })));
  return items.length ? rateLimitPolicyHeader(items) : undefined;
}

export interface RateLimitOutcome {
  allowed: boolean;
  /** the denying check, when denied */
  denied: LimitCheck | undefined;
  deniedDecision: LimitDecision | undefined;
  /** `RateLimit` header value */
  header: string;
  /** the counters could not be consulted and the configured fallback is `closed`: answer 503, not 429 */
  unavailable?: boolean;
}

type CounterState = GcraState | WindowState;

/** Where counters live. The in-memory store is bounded; the Redis store (later) shares counters across sidecars. */
export interface RateLimitStore {
  check(limits: readonly CompiledLimit[], subject: RateLimitSubject, now: number): RateLimitOutcome | Promise<RateLimitOutcome>;
}

/**
 * In-process counters in an LRU of bounded size: memory stays bounded whatever the number of clients.
 * Entries carry no TTL: an outdated state decides exactly like no state (GCRA takes max(tat, now), a
 * window from the past is reset), so expiry would only cost work — with lru-cache, deleting the last
 * stale entry clears the whole cache, an O(maxKeys) fill that was 7% of a full-pipeline profile.
 * When more keys are live than `maxKeys`, the least recently seen client loses its history (it gets a
 * fresh budget) — size `maxKeys` above the number of concurrently active clients.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters: LRUCache<string, CounterState>;
  private readonly keys: string[] = [];
  private readonly decisions: LimitDecision[] = [];
  private readonly states: CounterState[] = [];

  constructor(readonly maxKeys = 100_000) {
    this.counters = new LRUCache<string, CounterState>({ max: maxKeys });
  }

  get size(): number {
    return this.counters.size;
  }

  check(limits: readonly CompiledLimit[], subject: RateLimitSubject, now: number): RateLimitOutcome {
    const { keys, decisions, states } = this;
    let n = 0;
    let denied: LimitCheck | undefined;
    let deniedDecision: LimitDecision | undefined;
    for (const l of limits) {
      const base = rateLimitKey(l.limit, subject);
      for (const c of l.checks) {
        const key = c.kind === 'gcra' ? base : `${base}#${c.name}`;
        const prev = this.counters.get(key);
        let r: { decision: LimitDecision; state: CounterState };
        if (c.kind === 'gcra') r = gcra(prev as GcraState | undefined, c.params, now);
        else if (c.kind === 'rate-window') r = fixedWindow(prev as WindowState | undefined, c.limit, fixedRateWindow(c.periodSeconds, now), now);
        else r = fixedWindow(prev as WindowState | undefined, c.quota, quotaWindow(c.period, now), now);
        keys[n] = key;
        decisions[n] = r.decision;
        states[n] = r.state;
        n++;
        if (!r.decision.allowed && (!deniedDecision || r.decision.retryAfterMs > deniedDecision.retryAfterMs)) {
          denied = c;
          deniedDecision = r.decision;
        }
      }
    }
    let header = '';
    let i = 0;
    for (const l of limits) {
      for (const c of l.checks) {
        const d = decisions[i]!;
        if (!deniedDecision) {
          this.counters.set(keys[i]!, states[i]!);
        }
        header += (i ? ', ' : '') + rateLimitHeader(c.name, d);
        i++;
      }
    }
    return { allowed: deniedDecision === undefined, denied, deniedDecision, header };
  }
}

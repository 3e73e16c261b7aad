/**
 * Passive outlier detection (Envoy's consecutive-5xx / consecutive-gateway-failure ejection):
 * a target that fails several tries in a row is taken out of the balancer for a while, longer each
 * time, and never so many targets at once that the rest are overwhelmed.
 * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
 */
import type { Upstream } from '@agentcore/policies';
import type { TryOutcome } from './try-outcome.js';

/** `Upstream.outlierDetection` with its defaults applied. */
export type OutlierConfig = NonNullable<Upstream['outlierDetection']>;

/** Per-target ejection state, read by the balancer's eligibility filter. */
export interface OutlierDetector<T> {
  /** Feeds one try's outcome; returns true when it ejected the target. */
  record(t: T, outcome: TryOutcome): boolean;
  /** Whether `t` is ejected now; an ejection whose time has passed ends here (lazily, no timer). */
  isEjected(t: T): boolean;
  /** How many targets are ejected now. */
  ejectedCount(): number;
  /** a target's state (handed to the next detector when DNS discovery rebuilds the cluster) */
  stateOf(t: T): OutlierState;
}

export interface OutlierOptions<T> {
  /** ms clock; default `Date.now` */
  now?: () => number;
  /** called on ejection (`true`) and on return (`false`, noticed lazily) — for logs and metrics */
  onChange?: (t: T, ejected: boolean) => void;
  /** a target's state kept from a previous detector (DNS discovery rebuilds); the object is reused */
  carried?: (t: T) => OutlierState | undefined;
}

/** The per-target counters and ejection of the detector. */
export interface OutlierState {
  consecutive5xx: number;
  consecutiveConnect: number;
  /** ejections in a row; the next lasts baseEjectionMs × (this + 1) */
  times: number;
  /** 0 when not ejected */
  ejectedUntil: number;
  /** when the last ejection ended (for the multiplier's decay) */
  returnedAt: number;
}

/**
 * Rules:
 * - a response < 500 resets both counters; a 5xx, timeout, reset or other transport error counts
 *   toward `consecutive5xx` (and resets the connect counter: a connection was made); a connect
 *   failure counts toward `consecutiveConnectFailures`; an empty outcome counts nowhere.
 * - ejection lasts `baseEjectionMs × n`, n = ejections in a row; n decays by one for each
 *   `baseEjectionMs` the target then stays in.
 * - at most ⌊maxEjectionPercent × targets / 100⌋ targets are ejected at once: a target that would
 *   exceed the cap is not ejected (its counters keep running, so it is ejected once room frees up).
 *   With one target and a cap below 100% nothing is ever ejected — the circuit breaker covers that.
 */
export function createOutlierDetector<T>(targets: readonly T[], cfg: OutlierConfig, o: OutlierOptions<T> = {}): OutlierDetector<T> {
  const now = o.now ?? Date.now;
  const onChange = o.onChange;
  const states = new Map<T, OutlierState>();
  for (const t of targets) states.set(t, o.carried?.(t) ?? { consecutive5xx: 0, consecutiveConnect: 0, times: 0, ejectedUntil: 0, returnedAt: 0 });
  const maxEjected = Math.floor((cfg.maxEjectionPercent * targets.length) / 100);

  function stateOf(t: T): OutlierState {
    const s = states.get(t);
    if (!s) throw new Error('outlier detector: unknown target');
    return s;
  }

  function ejectedNow(t: T, s: OutlierState, at: number): boolean {
    if (s.ejectedUntil === 0) return false;
    if (at < s.ejectedUntil) return true;
    s.returnedAt = s.ejectedUntil;
    s.ejectedUntil = 0;
    onChange?.(t, false);
    return false;
  }

  function ejectedCount(): number {
    const at = now();
    let n = 0;
    for (const [t, s] of states) if (ejectedNow(t, s, at)) n++;
    return n;
  }

  return {
    record(t, outcome) {
      const s = stateOf(t);
      if (outcome.error === 'connect') {
        s.consecutiveConnect++;
      } else if (outcome.error !== undefined || (outcome.status !== undefined && outcome.status >= 500)) {
        s.consecutive5xx++;
        s.consecutiveConnect = 0;
      } else if (outcome.status !== undefined) {
        s.consecutive5xx = 0;
        s.consecutiveConnect = 0;
        return false;
      } else return false;
      if (s.consecutive5xx < cfg.consecutive5xx && s.consecutiveConnect < cfg.consecutiveConnectFailures) return false;
      const at = now();
      if (ejectedNow(t, s, at)) return false; // late results of tries started before the ejection
      if (ejectedCount() + 1 > maxEjected) return false;
      const decay = s.returnedAt === 0 ? 0 : Math.floor((at - s.returnedAt) / cfg.baseEjectionMs);
      s.times = Math.max(0, s.times - decay) + 1;
      s.ejectedUntil = at + cfg.baseEjectionMs * s.times;
      s.consecutive5xx = 0;
      s.consecutiveConnect = 0;
      onChange?.(t, true);
      return true;
    },
    isEjected(t) {
      const s = stateOf(t);
      return s.ejectedUntil !== 0 && ejectedNow(t, s, now());
    },
    ejectedCount,
    stateOf,
  };
}

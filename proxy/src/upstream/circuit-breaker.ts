/**
 * Circuit breaker and concurrency limits per upstream, on cockatiel: a ConsecutiveBreaker and/or a
 * SamplingBreaker (failure ratio over a window) drive closed → open → half-open, and a bulkhead caps
 * requests in flight (`maxConcurrent`) and waiting (`maxPending`). Forwarding is callback-based,
 * so the decision is exposed as `admit()` + `done(outcome)` instead of wrapping a function.
 */
import {
  CircuitState,
  ConsecutiveBreaker,
  SamplingBreaker,
  bulkhead,
  circuitBreaker,
  handleAll,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IBreaker,
} from 'cockatiel';
import type { Upstream } from '@agentcore/policies';

/** `Upstream.circuitBreaker` with its defaults applied. */
export type CircuitConfig = NonNullable<Upstream['circuitBreaker']>;

/** closed: requests flow; open: refused at once; half-open: one trial request decides. */
export type CircuitStateName = 'closed' | 'open' | 'half-open';

/** The request may go upstream; call `done` exactly once when it ends (it frees the slot and feeds the breaker). */
export interface Admitted {
  ok: true;
  done(outcome: 'success' | 'failure'): void;
}

/** Refused without touching the backend; the proxy answers 503 UPSTREAM_UNAVAILABLE with `Retry-After`. */
export interface Refused {
  ok: false;
  /**
   * CIRCUIT_OPEN: the circuit is open, or half-open with its trial request in flight.
   * MAX_CONCURRENT: `maxConcurrent` requests in flight and no waiting room (`maxPending` 0 or unset).
   * MAX_PENDING: `maxConcurrent` in flight and `maxPending` already waiting.
   */
  reason: 'CIRCUIT_OPEN' | 'MAX_CONCURRENT' | 'MAX_PENDING';
  retryAfterSeconds: number;
}

export type Admission = Admitted | Refused;

/** Per-upstream admission control. */
export interface CircuitBreaker {
  /**
   * Synchronous unless the request must wait for a slot (`maxConcurrent` reached, room in
   * `maxPending`): then a Promise that settles when a slot frees up — re-checking the circuit then,
   * so it may still resolve to a refusal. It never rejects.
   */
  admit(): Admission | Promise<Admission>;
  readonly state: CircuitStateName;
  /** requests admitted and not yet done / waiting for a slot */
  readonly inFlight: number;
  readonly pending: number;
  /** For logs and metrics; returns the unsubscribe function. */
  onStateChange(listener: (state: CircuitStateName) => void): () => void;
}

/** Opens when either breaker says so; both see every result (so each keeps its own count/window). */
class EitherBreaker implements IBreaker {
  constructor(
    private readonly a: IBreaker,
    private readonly b: IBreaker,
  ) {}
  get state(): unknown {
    return [this.a.state, this.b.state];
  }
  set state(v: unknown) {
    const [a, b] = v as [unknown, unknown];
    this.a.state = a;
    this.b.state = b;
  }
  success(s: CircuitState): void {
    this.a.success(s);
    this.b.success(s);
  }
  failure(s: CircuitState): boolean {
    const a = this.a.failure(s);
    const b = this.b.failure(s);
    return a || b;
  }
}

/** The cockatiel breaker for the config, or undefined when neither threshold is set (limits only). */
function breakerFor(cfg: CircuitConfig): IBreaker | undefined {
  const consecutive = cfg.consecutiveFailures === undefined ? undefined : new ConsecutiveBreaker(cfg.consecutiveFailures);
  const ratio =
    cfg.failureRatio === undefined
      ? undefined
      : new SamplingBreaker({
          // SamplingBreaker needs 0 < threshold < 1 and opens when failures > threshold × total: 1 means "every request failed".
          threshold: Math.min(cfg.failureRatio, 1 - 1e-9),
          duration: cfg.windowMs,
          // it opens only with at least duration × minimumRps / 1000 requests in the window: minRequests
          minimumRps: (cfg.minRequests * 1000) / cfg.windowMs,
        });
  if (consecutive && ratio) return new EitherBreaker(consecutive, ratio);
  return consecutive ?? ratio;
}

const STATE_NAME: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

class Failed extends Error {
  constructor() {
    super('upstream request failed');
  }
}
const FAILED = new Failed();
const ignore = (): void => undefined;
const ALWAYS: Admitted = { ok: true, done: ignore };

/** The admission control of one upstream: cockatiel's circuit breaker and bulkhead. */
class Admissions implements CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy | undefined;
  private readonly limit: BulkheadPolicy | undefined;
  private readonly halfOpenAfterMs: number;
  private openedAt = 0;
  inFlight = 0;
  pending = 0;

  constructor(private readonly cfg: CircuitConfig | undefined) {
    const b = cfg ? breakerFor(cfg) : undefined;
    this.policy = b ? circuitBreaker(handleAll, { halfOpenAfter: cfg!.halfOpenAfterMs, breaker: b }) : undefined;
    this.limit = cfg?.maxConcurrent !== undefined ? bulkhead(cfg.maxConcurrent, cfg.maxPending ?? 0) : undefined;
    this.halfOpenAfterMs = cfg?.halfOpenAfterMs ?? 0;
    this.policy?.onStateChange((s) => {
      if (s === CircuitState.Open) this.openedAt = Date.now();
    });
  }

  get state(): CircuitStateName {
    return this.policy ? STATE_NAME[this.policy.state] : 'closed';
  }

  onStateChange(listener: (state: CircuitStateName) => void): () => void {
    if (!this.policy) return ignore;
    const d = this.policy.onStateChange((s) => listener(STATE_NAME[s]));
    return () => d.dispose();
  }

  /** A refusal if the circuit is open (not yet due for a trial) or half-open (trial running). */
  private circuitRefusal(): Refused | undefined {
    if (!this.policy) return undefined;
    const s = this.policy.state;
    if (s === CircuitState.Closed) return undefined;
    if (s === CircuitState.Open) {
      const left = this.openedAt + this.halfOpenAfterMs - Date.now();
      if (left <= 0) return undefined; // the next execute() becomes the half-open trial
      return { ok: false, reason: 'CIRCUIT_OPEN', retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
    }
    return { ok: false, reason: 'CIRCUIT_OPEN', retryAfterSeconds: 1 };
  }

  /** Starts one request through the breaker; `settled` ends when done() is called. */
  private run(): { admission: Admitted; settled: Promise<void> } {
    let settle!: (success: boolean) => void;
    const outcome = new Promise<void>((resolve, reject) => {
      settle = (success) => (success ? resolve() : reject(FAILED));
    });
    let finished = false;
    this.inFlight++;
    const admission: Admitted = {
      ok: true,
      done: (result) => {
        if (finished) return;
        finished = true;
        this.inFlight--;
        settle(result === 'success');
      },
    };
    // execute() calls its function synchronously, so an open circuit due for a trial turns half-open right here.
    const settled = this.policy ? this.policy.execute(() => outcome) : outcome;
    return { admission, settled };
  }

  readonly admit = (): Admission | Promise<Admission> => {
    const refused = this.circuitRefusal();
    if (refused) return refused;
    const limit = this.limit;
    if (!limit) {
      if (!this.policy) return ALWAYS;
      const { admission, settled } = this.run();
      settled.catch(ignore);
      return admission;
    }
    if (limit.executionSlots > 0) {
      let admission: Admitted | undefined;
      // A free slot: the bulkhead runs the function synchronously.
      limit
        .execute(() => {
          const r = this.run();
          admission = r.admission;
          return r.settled;
        })
        .catch(ignore);
      return admission!;
    }
    if (limit.queueSlots > 0) return this.queue(limit);
    return { ok: false, reason: (this.cfg?.maxPending ?? 0) > 0 ? 'MAX_PENDING' : 'MAX_CONCURRENT', retryAfterSeconds: 1 };
  };

  /** Waits for a slot, then re-checks the circuit. */
  private queue(limit: BulkheadPolicy): Promise<Admission> {
    this.pending++;
    return new Promise<Admission>((resolve) => {
      limit
        .execute(() => {
          this.pending--;
          const refusedLater = this.circuitRefusal();
          if (refusedLater) {
            resolve(refusedLater);
            return undefined;
          }
          const r = this.run();
          resolve(r.admission);
          return r.settled;
        })
        .catch(ignore);
    });
  }
}

/**
 * Builds the admission control of one upstream. Notes:
 * - the circuit changes state a few microtasks after `done()` (cockatiel settles promises), so a
 *   request admitted in the same tick as the failure that opens the circuit still goes through;
 * - cockatiel reads `Date.now()` for the open → half-open delay (no injectable clock);
 * - with neither `consecutiveFailures` nor `failureRatio` the circuit never opens (limits only);
 *   `maxPending` without `maxConcurrent` is ignored.
 */
export function createCircuitBreaker(cfg: CircuitConfig | undefined): CircuitBreaker {
  return new Admissions(cfg);
}

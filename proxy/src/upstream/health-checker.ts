/**
 * Active health checks: each target gets `GET <path>` every `intervalMs` through its own pool;
 * `unhealthyThreshold` failed checks in a row take it out of the balancer, `healthyThreshold`
 * passed checks in a row bring it back. Targets start healthy so traffic flows at start-up.
 */
import type { Dispatcher } from 'undici';
import type { Upstream } from '@agentcore/policies';

/** `Upstream.healthCheck` with its defaults applied. */
export type HealthCheckConfig = NonNullable<Upstream['healthCheck']>;

/** What the checker needs of a target. */
export interface Checkable {
  readonly name: string;
  readonly pool: Dispatcher;
}

/** Running checks of one upstream's targets. */
export interface HealthChecker<T> {
  isHealthy(t: T): boolean;
  /** Clears every timer and aborts checks in flight; no callback fires afterwards. */
  stop(): void;
}

export interface HealthCheckOptions<T> {
  /** a target changed state (after its threshold) — for logs, metrics and /readyz */
  onChange?: (t: T, healthy: boolean) => void;
  /** the state a target starts in when it was already checked by a previous checker (DNS discovery rebuilds) */
  carried?: (t: T) => boolean | undefined;
}

interface State {
  healthy: boolean;
  /** consecutive passed (> 0) or failed (< 0) checks */
  streak: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: AbortController | undefined;
}

/** One check: true when the target answered an expected status within the timeout. */
export async function checkOnce(pool: Dispatcher, cfg: HealthCheckConfig, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await pool.request({ path: cfg.path, method: 'GET', signal, headersTimeout: cfg.timeoutMs, bodyTimeout: cfg.timeoutMs });
    await res.body.dump();
    return cfg.expectedStatuses.includes(res.statusCode);
  } catch {
    return false;
  }
}

/** Starts checking every target now (first check immediately); timers are unref'd. */
export function createHealthChecker<T extends Checkable>(targets: readonly T[], cfg: HealthCheckConfig, o: HealthCheckOptions<T> = {}): HealthChecker<T> {
  const states = new Map<T, State>();
  let stopped = false;

  function record(t: T, s: State, passed: boolean): void {
    s.streak = passed ? Math.max(1, s.streak + 1) : Math.min(-1, s.streak - 1);
    if (!s.healthy && s.streak >= cfg.healthyThreshold) {
      s.healthy = true;
      o.onChange?.(t, true);
    } else if (s.healthy && -s.streak >= cfg.unhealthyThreshold) {
      s.healthy = false;
      o.onChange?.(t, false);
    }
  }

  async function check(t: T, s: State): Promise<void> {
    s.timer = undefined;
    const ac = new AbortController();
    s.inFlight = ac;
    // connect time included (headersTimeout starts after the request is written)
    const deadline = setTimeout(() => ac.abort(), cfg.timeoutMs);
    deadline.unref();
    const passed = await checkOnce(t.pool, cfg, ac.signal);
    clearTimeout(deadline);
    s.inFlight = undefined;
    if (stopped) return;
    record(t, s, passed);
    s.timer = setTimeout(() => void check(t, s), cfg.intervalMs);
    s.timer.unref();
  }

  for (const t of targets) {
    const s: State = { healthy: o.carried?.(t) ?? true, streak: 0, timer: undefined, inFlight: undefined };
    states.set(t, s);
    void check(t, s);
  }

  return {
    isHealthy(t) {
      return states.get(t)?.healthy ?? false;
    },
    stop() {
      stopped = true;
      for (const s of states.values()) {
        if (s.timer) clearTimeout(s.timer);
        s.timer = undefined;
        s.inFlight?.abort();
      }
    },
  };
}

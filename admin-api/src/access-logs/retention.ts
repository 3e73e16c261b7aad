/** Access-log retention: a timer that deletes records older than the retention period. */
import type { Logger } from 'pino';
import { deleteAccessLogsOlderThan, type Store } from '../store/index.js';

const DAY_MS = 86_400_000;

export interface RetentionDeps {
  store: Store;
  log: Logger;
  /** records older than this many days are deleted */
  retentionDays: number;
  /** time between runs (default 1 h) */
  intervalMs?: number;
}

/** A running retention timer. */
export interface Retention {
  stop(): void;
  /** deletes what is due now; resolves to the number of records deleted */
  runOnce(): Promise<number>;
}

/**
 * Starts retention: one run right away (so frequent restarts still prune), then one per interval.
 * A run that fails is logged and retried at the next interval; runs never overlap. The timer does
 * not keep the process alive.
 */
export function startRetention(deps: RetentionDeps): Retention {
  const intervalMs = deps.intervalMs ?? 3_600_000;
  if (!Number.isFinite(deps.retentionDays) || deps.retentionDays <= 0) {
    throw new RangeError(`access-log retention must be a positive number of days, got ${deps.retentionDays}`);
  }
  if (!Number.isInteger(intervalMs) || intervalMs < 1000) {
    throw new RangeError(`access-log retention interval must be a whole number of ms ≥ 1000, got ${intervalMs}`);
  }
  let running: Promise<number> | undefined;
  let stopped = false;

  const runOnce = (): Promise<number> => {
    running ??= (async () => {
      try {
        const cutoff = Date.now() - deps.retentionDays * DAY_MS;
        const deleted = await deleteAccessLogsOlderThan(deps.store, cutoff);
        if (deleted > 0) deps.log.info({ deleted, cutoff: new Date(cutoff).toISOString(), retention_days: deps.retentionDays }, 'access-log retention deleted old records');
        return deleted;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const tick = () => {
    if (stopped) return;
    runOnce().catch((err: unknown) => deps.log.error({ err }, 'access-log retention failed; retrying at the next interval'));
  };

  const timer = setInterval(tick, intervalMs);
  timer.unref();
  setImmediate(tick).unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    runOnce,
  };
}

/**
 * Exponential back-off with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the delay before
 * retry n is uniform in [0, min(maxMs, baseMs * 2^n)), so a fleet of sidecars does not reconnect in lock-step.
 */

export interface BackoffOptions {
  /** ceiling of the first delay */
  baseMs: number;
  /** no delay exceeds this */
  maxMs: number;
}

/** Throws a TypeError unless `baseMs` and `maxMs` are finite, positive and `baseMs <= maxMs` (checked at build time). */
export function checkBackoff(o: BackoffOptions): BackoffOptions {
  if (!Number.isFinite(o.baseMs) || o.baseMs <= 0) throw new TypeError(`backoff.baseMs must be a positive number of milliseconds, got ${o.baseMs}`);
  if (!Number.isFinite(o.maxMs) || o.maxMs < o.baseMs) throw new TypeError(`backoff.maxMs must be a number >= baseMs (${o.baseMs}), got ${o.maxMs}`);
  return o;
}

/** The ceiling of the delay before retry `attempt` (0-based): min(maxMs, baseMs * 2^attempt). */
export function backoffCeiling(attempt: number, o: BackoffOptions): number {
  return Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(0, attempt), 52));
}

/** The full-jitter delay before retry `attempt`; `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, o));
}

/**
 * Rate-limit arithmetic, pure: state in, decision and state out. State is plain JSON numbers so the same
 * formulas can run in a Redis Lua script (IEEE doubles there too) for counters shared across sidecars.
 *
 * GCRA (generic cell rate algorithm, a token bucket kept as one timestamp), with emission interval T and burst B:
 *   t       = now floored to the time grid (1/2048 ms)
 *   newTat  = max(tat, t) + cost·T                 (tat absent → t)
 *   allowed ⇔ newTat − t ≤ B·T
 *   allowed: state ← newTat, remaining = floor((B·T − (newTat − t)) / T), resetMs = ceil(max(0, newTat − t)),
 *            retryAfterMs = 0
 *   denied:  state unchanged, remaining = 0, resetMs = ceil(max(0, tat − t)),
 *            retryAfterMs = ceil(newTat − t − B·T)
 * Over any window of W ms at most W/T + B requests are admitted.
 *
 * Exactness: T is rounded UP to a multiple of 2^-11 ms (≈0.5 µs) and `now` DOWN to that grid, so every tat
 * is a multiple of 2^-11 ms and tat + k·T, differences and comparisons are exact in doubles up to 2^42 ms
 * (year 2109). Without this, a burst at one instant with T = 1000/6 ms drifts by rounding and its last
 * request is refused. Rounding T up makes the limit stricter by under 0.5 µs per request.
 * A Lua port must keep tat as a float (return it with `tostring`, Redis truncates Lua numbers to integers).
 *
 * Clock steps: if `now` goes backwards by D, max(tat, t) keeps the later tat, so the bucket only looks
 * fuller: nothing extra is admitted, and admissions resume at most D ms later than they otherwise would.
 */

/** Time grid of the GCRA arithmetic: 2048 steps per ms, a power of two so scaling is exact. */
const GRID_PER_MS = 2048;

const floorGrid = (ms: number): number => Math.floor(ms * GRID_PER_MS) / GRID_PER_MS;
const ceilGrid = (ms: number): number => Math.ceil(ms * GRID_PER_MS) / GRID_PER_MS;

function requirePositive(value: number, field: string): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${field} must be a finite number > 0, got ${String(value)}`);
}

function requireFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${field} must be a finite number, got ${String(value)}`);
}

function requireCost(cost: number): void {
  if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`cost must be a finite number >= 0, got ${String(cost)}`);
}

/** GCRA parameters: emission interval T in ms (one request's worth of time) and burst B (requests at once). */
export interface GcraParams {
  emissionIntervalMs: number;
  burst: number;
}

/**
 * GCRA parameters of a rate: T = periodSeconds·1000 / requests (rounded up to 2^-11 ms), B = burst ?? requests.
 * Throws RangeError naming the field for non-finite or non-positive values, or a burst below 1 (nothing could pass).
 */
export function gcraParams(rate: { requests: number; periodSeconds: number; burst?: number }): GcraParams {
  requirePositive(rate.requests, 'requests');
  requirePositive(rate.periodSeconds, 'periodSeconds');
  const burst = rate.burst ?? rate.requests;
  requirePositive(burst, 'burst');
  if (burst < 1) throw new RangeError(`burst must be >= 1, got ${String(burst)}`);
  const emissionIntervalMs = Math.max(ceilGrid((rate.periodSeconds * 1000) / rate.requests), 1 / GRID_PER_MS);
  return { emissionIntervalMs, burst };
}

/** GCRA state: the theoretical arrival time (ms since epoch) at which the bucket would be full again. */
export interface GcraState {
  tat: number;
}

/** One limit's verdict on one request, with what the RateLimit headers report. */
export interface LimitDecision {
  allowed: boolean;
  /** burst (GCRA) or quota size (windows) */
  limit: number;
  /** requests still admissible right now; 0 when denied by GCRA */
  remaining: number;
  /** ms until fully replenished (GCRA) or until the window ends */
  resetMs: number;
  /** ms to wait before this request could pass; 0 when allowed */
  retryAfterMs: number;
}

/**
 * One GCRA step (formulas in the module comment). A denied request returns the state it was given.
 * `cost` (default 1) is how many requests this one counts as; a cost above the burst can never pass.
 * A state with a non-finite tat (corrupt) is treated as absent.
 */
export function gcra(state: GcraState | undefined, p: GcraParams, now: number, cost = 1): { decision: LimitDecision; state: GcraState } {
  requireFinite(now, 'now');
  requireCost(cost);
  requirePositive(p.emissionIntervalMs, 'emissionIntervalMs');
  requirePositive(p.burst, 'burst');
  const T = p.emissionIntervalMs;
  const t = floorGrid(now);
  const tat = state !== undefined && Number.isFinite(state.tat) ? ceilGrid(state.tat) : t;
  const burstMs = p.burst * T;
  const newTat = ceilGrid(Math.max(tat, t) + cost * T);
  const ahead = newTat - t;
  if (ahead <= burstMs) {
    return {
      decision: {
        allowed: true,
        limit: p.burst,
        remaining: Math.floor((burstMs - ahead) / T),
        resetMs: Math.ceil(Math.max(0, ahead)),
        retryAfterMs: 0,
      },
      state: { tat: newTat },
    };
  }
  return {
    decision: {
      allowed: false,
      limit: p.burst,
      remaining: 0,
      resetMs: Math.ceil(Math.max(0, tat - t)),
      retryAfterMs: Math.ceil(ahead - burstMs),
    },
    state: state ?? { tat },
  };
}

/** Fixed-window counter state: the window's start (ms since epoch) and the requests counted in it. */
export interface WindowState {
  windowStart: number;
  count: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The range of ECMAScript dates (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

/** The UTC calendar window (hour, day or calendar month) containing `now`, as [start, end) in ms since epoch. */
export function quotaWindow(period: 'hour' | 'day' | 'month', now: number): { start: number; end: number } {
  requireFinite(now, 'now');
  switch (period) {
    case 'hour': {
      const start = Math.floor(now / HOUR_MS) * HOUR_MS;
      return { start, end: start + HOUR_MS };
    }
    case 'day': {
      const start = Math.floor(now / DAY_MS) * DAY_MS;
      return { start, end: start + DAY_MS };
    }
    case 'month': {
      if (Math.abs(now) > MAX_DATE_MS) throw new RangeError(`now must be within ±${MAX_DATE_MS} ms of the epoch, got ${now}`);
      const d = new Date(now);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
    }
  }
}

/** The epoch-aligned window of `periodSeconds` containing `now` (algorithm `fixed-window`), as [start, end). */
export function fixedRateWindow(periodSeconds: number, now: number): { start: number; end: number } {
  requirePositive(periodSeconds, 'periodSeconds');
  requireFinite(now, 'now');
  // Rounded to µs so that 0.7 s is 700 ms, not 700.0000000000001.
  const periodMs = Math.round(periodSeconds * 1_000_000) / 1000;
  if (periodMs <= 0) throw new RangeError(`periodSeconds must be at least 1 µs, got ${String(periodSeconds)}`);
  const start = Math.floor(now / periodMs) * periodMs;
  return { start, end: start + periodMs };
}

/**
 * One fixed-window step: allowed ⇔ count + cost ≤ limit; allowed → count += cost. A state from an older window
 * restarts at 0. A state from a later window (the clock stepped back) is kept, with its end assumed one window
 * length after its start, so a clock step cannot reopen a spent window. Denied → state unchanged,
 * remaining = max(0, limit − count), retryAfterMs = ms to that window's end.
 */
export function fixedWindow(
  state: WindowState | undefined,
  limit: number,
  window: { start: number; end: number },
  now: number,
  cost = 1,
): { decision: LimitDecision; state: WindowState } {
  if (!Number.isFinite(limit) || limit < 0) throw new RangeError(`limit must be a finite number >= 0, got ${String(limit)}`);
  requireFinite(window.start, 'window.start');
  requireFinite(window.end, 'window.end');
  requireFinite(now, 'now');
  requireCost(cost);
  let windowStart = window.start;
  let end = window.end;
  let count = 0;
  if (state !== undefined && Number.isFinite(state.windowStart) && Number.isFinite(state.count) && state.windowStart >= window.start) {
    windowStart = state.windowStart;
    end = state.windowStart + (window.end - window.start);
    count = Math.max(0, state.count);
  }
  const untilEnd = Math.ceil(Math.max(0, end - now));
  const newCount = count + cost;
  if (newCount <= limit) {
    return {
      decision: { allowed: true, limit, remaining: limit - newCount, resetMs: untilEnd, retryAfterMs: 0 },
      state: { windowStart, count: newCount },
    };
  }
  return {
    decision: { allowed: false, limit, remaining: Math.max(0, limit - count), resetMs: untilEnd, retryAfterMs: untilEnd },
    state: state ?? { windowStart, count },
  };
}

/**
 * The decision to report when several limits apply to one request: a denial if any (the one with the longest
 * retryAfterMs), else the allowed one with the fewest remaining; ties go to the longer resetMs, then the first.
 * Throws RangeError on an empty list (a caller bug: no limit, no decision).
 */
export function mostRestrictive(decisions: readonly LimitDecision[]): LimitDecision {
  let best = decisions[0];
  if (best === undefined) throw new RangeError('mostRestrictive needs at least one decision');
  for (let i = 1; i < decisions.length; i++) {
    const d = decisions[i] as LimitDecision;
    if (moreRestrictive(d, best)) best = d;
  }
  return best;
}

function moreRestrictive(a: LimitDecision, b: LimitDecision): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  if (!a.allowed && a.retryAfterMs !== b.retryAfterMs) return a.retryAfterMs > b.retryAfterMs;
  if (a.remaining !== b.remaining) return a.remaining < b.remaining;
  return a.resetMs > b.resetMs;
}

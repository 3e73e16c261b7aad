/**
 * The pure side of the Redis store: each compiled limit's script arguments (prepared once), and the outcome of a
 * request from the script's decisions or from the `open` / `closed` fallback.
 */
import { rateLimitHeader, type LimitDecision } from '@agentcore/policies';
import type { CompiledLimit, LimitCheck, RateLimitOutcome } from './rate-limiter.js';

/** How long the `closed` fallback tells clients to wait. */
const CLOSED_RETRY_MS = 1000;

/** Per compiled limit, computed once: key suffix and script arguments of each check (month bounds filled per call). */
export interface PreparedLimit {
  suffixes: readonly string[];
  argv: readonly string[];
}

const prepared = new WeakMap<CompiledLimit, PreparedLimit>();

/** The limit's key suffixes and script arguments, computed once per compiled limit. */
export function prepare(l: CompiledLimit): PreparedLimit {
  let p = prepared.get(l);
  if (p) return p;
  const suffixes: string[] = [];
  const argv: string[] = [];
  for (const c of l.checks) {
    suffixes.push(c.kind === 'gcra' ? '' : `#${c.name}`);
    if (c.kind === 'gcra') argv.push('g', String(c.params.emissionIntervalMs), String(c.params.burst), '');
    // Same rounding as `fixedRateWindow`: 0.7 s is 700 ms.
    else if (c.kind === 'rate-window') argv.push('w', String(c.limit), String(Math.round(c.periodSeconds * 1_000_000) / 1000), '');
    else if (c.period === 'month') argv.push('m', String(c.quota), '', '');
    else argv.push('w', String(c.quota), String(c.period === 'hour' ? 3_600_000 : 86_400_000), '');
  }
  p = { suffixes, argv };
  prepared.set(l, p);
  return p;
}

/** The size a check reports in `LimitDecision.limit`: burst for GCRA, the window's count otherwise. */
export function checkLimit(c: LimitCheck): number {
  return c.kind === 'gcra' ? c.params.burst : c.kind === 'rate-window' ? c.limit : c.quota;
}

/**
 * The outcome of a request from the decisions of its checks (in `limits` order), as `MemoryRateLimitStore` builds
 * it: the denying check is the one with the longest retryAfterMs (first on ties), the header lists every check.
 */
export function rateLimitOutcome(limits: readonly CompiledLimit[], decisions: readonly LimitDecision[]): RateLimitOutcome {
  let denied: LimitCheck | undefined;
  let deniedDecision: LimitDecision | undefined;
  let header = '';
  let i = 0;
  for (const l of limits) {
    for (const c of l.checks) {
      const d = decisions[i]!;
      if (!d.allowed && (!deniedDecision || d.retryAfterMs > deniedDecision.retryAfterMs)) {
        denied = c;
        deniedDecision = d;
      }
      header += (i ? ', ' : '') + rateLimitHeader(c.name, d);
      i++;
    }
  }
  return { allowed: deniedDecision === undefined, denied, deniedDecision, header };
}

/** The outcome of the `open` (everything allowed, full budget) or `closed` (first check denies, retry in 1 s) fallback. */
export function fallbackOutcome(limits: readonly CompiledLimit[], mode: 'open' | 'closed'): RateLimitOutcome {
  const decisions: LimitDecision[] = [];
  for (const l of limits) {
    for (const c of l.checks) {
      const limit = checkLimit(c);
      decisions.push(
        mode === 'open'
          ? { allowed: true, limit, remaining: limit, resetMs: 0, retryAfterMs: 0 }
          : { allowed: decisions.length > 0, limit, remaining: 0, resetMs: CLOSED_RETRY_MS, retryAfterMs: 0 },
      );
    }
  }
  const first = decisions[0];
  if (mode === 'closed' && first) first.retryAfterMs = CLOSED_RETRY_MS;
  const outcome = rateLimitOutcome(limits, decisions);
  if (mode === 'closed') outcome.unavailable = true;
  return outcome;
}

/**
 * Retries of idempotent requests after a failed try, with full-jitter exponential back-off and a
 * retry budget (Envoy's `retry_budget`): retries may add at most `budgetPercent` of the recent
 * requests, so during an outage they cannot multiply the load on the failing upstream.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Upstream } from '@agentcore/policies';
import type { TryOutcome } from './try-outcome.js';

/** `Upstream.retries` with its defaults applied. */
export type RetryConfig = NonNullable<Upstream['retries']>;

/** Why a failed try is not retried. */
export type NoRetryReason =
  /** `retries` is absent or `attempts` is 0 */
  | 'DISABLED'
  /** not GET/HEAD/OPTIONS/PUT/DELETE, or the request has a body (it was streamed and is gone) */
  | 'NOT_RETRYABLE'
  /** the outcome is not in `retries.on` */
  | 'OUTCOME'
  /** `attempts` retries already made */
  | 'ATTEMPTS'
  /** the retry budget is spent */
  | 'BUDGET';

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: NoRetryReason };

/** Retry decisions of one upstream; one instance per upstream shares the budget across its requests. */
export interface RetryPolicy {
  /** max retries after the first try (0 = none) */
  readonly attempts: number;
  /** Whether this request may be retried at all; call once per request, before the first try. */
  retryable(method: string, headers: IncomingHttpHeaders): boolean;
  /** Counts one client request (its first try) in the budget window; call for every request. */
  requestStarted(): void;
  /** After a failed try; `retriesDone` = retries already made. A `retry: true` answer is charged to the budget. */
  decide(retryable: boolean, retriesDone: number, outcome: TryOutcome): RetryDecision;
}

export interface RetryOptions {
  now?: () => number;
  random?: () => number;
}

/** Methods RFC 9110 §9.2.2 defines as idempotent (TRACE excluded: never proxied usefully). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** The budget looks at the last 10 s, in 1 s buckets. */
const BUCKET_MS = 1000;
const BUCKETS = 10;
/** Retries always allowed per window when budgetPercent > 0, so a quiet upstream can still retry (Envoy's min_retry_concurrency is 3). */
export const MIN_RETRIES_PER_WINDOW = 3;

/** True when the request carries no body that a retry would need to send again. */
export function hasNoBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return false;
  const cl = headers['content-length'];
  return cl === undefined || cl === '0';
}

/** Whether the retry setting `on` covers this outcome; transport errors count as the status the proxy would answer. */
function covered(on: readonly RetryConfig['on'][number][], o: TryOutcome): boolean {
  if (o.error === 'connect') return on.includes('connect-failure');
  if (o.error === 'timeout') return on.includes('504');
  if (o.error !== undefined) return on.includes('502');
  return (o.status === 502 && on.includes('502')) || (o.status === 503 && on.includes('503')) || (o.status === 504 && on.includes('504'));
}

/** Builds the retry policy of one upstream. */
export function createRetryPolicy(cfg: RetryConfig | undefined, o: RetryOptions = {}): RetryPolicy {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const attempts = cfg?.attempts ?? 0;
  const requests = new Float64Array(BUCKETS);
  const retries = new Float64Array(BUCKETS);
  let bucketOf = -1; // absolute bucket number of the newest slot

  /** Advances the ring to now, zeroing buckets that fell out of the window; returns the current slot. */
  function slot(): number {
    const b = Math.floor(now() / BUCKET_MS);
    if (b !== bucketOf) {
      const gap = bucketOf < 0 ? BUCKETS : Math.min(BUCKETS, b - bucketOf);
      for (let i = 1; i <= gap; i++) {
        const s = (((bucketOf + i) % BUCKETS) + BUCKETS) % BUCKETS;
        requests[s] = 0;
        retries[s] = 0;
      }
      bucketOf = b;
    }
    return b % BUCKETS;
  }
  function sum(a: Float64Array): number {
    let n = 0;
    for (let i = 0; i < BUCKETS; i++) n += a[i]!;
    return n;
  }

  return {
    attempts,
    retryable(method, headers) {
      return attempts > 0 && IDEMPOTENT.has(method) && hasNoBody(headers);
    },
    requestStarted() {
      if (attempts === 0) return;
      requests[slot()]!++;
    },
    decide(retryable, retriesDone, outcome) {
      if (!cfg || attempts === 0) return { retry: false, reason: 'DISABLED' };
      if (!retryable) return { retry: false, reason: 'NOT_RETRYABLE' };
      if (!covered(cfg.on, outcome)) return { retry: false, reason: 'OUTCOME' };
      if (retriesDone >= attempts) return { retry: false, reason: 'ATTEMPTS' };
      const s = slot();
      const allowed = cfg.budgetPercent === 0 ? 0 : Math.max(MIN_RETRIES_PER_WINDOW, (cfg.budgetPercent / 100) * sum(requests));
      if (sum(retries) + 1 > allowed) return { retry: false, reason: 'BUDGET' };
      retries[s]!++;
      const cap = Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * 2 ** retriesDone);
      return { retry: true, delayMs: Math.floor(random() * cap) };
    },
  };
}

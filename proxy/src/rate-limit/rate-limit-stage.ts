/** rate-limit: every limit of the route, decided together; `RateLimit-Policy`/`RateLimit` on every limited route, 429 + `Retry-After` when over. */
import { retryAfterSeconds } from '@agentcore/policies';
import type { RateLimitOutcome, RateLimitStore } from './rate-limiter.js';
import { principalKey } from '../authenticate/principal.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';

function settle(ctx: RequestContext, o: RateLimitOutcome): StageResult {
  const route = ctx.route!;
  ctx.responseHeaders.push('ratelimit-policy', route.rateLimitPolicy!, 'ratelimit', o.header);
  ctx.rateLimitResult = o.allowed ? 'allowed' : 'limited';
  if (o.allowed) return undefined;
  const c = o.denied!;
  const retry = retryAfterSeconds(o.deniedDecision!);
  if (o.unavailable) {
    return deny('RATE_LIMIT_STORE_UNAVAILABLE', `rate limits cannot be checked right now; retry after ${retry} s`, { limit: c.name }, ['retry-after', String(retry)]);
  }
  const quota = c.isQuota;
  return deny(quota ? 'QUOTA_EXCEEDED' : 'RATE_LIMITED',
    quota ? `quota "${c.name}" is used up; it renews in ${retry} s` : `rate limit "${c.name}" exceeded; retry after ${retry} s`,
    { limit: c.name, retry_after_seconds: retry },
    ['retry-after', String(retry)],
  );
}

/** The rate-limit stage over a limit store (local or Redis). */
export function rateLimitStage(store: RateLimitStore): Stage {
  return {
    name: 'rate-limit',
    run(ctx: RequestContext): StageResult | Promise<StageResult> {
      const route = ctx.route!;
      if (route.limits.length === 0) return undefined;
      const o = store.check(
        route.limits,
        { principalId: ctx.principal ? principalKey(ctx.principal) : undefined, clientAddress: ctx.clientAddress, routeId: route.id, resource: route.resource },
        ctx.now,
      );
      return o instanceof Promise ? o.then((r) => settle(ctx, r)) : settle(ctx, o);
    },
  };
}

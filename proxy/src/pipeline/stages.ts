/**
 * THE REQUEST PATH — the one ordered list of stages every request runs through, HTTP and WebSocket upgrade alike
 * (`pipeline.ts` runs it; `websocket/upgrade-handler.ts` runs the same list). Each stage lives in its own folder
 * with its logic and tests; the statuses it can answer with are listed beside it (reasons: `reasons.ts`).
 * After the list come two steps that are not stages because every request ends in them:
 *
 *   forward   forward/ (HTTP) or websocket/ (upgrade)   → the upstream's response, or 400/413/502/503/504
 *   record    record/                                   → one access-log line and the metrics, exactly once
 */
import { acceptStage, type AcceptOptions } from '../accept/accept-stage.js';
import { authenticateStage } from '../authenticate/authenticate-stage.js';
import { authorizeStage } from '../authorize/authorize-stage.js';
import { cacheStage } from '../cache/cache-stage.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { corsStage } from '../cors/cors-stage.js';
import { rateLimitStage } from '../rate-limit/rate-limit-stage.js';
import type { RateLimitStore } from '../rate-limit/rate-limiter.js';
import { routeStage } from '../route/route-stage.js';
import { validateStage } from '../validate/validate-stage.js';
import type { Stage } from './stage.js';

/** What the stages need from the process (the bundle's policy comes with each request's context). */
export interface StageDeps {
  accept: AcceptOptions;
  limits: RateLimitStore;
  cache: ResponseCache;
}

/** The stages, in order. */
export function requestStages(d: StageDeps): readonly Stage[] {
  return [
    acceptStage(d.accept), //      400 ambiguous framing, repeated credentials, missing/repeated/invalid Host, `_` in a header name (if refused), bad or too long path
    routeStage(), //               404 no route · 405 wrong method (+ Allow)
    corsStage(), //                204 preflight answered · 403 preflight refused
    authenticateStage(), //        401 (+ WWW-Authenticate) · 503 JWKS / introspection unavailable
    authorizeStage(), //           401 no credentials · 403 missing permission or scope
    rateLimitStage(d.limits), //   429 rate limit or quota (+ Retry-After) · 503 limit store unavailable
    validateStage(), //            413 body too large · 415 media type
    cacheStage(d.cache), //        200 / 304 answered from the cache (X-Cache: HIT)
  ];
}

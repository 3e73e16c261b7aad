/** cache: GET/HEAD answered from the response cache (200 or 304 with `X-Cache: HIT`); a storable miss is marked for capture. */
import { hitHeaders, notModifiedHeaders, type ResponseCache } from './response-cache.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { principalKey } from '../authenticate/principal.js';
import type { Stage, StageResult } from '../pipeline/stage.js';

/** The cache stage over the process's response cache. */
export function cacheStage(cache: ResponseCache): Stage {
  return {
    name: 'cache',
    run(ctx: RequestContext): StageResult {
      const rule = ctx.route!.route.cache;
      if (!rule || !rule.enabled || (ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.upgrade) return undefined;
      const req = { method: ctx.method, path: ctx.path, query: ctx.query, headers: ctx.req.headers, principalId: ctx.principal ? principalKey(ctx.principal) : undefined, routeId: ctx.route!.id };
      const policy = cache.requestPolicy(req, rule);
      if (policy.lookup) {
        const entry = cache.lookup(req, rule);
        if (entry) {
          const now = Date.now();
          if (cache.notModified(entry, ctx.req.headers['if-none-match'] as string | undefined)) {
            return { status: 304, reason: 'CACHE_HIT', decision: 'allow', upstreamLike: { headers: notModifiedHeaders(entry, now), body: undefined } };
          }
          return { status: entry.status, reason: 'CACHE_HIT', decision: 'allow', upstreamLike: { headers: hitHeaders(entry, now), body: ctx.method === 'HEAD' ? undefined : entry.body } };
        }
      }
      if (policy.store) ctx.cacheStore = { cache, req, rule };
      return undefined;
    },
  };
}

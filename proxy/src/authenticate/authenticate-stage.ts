/** authenticate: public routes skip it; otherwise a credential the route accepts must verify (401 otherwise). */
import type { AuthOutcome } from './principal.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';

function settle(ctx: RequestContext, o: AuthOutcome): StageResult {
  if (o.ok) {
    ctx.principal = o.principal;
    return undefined;
  }
  ctx.authFailure = o.reason;
  // Our own outage (JWKS / introspection unreachable) is a 503 to retry, not a challenge.
  const headers = o.status === 503 ? ['retry-after', '5'] : ['www-authenticate', o.wwwAuthenticate];
  return deny(o.reason, o.message, { reason: o.reason }, headers);
}

/** The authenticate stage. */
export function authenticateStage(): Stage {
  return {
    name: 'authenticate',
    run(ctx: RequestContext): StageResult | Promise<StageResult> {
      const route = ctx.route!;
      if (route.isPublic) return undefined;
      const o = ctx.policy.auth.authenticate(ctx.req.headers, route.authMethods, ctx.now, ctx.extraToken);
      return o instanceof Promise ? o.then((r) => settle(ctx, r)) : settle(ctx, o);
    },
  };
}

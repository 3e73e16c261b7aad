/** route: the compiled router picks the route; no route → 404, wrong method → 405 with `Allow`. */
import type { RequestContext } from '../pipeline/request-context.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';

/** Whether this is a CORS preflight (Fetch §3.2.2): OPTIONS with Origin and Access-Control-Request-Method. */
export function isPreflight(ctx: RequestContext): boolean {
  const h = ctx.req.headers;
  return ctx.method === 'OPTIONS' && h.origin !== undefined && typeof h['access-control-request-method'] === 'string';
}

/** The route stage. */
export function routeStage(): Stage {
  return {
    name: 'route',
    run(ctx: RequestContext): StageResult {
      // A preflight is routed as the request it announces, so the route's CORS policy answers it.
      const method = isPreflight(ctx) ? (ctx.req.headers['access-control-request-method'] as string) : ctx.method;
      const m = ctx.policy.router.match(method, ctx.host, ctx.path);
      if (m.found) {
        ctx.route = m.route;
        ctx.params = m.params;
        return undefined;
      }
      if (m.allowedMethods.length > 0) {
        return deny('METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${m.allowedMethods.join(', ')}`, { allowed: m.allowedMethods }, ['allow', m.allowedMethods.join(', ')]);
      }
      return deny('NO_ROUTE', `no route for ${method} ${ctx.path}; check the path and the API version`);
    },
  };
}

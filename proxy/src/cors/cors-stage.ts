/** cors: answers preflights from the route's policy; adds CORS headers to responses for allowed origins. */
import { appendCorsResponseHeaders, originAllowed, preflight } from './cors-policy.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { isPreflight } from '../route/route-stage.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';

/** The cors stage. */
export function corsStage(): Stage {
  return {
    name: 'cors',
    run(ctx: RequestContext): StageResult {
      const c = ctx.route!.cors;
      const origin = ctx.req.headers.origin;
      if (!c || origin === undefined) return undefined;
      if (isPreflight(ctx)) {
        const h = ctx.req.headers;
        const r = preflight(c, origin, h['access-control-request-method'] as string, h['access-control-request-headers'] as string | undefined);
        if (!r.ok) return deny('CORS_REJECTED', `CORS preflight refused: ${r.why}`);
        return { status: 204, reason: 'CORS_PREFLIGHT', decision: 'allow', headers: r.headers };
      }
      if (originAllowed(c, origin)) appendCorsResponseHeaders(c, origin, ctx.responseHeaders);
      return undefined;
    },
  };
}

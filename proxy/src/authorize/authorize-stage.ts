/** authorize: RBAC from `@agentcore/policies`; a denial is a 403 with the reason code. */
import { authorize } from '@agentcore/policies';
import type { RequestContext } from '../pipeline/request-context.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';

/** The authorize stage. */
export function authorizeStage(): Stage {
  return {
    name: 'authorize',
    run(ctx: RequestContext): StageResult {
      const route = ctx.route!;
      const d = authorize(ctx.policy.rbac, ctx.principal, route);
      if (d.allow) {
        ctx.reason = d.reason;
        return undefined;
      }
      if (d.reason === 'NO_CREDENTIALS') return deny(d.reason, d.message, { reason: d.reason });
      return deny(d.reason, d.message, { reason: d.reason, missing: d.missing });
    },
  };
}

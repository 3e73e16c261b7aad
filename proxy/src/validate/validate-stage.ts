/** validate: declared body size (413) and media type (415) against the route; chunked bodies are counted while forwarding. */
import type { RequestContext } from '../pipeline/request-context.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';

/** The validate stage. */
export function validateStage(): Stage {
  return {
    name: 'validate',
    run(ctx: RequestContext): StageResult {
      const route = ctx.route!;
      const h = ctx.req.headers;
      const cl = h['content-length'];
      const hasBody = h['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
      if (cl !== undefined && Number(cl) > route.maxBodyBytes) {
        return deny('BODY_TOO_LARGE', `request body of ${cl} bytes exceeds the limit of ${route.maxBodyBytes} bytes`, { max_bytes: route.maxBodyBytes });
      }
      if (route.contentTypes && hasBody) {
        const ct = h['content-type'];
        const media = ct === undefined ? '' : ct.split(';', 1)[0]!.trim().toLowerCase();
        if (!route.contentTypes.has(media)) {
          return deny('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be one of ${[...route.contentTypes].join(', ')}`, { accepted: [...route.contentTypes] });
        }
      }
      return undefined;
    },
  };
}

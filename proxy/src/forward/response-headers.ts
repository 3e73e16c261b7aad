/**
 * The finishing of every response that carries an upstream's headers (relayed, or replayed from the
 * cache): response transforms, security headers the upstream did not set, the stage-added headers
 * (CORS, RateLimit), the request id. One function, so both paths send the same thing.
 */
import { applyHeaderTransform } from './header-transform.js';
import type { RequestContext } from '../pipeline/request-context.js';

/** `upstream` is a flat [name, value, …] list with lower-case names (hop-by-hop already removed). */
export function finishUpstreamHeaders(ctx: RequestContext, upstream: string[], extra?: readonly string[]): string[] {
  const route = ctx.route!;
  const out = route.responseTransform ? applyHeaderTransform(upstream, route.responseTransform) : upstream;
  const sec = ctx.policy.securityHeaders;
  for (let i = 0; i < sec.length; i += 2) {
    const name = sec[i]!;
    let present = false;
    for (let j = 0; j < out.length; j += 2) {
      if (out[j] === name) {
        present = true;
        break;
      }
    }
    if (!present) out.push(name, sec[i + 1]!);
  }
  for (const h of ctx.responseHeaders) out.push(h);
  if (extra) for (const h of extra) out.push(h);
  out.push('x-request-id', ctx.requestId);
  if (ctx.policy.closing) out.push('connection', 'close');
  return out;
}

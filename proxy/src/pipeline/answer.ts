/** Writes the proxy's own answer (a `Respond`): the error body of the spec, an empty 204, or a cache hit. */
import { errorBody } from '@agentcore/policies';
import { finishUpstreamHeaders } from '../forward/response-headers.js';
import type { RequestContext } from './request-context.js';
import type { Respond } from './stage.js';

/** Sends `r` unless a response was already started or the client left; sets the decision on the context. */
export function writeAnswer(ctx: RequestContext, r: Respond): void {
  ctx.decision = r.decision;
  ctx.reason = r.reason;
  const res = ctx.res;
  if (res.headersSent || res.destroyed) return;
  if (r.upstreamLike) {
    const headers = finishUpstreamHeaders(ctx, [...r.upstreamLike.headers]);
    res.writeHead(r.status, headers);
    res.end(r.upstreamLike.body);
    ctx.bytesOut = r.upstreamLike.body?.length ?? 0;
    return;
  }
  const headers: string[] = [...ctx.policy.ownResponseHeaders, 'x-request-id', ctx.requestId];
  for (const h of ctx.responseHeaders) headers.push(h);
  if (r.headers) for (const h of r.headers) headers.push(h);
  if (ctx.policy.closing) headers.push('connection', 'close');
  if (r.code) {
    const body = errorBody(r.code, r.message ?? r.code, ctx.requestId, r.details ?? {}, ctx.now);
    headers.push('content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body)));
    res.writeHead(r.status, headers);
    res.end(ctx.method === 'HEAD' ? undefined : body);
    ctx.bytesOut = Buffer.byteLength(body);
  } else {
    headers.push('content-length', '0');
    res.writeHead(r.status, headers);
    res.end();
  }
}

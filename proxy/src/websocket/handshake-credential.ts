/**
 * Takes a WebSocket credential out of the handshake before any stage or log sees it: every `bearer.` entry of
 * `Sec-WebSocket-Protocol` is removed from the request, and a token query parameter from its target, when the
 * route allows that carrier; the token becomes `ctx.extraToken` for the authenticate stage.
 */
import { normalizeRequestTarget } from '@agentcore/policies';
import type { RequestContext } from '../pipeline/request-context.js';
import { takeProtocolToken, takeQueryToken } from './websocket-credentials.js';
import { webSocketPolicyOf } from './websocket-policy.js';

/** Removes every `Sec-WebSocket-Protocol` header and sets the kept protocols (if any) as one. */
function rewriteProtocols(ctx: RequestContext, protocols: readonly string[]): void {
  const req = ctx.req;
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() !== 'sec-websocket-protocol') kept.push(raw[i]!, raw[i + 1]!);
  if (protocols.length > 0) {
    const v = protocols.join(', ');
    kept.push('Sec-WebSocket-Protocol', v);
    req.headers['sec-websocket-protocol'] = v;
  } else delete req.headers['sec-websocket-protocol'];
  raw.length = 0;
  for (const x of kept) raw.push(x);
}

/** Strips the handshake's credential from the request and hands it to the pipeline as `ctx.extraToken`. */
export function takeHandshakeCredential(ctx: RequestContext): void {
  const req = ctx.req;
  const url = req.url ?? '';
  const offered = req.headers['sec-websocket-protocol'];
  const p = offered === undefined ? undefined : takeProtocolToken(offered);
  // Every `bearer.` entry is removed from the request itself: not forwarded, not logged, not selectable.
  if (p && p.token !== undefined) rewriteProtocols(ctx, p.protocols);
  const n = normalizeRequestTarget(url);
  const m = n.ok ? ctx.policy.router.match('GET', req.headers.host?.toLowerCase(), n.path) : undefined;
  const wp = m?.found ? webSocketPolicyOf(m.route) : undefined;
  if (!wp) return;
  if (wp.tokenInProtocol && p?.token !== undefined) ctx.extraToken = p.token;
  if (wp.tokenInQuery) {
    const q = url.indexOf('?');
    if (q === -1) return;
    const t = takeQueryToken(url.slice(q + 1), wp.queryParam);
    if (t.token === undefined) return;
    // The accept stage then sees the target without the token: it reaches neither logs nor the backend.
    req.url = t.query === '' ? url.slice(0, q) : `${url.slice(0, q)}?${t.query}`;
    ctx.extraToken ??= t.token;
  }
}

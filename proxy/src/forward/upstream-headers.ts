/** The request headers sent upstream: the client's minus hop-by-hop, spoofable, rewriting, identity and (unless the route opts in) credential headers, then ours. */
import { applyHeaderTransform } from './header-transform.js';
import { connectionListed, CREDENTIAL_REQUEST, HOP_BY_HOP, isIdentityHeader, REWRITING_REQUEST, SPOOFABLE_REQUEST } from './hop-by-hop.js';
import type { RequestContext } from '../pipeline/request-context.js';

/** Builds the header list sent upstream (flat [name, value, …]); the WebSocket relay uses it too. */
export function upstreamRequestHeaders(ctx: RequestContext): string[] {
  const raw = ctx.req.rawHeaders;
  const listed = connectionListed(ctx.req.headers.connection);
  const keepCredentials = ctx.route!.forwardCredentials;
  let out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || SPOOFABLE_REQUEST.has(lower) || isIdentityHeader(lower) || lower === 'expect') continue;
    if (listed?.has(lower) || REWRITING_REQUEST.has(lower) || (!keepCredentials && CREDENTIAL_REQUEST.has(lower))) continue;
    out.push(name, raw[i + 1]!);
  }
  const route = ctx.route!;
  if (route.requestTransform) out = applyHeaderTransform(out, route.requestTransform);
  out.push(
    'x-forwarded-for',
    ctx.forwardedFor,
    'x-forwarded-proto',
    ctx.forwardedProto,
    'x-request-id',
    ctx.requestId,
    'traceparent',
    ctx.traceparent,
  );
  if (ctx.host !== undefined) out.push('x-forwarded-host', ctx.host);
  const p = ctx.principal;
  if (p && !route.isPublic) {
    out.push('x-auth-subject', p.id, 'x-auth-method', p.method, 'x-auth-roles', p.roles.join(','), 'x-auth-credential', p.credentialId);
    if (p.scopes.length) out.push('x-auth-scopes', p.scopes.join(' '));
  }
  return out;
}

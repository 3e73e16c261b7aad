/** The request headers sent upstream: the client's minus hop-by-hop, spoofable, rewriting, identity and (unless the route opts in) credential headers, then ours. */
import { applyHeaderTransform } from './header-transform.js';
import { connectionListed, CREDENTIAL_REQUEST, HOP_BY_HOP, isIdentityHeader, REWRITING_REQUEST, SPOOFABLE_REQUEST } from './hop-by-hop.js';
import { identityHeaders } from './identity-headers.js';
import type { RequestContext } from '../pipeline/request-context.js';

/** Credential headers a backend could read from an underscore look-alike (`X_API_Key` → `HTTP_X_API_KEY`). */
const CREDENTIAL = new Set(['authorization', 'x-api-key', 'cookie', 'proxy-authorization']);

/** Whether a lower-case name is never forwarded from the client (hop-by-hop, spoofable, identity, `Expect`). */
function stripped(lower: string): boolean {
  return HOP_BY_HOP.has(lower) || SPOOFABLE_REQUEST.has(lower) || isIdentityHeader(lower) || lower === 'expect';
}

/**
 * Whether a name holding `_` is dropped: always under `drop` (the default; `reject` refused the request in the
 * accept stage already), and under `allow` when it reads as a stripped or credential header once `_` is `-`.
 */
function underscoreDropped(lower: string, mode: 'drop' | 'reject' | 'allow'): boolean {
  if (mode !== 'allow') return true;
  const dashed = lower.replace(/_/g, '-');
  return stripped(dashed) || CREDENTIAL.has(dashed);
}

/** Builds the header list sent upstream (flat [name, value, …]); the WebSocket relay uses it too. */
export function upstreamRequestHeaders(ctx: RequestContext): string[] {
  return buildUpstreamHeaders(ctx).headers;
}

/**
 * The header list sent upstream, and from which index on it needs checking for what undici refuses
 * (`forwardable-headers.ts`): the client's own headers come from Node's HTTP parser, which already refused
 * non-token names, control characters and repeated or malformed Content-Length, and the accept stage refused a
 * repeated Host; what the sidecar adds (identity headers from claims, the bundle's transforms) is checked.
 */
export function buildUpstreamHeaders(ctx: RequestContext): { headers: string[]; checkFrom: number } {
  const raw = ctx.req.rawHeaders;
  const listed = connectionListed(ctx.req.headers.connection);
  const underscores = ctx.policy.bundle.requestHeaders.withUnderscores;
  const keepCredentials = ctx.route!.forwardCredentials;
  let out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (stripped(lower) || listed?.has(lower) || REWRITING_REQUEST.has(lower)) continue;
    if (!keepCredentials && CREDENTIAL_REQUEST.has(lower)) continue;
    if (lower.includes('_') && underscoreDropped(lower, underscores)) continue;
    out.push(name, raw[i + 1]!);
  }
  const route = ctx.route!;
  let checkFrom = out.length;
  if (route.requestTransform) {
    out = applyHeaderTransform(out, route.requestTransform);
    checkFrom = 0;
  }
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
  // the five above are built from validated parts (accept stage: request id, traceparent, Host, addresses)
  if (checkFrom !== 0) checkFrom = out.length;
  const p = ctx.principal;
  if (p && !route.isPublic) for (const h of identityHeaders(p)) out.push(h);
  return { headers: out, checkFrom };
}

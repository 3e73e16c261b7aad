/** accept: request id and trace, path normalisation (ambiguous → 400), client address. */
import { normalizeRequestTarget } from '@agentcore/policies';
import { clientAddress, plainAddress } from './client-address.js';
import { checkHost } from './host-header.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { requestIdFrom, traceFrom } from './request-identity.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';

const NON_ASCII = /[\u0080-\uffff]/;

/** Whether Authorization or X-API-Key appears more than once. */
function repeatedCredential(raw: readonly string[]): boolean {
  let auth = 0;
  let key = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === 13 && n.toLowerCase() === 'authorization') auth++;
    else if (n.length === 9 && n.toLowerCase() === 'x-api-key') key++;
  }
  return auth > 1 || key > 1;
}

/** The first raw header name holding `_`, if any. */
function underscoreName(raw: readonly string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.includes('_')) return raw[i];
  return undefined;
}

/** Process-wide settings of the accept stage (from the CLI). */
export interface AcceptOptions {
  trustedHops: number;
  tls: boolean;
  maxUrlLength: number;
}

/** The accept stage. */
export function acceptStage(o: AcceptOptions): Stage {
  const ownProto = o.tls ? 'https' : 'http';
  return {
    name: 'accept',
    run(ctx: RequestContext): StageResult {
      const req = ctx.req;
      const h = req.headers;
      ctx.requestId = requestIdFrom(h['x-request-id']);
      const t = traceFrom(h.traceparent);
      ctx.traceId = t.traceId;
      ctx.traceparent = t.traceparent;
      const addr = clientAddress(plainAddress(req.socket.remoteAddress), h['x-forwarded-for'], o.trustedHops);
      ctx.clientAddress = addr.client;
      ctx.forwardedFor = addr.forwardedFor;
      const xfp = h['x-forwarded-proto'];
      ctx.forwardedProto = o.trustedHops > 0 && (xfp === 'https' || xfp === 'http') ? xfp : ownProto;
      const host = checkHost(req.rawHeaders, h.host, req.httpVersion);
      if (!host.ok) return deny(host.reason, host.message, { reason: host.reason });
      ctx.host = host.host;

      // RFC 9112 §6.1: a message with both is a smuggling vector; Node's parser refuses most, we refuse the rest.
      if (h['transfer-encoding'] !== undefined && h['content-length'] !== undefined) {
        return deny('AMBIGUOUS_LENGTH', 'send either Content-Length or Transfer-Encoding, not both');
      }
      // Node keeps only the first Authorization header but we forward raw headers: a second one could
      // reach the backend unauthenticated. Refuse repeated credential headers outright.
      if ((h.authorization !== undefined || h['x-api-key'] !== undefined) && repeatedCredential(req.rawHeaders)) {
        return deny('REPEATED_CREDENTIALS', 'send one Authorization or X-API-Key header, not several');
      }
      if (ctx.policy.bundle.requestHeaders.withUnderscores === 'reject') {
        const name = underscoreName(req.rawHeaders);
        if (name !== undefined) return deny('HEADER_NAME_UNDERSCORE', 'header names may not contain "_"; use "-"', { reason: 'HEADER_NAME_UNDERSCORE', header: name.slice(0, 64) });
      }
      const url = req.url ?? '';
      // Node hands raw non-ASCII bytes over as Latin-1 characters; RFC 9112 allows none in a target.
      if (NON_ASCII.test(url)) {
        ctx.path = url.slice(0, 256);
        return deny('PATH_NON_ASCII', 'the request target contains raw non-ASCII bytes; percent-encode them as UTF-8');
      }
      const n = normalizeRequestTarget(url, o.maxUrlLength);
      if (!n.ok) {
        ctx.path = (req.url ?? '').slice(0, 256);
        return deny(`PATH_${n.reason}`, n.message, { reason: n.reason });
      }
      ctx.path = n.path;
      ctx.query = n.query;
      return undefined;
    },
  };
}

/** Headers that never cross the proxy (RFC 9110 §7.6.1 hop-by-hop, plus ones we always set ourselves). */

/** Hop-by-hop headers: meaningful for one connection only. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Request headers a client could use to spoof who it is or where it came from: stripped, then set by us. */
export const SPOOFABLE_REQUEST = new Set([
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-client-cert',
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'x-request-id',
  'traceparent',
]);

/**
 * Request headers some frameworks read to rewrite the method or the target after the proxy decided on the real
 * ones (issue #9): never forwarded, whatever the route.
 */
export const REWRITING_REQUEST = new Set(['x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url', 'x-rewrite-url', 'x-original-method']);

/** The credentials the sidecar consumes: stripped unless the route says `forwardCredentials: true`. */
export const CREDENTIAL_REQUEST = new Set(['authorization', 'x-api-key']);

/** Whether a lower-case request header name is one of our identity headers (`x-auth-*`), never accepted from clients. */
export function isIdentityHeader(lower: string): boolean {
  return lower.length > 7 && lower.charCodeAt(0) === 120 /* x */ && lower.startsWith('x-auth-');
}

/** Lower-case names listed in `Connection` (RFC 9110 §7.6.1), or undefined when none. */
export function connectionListed(value: string | undefined): Set<string> | undefined {
  if (!value) return undefined;
  // the usual values name no header: answer without splitting (this runs twice per request)
  if (value.length <= 10) {
    const v = value.toLowerCase();
    if (v === 'keep-alive' || v === 'close') return undefined;
  }
  let set: Set<string> | undefined;
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive') (set ??= new Set()).add(name);
  }
  return set;
}

/**
 * Errors the proxy throws (misconfiguration, I/O failure at start-up or in the sync client). Denials of requests are
 * values (`Respond`, see `pipeline/reasons.ts`), not exceptions; the error body itself is `errorBody` of
 * `@agentcore/policies`.
 */

/** The stable codes of `ProxyError`, one line each. */
export type ProxyErrorCode =
  /** a flag, key file or bundle setting cannot work (missing secret, unreadable key, duplicate issuer) */
  | 'PROXY_CONFIG_INVALID'
  /** the bundle file is invalid or cannot be enforced (start-up only; a reload keeps the old bundle) */
  | 'PROXY_BUNDLE_INVALID'
  /** --redis-fallback fail-closed and Redis cannot be reached */
  | 'PROXY_REDIS_UNAVAILABLE'
  /** synced mode misconfigured (control-plane URL, token, cache dir) */
  | 'PROXY_SYNC_CONFIG_INVALID'
  /** the bundle sync was started twice */
  | 'PROXY_SYNC_STARTED'
  /** the bundle sync was used after stop() */
  | 'PROXY_SYNC_STOPPED'
  /** synced mode: no valid bundle from the control plane or the cache at start-up */
  | 'PROXY_SYNC_NO_BUNDLE'
  /** the event bus (Redis Streams) cannot accept or deliver events now */
  | 'PROXY_EVENT_BUS_UNAVAILABLE';

/** Base class of errors the proxy throws. */
export class ProxyError extends Error {
  constructor(
    /** stable code, e.g. `PROXY_CONFIG_INVALID` */
    readonly code: ProxyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyError';
  }
}

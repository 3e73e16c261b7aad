/**
 * The proxy's error catalogue: every response the proxy itself produces uses the spec's
 * error body `{"error":{"code","message","details","request_id","timestamp"}}`.
 */

/** Stable public error codes (spec §4 "Error Response Format"). */
export const ErrorCode = {
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  BAD_GATEWAY: 502,
  UPSTREAM_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
} as const;
export type ErrorCode = keyof typeof ErrorCode;

/** The error body the proxy sends. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown>; request_id: string; timestamp: string };
}

/** Builds the JSON text of an error body. */
export function errorBody(code: ErrorCode, message: string, requestId: string, details: Record<string, unknown> = {}, now = Date.now()): string {
  const body: ErrorBody = { error: { code, message, details, request_id: requestId, timestamp: new Date(now).toISOString() } };
  return JSON.stringify(body);
}

/** Base class of errors the proxy throws (misconfiguration, I/O failure); denials are values, not exceptions. */
export class ProxyError extends Error {
  constructor(
    /** stable code, e.g. `PROXY_CONFIG_INVALID` */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyError';
  }
}

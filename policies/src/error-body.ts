/**
 * The one error format of the specification (§ "Error Response Format"), shared by the sidecar and the admin API:
 * `{"error":{"code","message","details","request_id","timestamp"}}`, and the public code → HTTP status table.
 * Pure: the timestamp comes in as a parameter.
 */
import { z } from 'zod';

/**
 * Every public error code either app answers with, and its HTTP status. One table: the proxy's `deny(code)` and the
 * admin API's error handler both take the status from here; `docs/errors.md` is generated from it.
 */
export const PUBLIC_ERROR_STATUS = {
  /** the request is malformed or ambiguous (bad framing, path, header, body) */
  INVALID_REQUEST: 400,
  /** no credentials, or credentials that do not verify */
  UNAUTHENTICATED: 401,
  /** authenticated, but the policy does not allow this */
  FORBIDDEN: 403,
  /** no route or resource with that name */
  NOT_FOUND: 404,
  /** the route exists but not for this method */
  METHOD_NOT_ALLOWED: 405,
  /** the client did not send the request in time */
  REQUEST_TIMEOUT: 408,
  /** the change conflicts with the current state (duplicate, still referenced, would not compile) */
  CONFLICT: 409,
  /** `If-Match` names a version that is no longer current (a lost update) */
  PRECONDITION_FAILED: 412,
  /** an `Expect` the server cannot meet (anything but `100-continue`) */
  EXPECTATION_FAILED: 417,
  /** the body is larger than the limit */
  PAYLOAD_TOO_LARGE: 413,
  /** the body's media type is not accepted */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** the change is well-formed but not acceptable (e.g. it refers to something that does not exist) */
  UNPROCESSABLE: 422,
  /** the write must carry `If-Match` */
  PRECONDITION_REQUIRED: 428,
  /** a rate limit was reached; `Retry-After` says when to retry */
  RATE_LIMITED: 429,
  /** a quota was used up; `Retry-After` says when it resets */
  QUOTA_EXCEEDED: 429,
  /** the request headers are larger than the limit */
  HEADERS_TOO_LARGE: 431,
  /** a bug: the request could not be handled */
  INTERNAL_ERROR: 500,
  /** a framing or feature the server does not implement (e.g. an unknown transfer coding) */
  NOT_IMPLEMENTED: 501,
  /** the upstream answered with something unusable, or the connection failed */
  BAD_GATEWAY: 502,
  /** no upstream target can take the request now (all unhealthy, circuit open, at capacity) */
  UPSTREAM_UNAVAILABLE: 503,
  /** the server itself cannot decide now (a dependency such as the database or Redis is down) */
  SERVICE_UNAVAILABLE: 503,
  /** the upstream did not answer in time */
  UPSTREAM_TIMEOUT: 504,
} as const satisfies Record<string, number>;

/** A public error code of the specification's error body. */
export type PublicErrorCode = keyof typeof PUBLIC_ERROR_STATUS;

/** The zod schema of the error body (the admin API's OpenAPI document uses it for every error response). */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(PUBLIC_ERROR_STATUS) as [PublicErrorCode, ...PublicErrorCode[]]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    request_id: z.string(),
    timestamp: z.string(),
  }),
});
/** The error body. */
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The HTTP status of a public error code. */
export function statusOfError(code: PublicErrorCode): number {
  return PUBLIC_ERROR_STATUS[code];
}

/** The JSON text of an error body; `nowMs` is the time of the answer (epoch ms). */
export function errorBody(code: PublicErrorCode, message: string, requestId: string, details: Record<string, unknown>, nowMs: number): string {
  const body: ErrorBody = { error: { code, message, details, request_id: requestId, timestamp: new Date(nowMs).toISOString() } };
  return JSON.stringify(body);
}

/**
 * The admin API's errors: one class with a stable code (`ADMIN_*`), an HTTP status and the public
 * spec code, mapped to the spec's error body `{"error":{"code","message","details","request_id","timestamp"}}`
 * in one place (the app's error handler).
 */

/** Public codes of the spec's error format, as the admin API uses them. */
export type PublicErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

const STATUS: Record<PublicErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PRECONDITION_REQUIRED: 428,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** An error the admin API answers with; `code` is stable (e.g. `ADMIN_POLICY_INVALID`). */
export class AdminError extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    readonly publicCode: PublicErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = 'AdminError';
    this.status = STATUS[publicCode];
    this.headers = options?.headers;
  }
  readonly headers: Record<string, string> | undefined;
}

/** 400 with one entry per invalid field: `details.fields = [{ path, message }]`. */
export function invalidInput(message: string, fields: readonly { path: string; message: string }[]): AdminError {
  return new AdminError('ADMIN_INPUT_INVALID', 'INVALID_REQUEST', message, { fields });
}

export const notFound = (what: string): AdminError => new AdminError('ADMIN_NOT_FOUND', 'NOT_FOUND', `${what} does not exist`);

/** The JSON error body. */
export function errorBody(code: PublicErrorCode, message: string, requestId: string, details: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: { code, message, details, request_id: requestId, timestamp: new Date().toISOString() } });
}

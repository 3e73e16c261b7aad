/** Stable error codes of the store; the API maps each to an HTTP status. */
export type StoreErrorCode =
  /** the database cannot be reached, or the SQLite file stayed locked past busy_timeout (503) */
  | 'ADMIN_STORE_UNAVAILABLE'
  /** a schema migration failed at start-up (500) */
  | 'ADMIN_STORE_MIGRATION_FAILED'
  /** the resource already exists (unique key taken) (409) */
  | 'ADMIN_STORE_CONFLICT'
  /** the resource, or the service it belongs to, does not exist (404) */
  | 'ADMIN_STORE_NOT_FOUND'
  /** the expected version (If-Match) is not the stored one: a lost update was prevented (412) */
  | 'ADMIN_STORE_PRECONDITION_FAILED'
  /** a definition failed its `@agentcore/policies` schema (400) */
  | 'ADMIN_POLICY_INVALID';

const STATUS: Record<StoreErrorCode, number> = {
  ADMIN_STORE_UNAVAILABLE: 503,
  ADMIN_STORE_MIGRATION_FAILED: 500,
  ADMIN_STORE_CONFLICT: 409,
  ADMIN_STORE_NOT_FOUND: 404,
  ADMIN_STORE_PRECONDITION_FAILED: 412,
  ADMIN_POLICY_INVALID: 400,
};

/** One failed check of a definition: the zod issue path and its message. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** Every failure of the store layer: a stable `code`, its HTTP `status`, the driver error as `cause`. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly status: number;
  /** per-field details, for ADMIN_POLICY_INVALID */
  readonly issues: ValidationIssue[];

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown; issues?: ValidationIssue[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = STATUS[code];
    this.issues = options.issues ?? [];
  }
}

/** True when `err` is a StoreError with the given code. */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

import { PUBLIC_ERROR_STATUS } from '@agentcore/policies';
import { ADMIN_ERRORS, type AdminErrorCode } from '../admin-errors.js';

/** The catalogue's codes the store throws (ADMIN_STORE_* and ADMIN_POLICY_INVALID); meaning and status in `admin-errors.ts`. */
export type StoreErrorCode = Extract<AdminErrorCode, `ADMIN_STORE_${string}` | 'ADMIN_POLICY_INVALID'>;

/** One failed check of a definition: the zod issue path and its message. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** Every failure of the store layer: a stable `code` of the catalogue, its HTTP `status`, the driver error as `cause`. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly status: number;
  /** per-field details, for ADMIN_POLICY_INVALID */
  readonly issues: ValidationIssue[];

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown; issues?: ValidationIssue[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = PUBLIC_ERROR_STATUS[ADMIN_ERRORS[code].public];
    this.issues = options.issues ?? [];
  }
}

/** True when `err` is a StoreError with the given code. */
export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

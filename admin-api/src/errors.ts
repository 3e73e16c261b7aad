/**
 * The admin API's error class: a stable code from the catalogue (`admin-errors.ts`), from which its public spec
 * code and HTTP status follow; answered as the spec's error body by the app's one error handler (`http/app.ts`).
 */
import { PUBLIC_ERROR_STATUS, type PublicErrorCode } from '@agentcore/policies';
import { ADMIN_ERRORS, type AdminErrorCode } from './admin-errors.js';

export type { PublicErrorCode } from '@agentcore/policies';
export { ADMIN_ERRORS, type AdminErrorCode } from './admin-errors.js';

/** An error the admin API answers with; `code` is stable (e.g. `ADMIN_POLICY_INVALID`), the rest follows from the catalogue. */
export class AdminError extends Error {
  readonly status: number;
  readonly publicCode: PublicErrorCode;
  readonly headers: Record<string, string> | undefined;
  constructor(
    readonly code: AdminErrorCode,
    message: string = ADMIN_ERRORS[code].message,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = 'AdminError';
    this.publicCode = ADMIN_ERRORS[code].public;
    this.status = PUBLIC_ERROR_STATUS[this.publicCode];
    this.headers = options?.headers;
  }
}

/** 400 with one entry per invalid field: `details.fields = [{ path, message }]`. */
export function invalidInput(message: string, fields: readonly { path: string; message: string }[]): AdminError {
  return new AdminError('ADMIN_INPUT_INVALID', message, { fields });
}

/** 404 ADMIN_NOT_FOUND naming what is missing. */
export const notFound = (what: string): AdminError => new AdminError('ADMIN_NOT_FOUND', `${what} does not exist`);

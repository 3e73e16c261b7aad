/** Errors of the admin API as the console shows them: the spec's error body, or "the network failed". */

/** One field-path error from `details.fields` (e.g. `body.permissions.0`). */
export interface FieldError {
  path: string;
  message: string;
}

/** An answer ≥ 400 from the admin API, carrying the spec's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly fields: readonly FieldError[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request never got an answer (network cut, admin API down). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The admin API cannot be reached. Check your connection and retry.', { cause });
    this.name = 'NetworkError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; request_id?: string; details?: { fields?: FieldError[] } };
}

/** Builds the ApiError of a failed response from its (possibly non-JSON) body. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const e = (body as ErrorBody | undefined)?.error;
  const fields = Array.isArray(e?.details?.fields) ? e.details.fields : [];
  return new ApiError(status, e?.code ?? `HTTP_${status}`, e?.message ?? `the admin API answered ${status}`, e?.request_id, fields);
}

/** The message of a field, matching `body.<name>` or `<name>` (and their sub-paths), for showing beside the input. */
export function fieldMessage(err: unknown, name: string): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const hit = err.fields.find((f) => f.path === name || f.path === `body.${name}` || f.path.startsWith(`body.${name}.`) || f.path.startsWith(`${name}.`));
  return hit?.message;
}

/** A human sentence for any error a query or mutation can throw. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.message}${err.requestId ? ` (request ${err.requestId})` : ''}`;
  if (err instanceof NetworkError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

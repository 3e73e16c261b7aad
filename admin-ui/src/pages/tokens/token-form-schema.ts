/**
 * The admin API's rules for a new personal access token (`CreateTokenBody` of admin-api/src/auth/token-endpoints.ts,
 * not importable by the console); `token-form-schema.test.ts` checks these numbers against the OpenAPI document.
 */

export const NAME_MAX = 100;
export const EXPIRY_MIN_DAYS = 1;
export const EXPIRY_MAX_DAYS = 365;
/** What the API picks when the request names no expiry. */
export const DEFAULT_EXPIRY_DAYS = 90;

/** The form's values as typed. */
export interface TokenFormValues {
  name: string;
  /** whole days, as typed */
  expiresInDays: string;
}

/** The body to send, or the message of each invalid field. */
export function checkTokenForm(v: TokenFormValues): { body: { name: string; expiresInDays: number }; errors: Record<never, string> } | { body?: undefined; errors: Partial<Record<keyof TokenFormValues, string>> } {
  const errors: Partial<Record<keyof TokenFormValues, string>> = {};
  const name = v.name.trim();
  if (name === '') errors.name = 'Say what the token is for';
  else if (name.length > NAME_MAX) errors.name = `At most ${NAME_MAX} characters (${name.length} now)`;
  const days = /^\s*\d+\s*$/.test(v.expiresInDays) ? Number(v.expiresInDays) : Number.NaN;
  if (v.expiresInDays.trim() === '') errors.expiresInDays = 'Enter a number of days';
  else if (!Number.isInteger(days)) errors.expiresInDays = 'Enter a whole number of days';
  else if (days < EXPIRY_MIN_DAYS || days > EXPIRY_MAX_DAYS) errors.expiresInDays = `Between ${EXPIRY_MIN_DAYS} and ${EXPIRY_MAX_DAYS} days`;
  if (Object.keys(errors).length) return { errors };
  return { body: { name, expiresInDays: days }, errors: {} };
}

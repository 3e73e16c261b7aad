/** Validation of the create-key form with the policy contract's own ApiKey field schemas (the API applies the same). */
import { ApiKey } from '@agentcore/policies';

/** The form's values as typed. */
export interface ApiKeyFormValues {
  principal: string;
  roles: string[];
  scopes: string;
  description: string;
  /** ISO 8601 or empty */
  expiresAt: string;
}

/** Field → message for invalid values; empty when the form may be sent. */
export function validateApiKeyForm(v: ApiKeyFormValues, now: number): Record<string, string> {
  const errors: Record<string, string> = {};
  const principal = ApiKey.shape.principal.safeParse(v.principal.trim());
  if (!principal.success) errors.principal = v.principal.trim() === '' ? 'Enter the principal the key acts as' : principal.error.issues[0]!.message;
  if (v.description.length > 500) errors.description = 'At most 500 characters';
  if (v.expiresAt && Date.parse(v.expiresAt) <= now) errors.expiresAt = 'The expiry must be in the future';
  const scopes = splitList(v.scopes);
  if (scopes.some((s) => s.length > 128)) errors.scopes = 'A scope has at most 128 characters';
  return errors;
}

/** "a, b  c" → ["a", "b", "c"]. */
export const splitList = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean);

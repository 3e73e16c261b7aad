/**
 * The admin API's rules for admin users, for checking the form before sending. The API's zod schemas live in
 * admin-api/src (not importable by the console), so the same rules are written here and
 * `admin-user-form-schema.test.ts` checks them against the API's OpenAPI document: they cannot drift silently.
 */
import type { AdminRole } from '../../api/session-api';

/** `Username` of admin-api/src/auth/admin-user-endpoints.ts. */
export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
/** MIN_PASSWORD_LENGTH / MAX_PASSWORD_LENGTH of admin-api/src/auth/password-hash.ts. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1024;
/** The admin roles, in the order the console offers them. */
export const ADMIN_ROLE_OPTIONS: readonly { id: AdminRole; label: string; hint: string }[] = [
  { id: 'security-admin', label: 'security admin', hint: 'roles, principals, API keys, rate limits; reads access logs' },
  { id: 'platform-engineer', label: 'platform engineer', hint: 'services, routes, upstreams, sidecars, bundles' },
  { id: 'auditor', label: 'auditor', hint: 'reads everything and the access logs; changes nothing' },
  { id: 'owner', label: 'owner', hint: 'everything, including admin users' },
];

const USERNAME_RE = new RegExp(USERNAME_PATTERN);

/** The create form's values. */
export interface AdminUserFormValues {
  username: string;
  password: string;
  role: AdminRole;
}

/** Field → message for invalid values; empty when the form may be sent. */
export function validateAdminUserForm(v: AdminUserFormValues): Partial<Record<keyof AdminUserFormValues, string>> {
  const errors: Partial<Record<keyof AdminUserFormValues, string>> = {};
  if (v.username === '') errors.username = 'Enter a username';
  else if (!USERNAME_RE.test(v.username)) errors.username = 'Use lower-case letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit';
  if (v.password.length < PASSWORD_MIN) errors.password = `At least ${PASSWORD_MIN} characters (${v.password.length} now)`;
  else if (v.password.length > PASSWORD_MAX) errors.password = `At most ${PASSWORD_MAX} characters`;
  return errors;
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random 20-character password (about 116 bits) for the owner to hand over. */
export function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  // 256 % 56 = 32: reject the top bytes so each character is equally likely.
  let out = '';
  for (const b of bytes) out += b < 224 ? ALPHABET[b % ALPHABET.length] : '';
  return out.length >= 16 ? out : generatePassword();
}

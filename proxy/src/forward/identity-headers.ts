/**
 * The identity headers the backend receives (`X-Auth-*`, see docs/security.md "Headers the backend receives").
 * Every value is percent-encoded (RFC 3986 §2.1, UTF-8) except the characters listed in `KEEP`, so a subject or
 * role can hold any character — CR, LF, `,`, non-Latin-1 — and still reach the backend as one unambiguous,
 * visible-ASCII value; the backend reads each item with `decodeURIComponent`. Lists are joined with `,` (roles)
 * or ` ` (scopes) after encoding, so a separator inside a value is always `%2C` / `%20`.
 */
import type { AuthenticatedPrincipal } from '../authenticate/principal.js';

/** Kept as they are: RFC 3986 unreserved and sub-delims (minus `,`), `:`, `@`, `/`. Everything else is %XX. */
const KEEP = /^[A-Za-z0-9\-._~!$&'()*+;=:@/]*$/;

/** Percent-encodes one identity value (UTF-8; a lone surrogate becomes U+FFFD), leaving `KEEP`; inverse: `decodeURIComponent`. */
export function encodeIdentityValue(value: string): string {
  if (KEEP.test(value)) return value;
  let out = '';
  for (const ch of value) {
    if (KEEP.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The flat [name, value, …] identity headers of an authenticated principal. */
export function identityHeaders(p: AuthenticatedPrincipal): string[] {
  const out = [
    'x-auth-subject',
    encodeIdentityValue(p.id),
    'x-auth-method',
    p.method,
    'x-auth-roles',
    p.roles.map(encodeIdentityValue).join(','),
    'x-auth-credential',
    encodeIdentityValue(p.credentialId),
  ];
  if (p.scopes.length) out.push('x-auth-scopes', p.scopes.map(encodeIdentityValue).join(' '));
  return out;
}

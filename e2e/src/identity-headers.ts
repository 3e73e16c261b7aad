/**
 * How a backend reads the identity the sidecar forwards (docs/security.md, "Headers the backend receives"): each
 * value is percent-encoded UTF-8; roles are joined with `,`, scopes with ` `, after encoding.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The caller as the sidecar vouches for it; undefined on public routes (no `X-Auth-Subject`). */
export interface ForwardedIdentity {
  subject: string;
  method: string;
  roles: string[];
  scopes: string[];
  credential: string;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function list(v: string | undefined, separator: string): string[] {
  return v === undefined || v === '' ? [] : v.split(separator).map((x) => decodeURIComponent(x));
}

/** Decodes the `X-Auth-*` headers; undefined when there is no subject. */
export function decodeIdentity(headers: IncomingHttpHeaders): ForwardedIdentity | undefined {
  const subject = one(headers['x-auth-subject']);
  if (subject === undefined) return undefined;
  return {
    subject: decodeURIComponent(subject),
    method: one(headers['x-auth-method']) ?? '',
    roles: list(one(headers['x-auth-roles']), ','),
    scopes: list(one(headers['x-auth-scopes']), ' '),
    credential: decodeURIComponent(one(headers['x-auth-credential']) ?? ''),
  };
}

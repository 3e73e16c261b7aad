/**
 * OAuth scopes (RFC 6749 §3.3): parsing the space-delimited `scope` parameter, granting a subset of
 * what a client may ask for, and mapping granted scopes to the bundle's role names.
 */

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** A parsed scope parameter, or why it is malformed. */
export type ParsedScope = { ok: true; scopes: string[] } | { ok: false; message: string };

/** Parses a `scope` value: space-separated scope-tokens, duplicates dropped, order kept. */
export function parseScope(value: string | undefined): ParsedScope {
  if (value === undefined) return { ok: true, scopes: [] };
  if (value.length > 4096) return { ok: false, message: 'scope is longer than 4096 characters' };
  const out: string[] = [];
  for (const s of value.split(' ')) {
    if (s === '') continue;
    if (!SCOPE_TOKEN.test(s)) return { ok: false, message: `scope "${s.slice(0, 64)}" contains characters RFC 6749 §3.3 does not allow` };
    if (!out.includes(s)) out.push(s);
  }
  return { ok: true, scopes: out };
}

/** The scopes to grant: the requested ones if all are allowed (none requested → all allowed), else the refused ones. */
export function grantScopes(requested: readonly string[], allowed: readonly string[]): { ok: true; scopes: string[] } | { ok: false; refused: string[] } {
  if (requested.length === 0) return { ok: true, scopes: [...allowed] };
  const refused = requested.filter((s) => !allowed.includes(s));
  return refused.length === 0 ? { ok: true, scopes: [...requested] } : { ok: false, refused };
}

/**
 * The roles a token carries: the union of the roles mapped to its granted scopes, limited to
 * `holderRoles` when the token acts for a user (a scope never grants a role its user lacks).
 */
export function rolesForScopes(scopes: readonly string[], scopeRoles: Readonly<Record<string, readonly string[]>>, holderRoles?: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of scopes) for (const r of Object.hasOwn(scopeRoles, s) ? (scopeRoles[s] ?? []) : []) out.add(r);
  const roles = [...out];
  return holderRoles === undefined ? roles : roles.filter((r) => holderRoles.includes(r));
}

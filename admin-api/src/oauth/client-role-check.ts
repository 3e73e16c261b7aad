/**
 * The control plane's integrity rule for OAuth clients: a scope → role mapping may only name roles that every
 * service the client gets tokens for (its audiences) has, so a token never carries a role its sidecar ignores.
 */
import { AdminError } from '../errors.js';
import { readDefinitions } from '../store/bundle-source-repo.js';
import { getService, type Queryable } from '../store/index.js';

/** Checks that each audience exists (404) and has every role `scopeRoles` names (422 ADMIN_REFERENCE_UNKNOWN, naming each). */
export async function checkClientReferences(q: Queryable, audiences: readonly string[], scopeRoles: Readonly<Record<string, readonly string[]>>): Promise<void> {
  const named = [...new Set(Object.values(scopeRoles).flat())];
  const missing: { service: string; role: string; scopes: string[] }[] = [];
  for (const service of audiences) {
    await getService(q, service);
    if (named.length === 0) continue;
    const roles = new Set((await readDefinitions(q, 'roles', service)).map((r) => r.id));
    for (const role of named) {
      if (roles.has(role)) continue;
      const scopes = Object.entries(scopeRoles).filter(([, rs]) => rs.includes(role)).map(([s]) => s);
      missing.push({ service, role, scopes });
    }
  }
  if (missing.length === 0) return;
  const list = missing.map((m) => `"${m.role}" (service "${m.service}")`).join(', ');
  const fields = missing.map((m) => ({ path: `body.scopeRoles`, message: `unknown role "${m.role}" of service "${m.service}" (scopes ${m.scopes.join(', ')})` }));
  throw new AdminError('ADMIN_REFERENCE_UNKNOWN', `scopeRoles name roles the service does not have: ${list}; create the role first or change the mapping`, { fields, missing });
}

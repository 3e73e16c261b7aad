/**
 * Role-based access control: roles (with inheritance) are compiled once per bundle into Set lookups,
 * so deciding a request costs a few Set lookups per required permission and role.
 */
import type { Role } from './schema.js';

/** Who is calling, as established by authentication. */
export interface Principal {
  id: string;
  roles: readonly string[];
  scopes: readonly string[];
}

/** Why a request was refused. */
export type DenyReason =
  /** the route needs authentication and the request carries no (valid) credentials */
  | 'NO_CREDENTIALS'
  /** a route permission is granted by none of the principal's roles */
  | 'MISSING_PERMISSION'
  /** a route scope is not among the credential's scopes */
  | 'MISSING_SCOPE';

/** The outcome of `authorize`: a denial is a value carrying what is missing and a message for the caller. */
export type AccessDecision =
  | { allow: true; reason: 'PUBLIC_ROUTE' | 'GRANTED' }
  | { allow: false; reason: DenyReason; missing: readonly string[]; message: string };

/** The roles of one bundle, compiled with `compileRbac`. */
export interface CompiledRbac {
  /** Whether any of `roles` grants the concrete permission `resource:action`; unknown role names grant nothing. */
  grants(roles: readonly string[], permission: string): boolean;
  /** The patterns a role holds, its own and inherited, de-duplicated and sorted (for the console); [] for an unknown role. */
  effectivePermissions(role: string): readonly string[];
}

/** A role's grants, inherited ones included, as lookup structures. */
interface RoleGrants {
  /** `*` is among the patterns */
  all: boolean;
  /** `resource:action` patterns */
  exact: ReadonlySet<string>;
  /** resources of `resource:*` patterns */
  resources: ReadonlySet<string>;
  /** actions of `*:action` patterns */
  actions: ReadonlySet<string>;
  /** every pattern, sorted */
  patterns: readonly string[];
}

/** Splits `resource:action` at the first `:`; a string without `:` is all resource and no action. */
function splitPermission(p: string): [resource: string, action: string | undefined] {
  const i = p.indexOf(':');
  return i < 0 ? [p, undefined] : [p.slice(0, i), p.slice(i + 1)];
}

/** Whether a role's pattern (`*`, `res:*`, `*:act`, `res:act`) covers a concrete permission `res:act`. */
export function permissionMatches(pattern: string, permission: string): boolean {
  if (pattern === '*') return true;
  const [pr, pa] = splitPermission(pattern);
  if (pa === undefined) return pattern === permission;
  const [r, a] = splitPermission(permission);
  if (a === undefined) return false;
  return (pr === '*' || pr === r) && (pa === '*' || pa === a);
}

function compileGrants(patterns: Iterable<string>): RoleGrants {
  const unique = new Set(patterns);
  const exact = new Set<string>();
  const resources = new Set<string>();
  const actions = new Set<string>();
  let all = false;
  for (const p of unique) {
    if (p === '*') {
      all = true;
      continue;
    }
    const [r, a] = splitPermission(p);
    if (a === undefined) exact.add(p);
    else if (r === '*' && a === '*') all = true;
    else if (a === '*') resources.add(r);
    else if (r === '*') actions.add(a);
    else exact.add(p);
  }
  return { all, exact, resources, actions, patterns: [...unique].sort() };
}

function grantsOne(g: RoleGrants, permission: string): boolean {
  if (g.all || g.exact.has(permission)) return true;
  if (g.resources.size === 0 && g.actions.size === 0) return false;
  const [r, a] = splitPermission(permission);
  if (a === undefined) return false;
  return g.resources.has(r) || g.actions.has(a);
}

/**
 * Compiles roles and their inheritance into per-role lookup sets. Each role gets the union of the patterns of
 * every role reachable through `inherits`; unknown parents and cycles (which the schema rejects) are ignored
 * rather than thrown on, so roles in a cycle share the union. With duplicate names the first role wins.
 */
export function compileRbac(roles: readonly Role[]): CompiledRbac {
  const byName = new Map<string, Role>();
  for (const r of roles) if (!byName.has(r.name)) byName.set(r.name, r);

  const compiled = new Map<string, RoleGrants>();
  for (const name of byName.keys()) {
    // Breadth-first over the inheritance graph; `seen` makes cycles harmless.
    const seen = new Set<string>([name]);
    const queue = [name];
    const patterns: string[] = [];
    for (let i = 0; i < queue.length; i++) {
      const role = byName.get(queue[i] as string);
      if (role === undefined) continue;
      patterns.push(...role.permissions);
      for (const parent of role.inherits) {
        if (!seen.has(parent) && byName.has(parent)) {
          seen.add(parent);
          queue.push(parent);
        }
      }
    }
    compiled.set(name, compileGrants(patterns));
  }

  return {
    grants(principalRoles, permission) {
      for (const name of principalRoles) {
        const g = compiled.get(name);
        if (g !== undefined && grantsOne(g, permission)) return true;
      }
      return false;
    },
    effectivePermissions(role) {
      return compiled.get(role)?.patterns ?? [];
    },
  };
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/**
 * Decides whether a principal may call a route: public routes allow anyone; otherwise the principal must
 * exist, every route permission must be granted by one of its roles, and every route scope must be among its
 * scopes. Permissions are checked before scopes, so a request missing both reports MISSING_PERMISSION.
 */
export function authorize(
  rbac: CompiledRbac,
  principal: Principal | null | undefined,
  route: { auth: { required: boolean }; permissions: readonly string[]; scopes: readonly string[] },
): AccessDecision {
  if (!route.auth.required) return { allow: true, reason: 'PUBLIC_ROUTE' };
  if (principal == null) {
    return { allow: false, reason: 'NO_CREDENTIALS', missing: [], message: 'authentication required: send a valid bearer token or API key' };
  }

  let missing: string[] | undefined;
  for (const p of route.permissions) {
    if (!rbac.grants(principal.roles, p)) (missing ??= []).push(p);
  }
  if (missing !== undefined) {
    const many = missing.length > 1;
    const holder =
      principal.roles.length === 0
        ? 'you have no roles'
        : `your roles (${list(principal.roles)}) grant none of ${many ? 'them' : 'it'}`;
    return {
      allow: false,
      reason: 'MISSING_PERMISSION',
      missing,
      message: `requires permission${many ? 's' : ''} ${list(missing)}; ${holder}`,
    };
  }

  for (const s of route.scopes) {
    if (!principal.scopes.includes(s)) (missing ??= []).push(s);
  }
  if (missing !== undefined) {
    const many = missing.length > 1;
    return {
      allow: false,
      reason: 'MISSING_SCOPE',
      missing,
      message: `requires scope${many ? 's' : ''} ${list(missing)}; your credential does not carry ${many ? 'them' : 'it'}`,
    };
  }
  return { allow: true, reason: 'GRANTED' };
}

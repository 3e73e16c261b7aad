/**
 * The whole access decision of a bundle for one request, as the sidecar makes it: normalise the
 * target, route, then RBAC. Pure; the console's policy simulator runs it in the browser, and the
 * property tests use it to show that a path and its normalised form always get the same answer.
 */
import { normalizeRequestTarget, type PathRejection } from './normalize-path.js';
import { authorize, compileRbac, type CompiledRbac, type DenyReason, type Principal } from './rbac.js';
import { compileRouter, type Router } from './router.js';
import type { PolicyBundle, Route } from './schema.js';

export interface CompiledPolicy {
  readonly bundle: PolicyBundle;
  readonly router: Router<Route>;
  readonly rbac: CompiledRbac;
}

/** Compiles the parts of a validated bundle that decide access. */
export function compilePolicy(bundle: PolicyBundle): CompiledPolicy {
  return { bundle, router: compileRouter(bundle.routes), rbac: compileRbac(bundle.roles) };
}

export type AccessOutcome =
  | { outcome: 'invalid-target'; reason: PathRejection }
  | { outcome: 'no-route' }
  | { outcome: 'method-not-allowed'; allowedMethods: readonly string[] }
  | { outcome: 'allow'; routeId: string; path: string; reason: 'PUBLIC_ROUTE' | 'GRANTED' }
  | { outcome: 'deny'; routeId: string; path: string; reason: DenyReason; missing: readonly string[] };

/** Decides a request: `target` is the raw request target (path and query). */
export function decideAccess(p: CompiledPolicy, request: { method: string; host?: string; target: string; principal?: Principal | null }): AccessOutcome {
  const n = normalizeRequestTarget(request.target);
  if (!n.ok) return { outcome: 'invalid-target', reason: n.reason };
  const m = p.router.match(request.method, request.host, n.path);
  if (!m.found) return m.allowedMethods.length ? { outcome: 'method-not-allowed', allowedMethods: m.allowedMethods } : { outcome: 'no-route' };
  const d = authorize(p.rbac, request.principal, m.route);
  return d.allow
    ? { outcome: 'allow', routeId: m.route.id, path: n.path, reason: d.reason }
    : { outcome: 'deny', routeId: m.route.id, path: n.path, reason: d.reason, missing: d.missing };
}

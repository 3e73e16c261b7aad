/**
 * The policy simulator's evaluation: the sidecar's access stages in its order (normalise → route →
 * authenticate → authorise → rate-limit bucket), using the same `@agentcore/policies` functions, on a
 * bundle. Pure apart from the clock given in; the browser supplies the API key's SHA-256.
 */
import { decideAccess, rateLimitKey, routeResource, type CompiledPolicy } from '@agentcore/policies';

/** Who the request is made as. */
export type SimCredential =
  | { kind: 'none' }
  /** an API key as the client would send it, with its hex SHA-256 (how bundles know keys) */
  | { kind: 'api-key'; sha256: string }
  /** a principal given directly (as if authenticated) */
  | { kind: 'principal'; id: string; roles: string[]; scopes: string[] };

export interface SimRequest {
  method: string;
  /** the raw request target, path and query, tricks included */
  target: string;
  host?: string;
  credential: SimCredential;
  clientAddress: string;
}

export interface SimStage {
  name: 'normalise' | 'route' | 'authenticate' | 'authorise' | 'rate-limit';
  outcome: 'continue' | 'respond' | 'skipped';
  detail: string;
}

export interface SimResult {
  stages: SimStage[];
  /** the status the sidecar answers with, or "forward" when it passes the request to the upstream (unless rate-limited) */
  status: number | 'forward';
  reason: string;
  normalisedPath?: string;
  routeId?: string;
  rateLimitBuckets: string[];
}

type Principal = { id: string; roles: string[]; scopes: string[] };

function authenticate(p: CompiledPolicy, routeMethods: readonly string[] | undefined, c: SimCredential, now: number): { principal: Principal } | { reason: string; detail: string } {
  if (c.kind === 'principal') return { principal: { id: c.id, roles: c.roles, scopes: c.scopes } };
  if (c.kind === 'none') return { reason: 'NO_CREDENTIALS', detail: 'this route needs credentials' };
  const keys = p.bundle.authentication.apiKeys;
  if (keys.length === 0 || (routeMethods && !routeMethods.includes('api-key'))) return { reason: 'METHOD_NOT_ACCEPTED', detail: 'API keys are not accepted on this route' };
  const k = keys.find((x) => x.sha256 === c.sha256);
  if (!k) return { reason: 'UNKNOWN_API_KEY', detail: 'the API key is not known' };
  if (k.disabled) return { reason: 'API_KEY_DISABLED', detail: 'the API key is disabled' };
  if (k.notBefore && now < Date.parse(k.notBefore)) return { reason: 'API_KEY_NOT_YET_VALID', detail: 'the API key is not valid yet' };
  if (k.expiresAt && now >= Date.parse(k.expiresAt)) return { reason: 'API_KEY_EXPIRED', detail: 'the API key has expired' };
  return { principal: { id: k.principal, roles: [...k.roles], scopes: [...k.scopes] } };
}

/** Evaluates `r` against the compiled policy at time `now` (ms). */
export function simulateRequest(p: CompiledPolicy, r: SimRequest, now: number): SimResult {
  const stages: SimStage[] = [];
  const skip = (...names: SimStage['name'][]) => names.forEach((name) => stages.push({ name, outcome: 'skipped', detail: '' }));
  const routed = decideAccess(p, { method: r.method, target: r.target, ...(r.host ? { host: r.host } : {}), principal: null });
  if (routed.outcome === 'invalid-target') {
    stages.push({ name: 'normalise', outcome: 'respond', detail: `rejected: ${routed.reason}` });
    skip('route', 'authenticate', 'authorise', 'rate-limit');
    return { stages, status: 400, reason: `PATH_${routed.reason}`, rateLimitBuckets: [] };
  }
  if (routed.outcome === 'no-route' || routed.outcome === 'method-not-allowed') {
    stages.push({ name: 'normalise', outcome: 'continue', detail: 'normalised' });
    const mna = routed.outcome === 'method-not-allowed';
    stages.push({ name: 'route', outcome: 'respond', detail: mna ? `method not allowed; allowed: ${routed.allowedMethods.join(', ')}` : 'no route matches' });
    skip('authenticate', 'authorise', 'rate-limit');
    return { stages, status: mna ? 405 : 404, reason: mna ? 'METHOD_NOT_ALLOWED' : 'NO_ROUTE', rateLimitBuckets: [] };
  }
  const route = p.bundle.routes.find((x) => x.id === routed.routeId)!;
  stages.push({ name: 'normalise', outcome: 'continue', detail: routed.path });
  stages.push({ name: 'route', outcome: 'continue', detail: `route ${route.id}` });
  const base = { normalisedPath: routed.path, routeId: route.id };
  let principal: Principal | undefined;
  if (!route.auth.required) {
    stages.push({ name: 'authenticate', outcome: 'skipped', detail: 'public route' });
    stages.push({ name: 'authorise', outcome: 'continue', detail: 'PUBLIC_ROUTE' });
  } else {
    const a = authenticate(p, route.auth.methods, r.credential, now);
    if ('reason' in a) {
      stages.push({ name: 'authenticate', outcome: 'respond', detail: `${a.reason}: ${a.detail}` });
      skip('authorise', 'rate-limit');
      return { stages, status: 401, reason: a.reason, ...base, rateLimitBuckets: [] };
    }
    principal = a.principal;
    stages.push({ name: 'authenticate', outcome: 'continue', detail: `principal ${principal.id} (roles: ${principal.roles.join(', ') || 'none'})` });
    const d = decideAccess(p, { method: r.method, target: r.target, ...(r.host ? { host: r.host } : {}), principal });
    if (d.outcome === 'deny') {
      stages.push({ name: 'authorise', outcome: 'respond', detail: `${d.reason}${d.missing.length ? `: missing ${d.missing.join(', ')}` : ''}` });
      skip('rate-limit');
      return { stages, status: 403, reason: d.reason, ...base, rateLimitBuckets: [] };
    }
    stages.push({ name: 'authorise', outcome: 'continue', detail: d.outcome === 'allow' ? d.reason : '' });
  }
  const resource = routeResource(route);
  const buckets = route.rateLimits.flatMap((id) => {
    const limit = p.bundle.rateLimits.find((l) => l.id === id);
    return limit ? [rateLimitKey(limit, { ...(principal ? { principalId: principal.id } : {}), clientAddress: r.clientAddress, routeId: route.id, resource })] : [];
  });
  stages.push({ name: 'rate-limit', outcome: 'continue', detail: buckets.length ? buckets.join(', ') : 'no limit on this route' });
  return { stages, status: 'forward', reason: route.auth.required ? 'GRANTED' : 'PUBLIC_ROUTE', ...base, rateLimitBuckets: buckets };
}

/** Hex SHA-256 of an API key as the client sends it (Web Crypto). */
export async function sha256Hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Rate-limit counter keys: which requests share a counter. The same key names the counter in local memory
 * and in Redis, so every sidecar of a service counts a client against the same key.
 */

/** What a request is counted by. */
export interface RateLimitSubject {
  /** the authenticated principal; absent for anonymous requests */
  principalId?: string;
  clientAddress: string;
  routeId: string;
  /** the route's resource type (see `routeResource`) */
  resource: string;
}

const RESERVED = /[%|:#]/g;
/** Without the `g` flag: `test` on a global regex is stateful (lastIndex). */
const HAS_RESERVED = /[%|:#]/;
const ESCAPES: Readonly<Record<string, string>> = { '%': '%25', '|': '%7C', ':': '%3A', '#': '%23' };

/**
 * Percent-encodes `%`, `|`, `:` and `#` so a value cannot forge a separator: keys are equal only if their parts are.
 * `#` is escaped too so callers may suffix a key with `#<counter>` (the proxy does, per quota) without collisions.
 */
function escapeKeyPart(value: string): string {
  return HAS_RESERVED.test(value) ? value.replace(RESERVED, (c) => ESCAPES[c] as string) : value;
}

/**
 * The counter key of a limit for a request: `id`, then in this order whatever the scope lists (order and
 * duplicates in `scope` do not matter): `|c:p:<principal>` or `|c:a:<address>` (client: the principal, else the
 * address), `|a:<address>`, `|e:<route id>`, `|r:<resource>`. An empty scope is one counter for the service.
 */
export function rateLimitKey(
  limit: { id: string; scope: readonly ('client' | 'endpoint' | 'resource' | 'address')[] },
  s: RateLimitSubject,
): string {
  let key = escapeKeyPart(limit.id);
  if (limit.scope.length === 0) return key;
  if (limit.scope.includes('client')) {
    key += s.principalId ? `|c:p:${escapeKeyPart(s.principalId)}` : `|c:a:${escapeKeyPart(s.clientAddress)}`;
  }
  if (limit.scope.includes('address')) key += `|a:${escapeKeyPart(s.clientAddress)}`;
  if (limit.scope.includes('endpoint')) key += `|e:${escapeKeyPart(s.routeId)}`;
  if (limit.scope.includes('resource')) key += `|r:${escapeKeyPart(s.resource)}`;
  return key;
}

/** A route's resource type for the `resource` scope: `resource`, else the resource part of its first permission, else its id. */
export function routeResource(route: { id: string; resource?: string; permissions: readonly string[] }): string {
  if (route.resource) return route.resource;
  const first = route.permissions[0];
  if (first !== undefined) {
    const colon = first.indexOf(':');
    const resource = colon < 0 ? first : first.slice(0, colon);
    if (resource !== '') return resource;
  }
  return route.id;
}

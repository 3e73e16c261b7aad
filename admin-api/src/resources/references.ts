/**
 * What refers to a policy object, and the documented cascades: a delete of something still referenced is refused
 * (409 ADMIN_STILL_REFERENCED naming the referrers) unless it asks for `?cascade=true` where a cascade exists.
 * Roles: inheriting roles and API keys lose the role. Rate limits: routes lose the limit. Upstreams: no cascade
 * (a route would silently change where its traffic goes). Principals: their API keys are deleted (every service).
 */
import { AdminError } from '../errors.js';
import { readDefinitions } from '../store/bundle-source-repo.js';
import { deleteApiKey, listApiKeys, rolesRepo, routesRepo, updateApiKey, type ApiKeyRecord } from '../store/index.js';
import { dbOf, type Queryable } from '../store/queryable.js';

/** One reference a cascade removed. */
export interface CascadeEntry {
  type: 'role' | 'route' | 'api-key';
  id: string;
  change: string;
}

/** The referrers of one object: ids per referring kind, and the sentence naming them (null when unreferenced). */
export interface Referrers {
  referencedBy: Record<string, string[]>;
  message: string | null;
}

/** How to find (and optionally cascade away) the references to one kind of object. */
export interface ReferenceRules {
  find(q: Queryable, service: string, id: string): Promise<Referrers>;
  /** removes every reference found; absent = the kind has no cascade */
  cascade?(q: Queryable, service: string, id: string, now: number): Promise<CascadeEntry[]>;
  /** what ?cascade=true does, for the error's details */
  cascadeHelp: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const named = (ids: string[], one: string, many = `${one}s`): string => `${ids.length === 1 ? one : many} ${ids.join(', ')}`;

/** Every stored definition of a kind whose parsed definition passes `test`. */
async function definitionsWhere(q: Queryable, table: 'routes' | 'roles', service: string, test: (d: Record<string, unknown>) => boolean) {
  const defs = await readDefinitions(q, table, service);
  return defs.filter((d) => typeof d.definition === 'object' && d.definition !== null && test(d.definition as Record<string, unknown>));
}

const listed = (d: Record<string, unknown>, field: string, id: string): boolean => Array.isArray(d[field]) && (d[field] as unknown[]).includes(id);

/** The service's not-revoked keys carrying `role`. */
async function keysWithRole(q: Queryable, service: string, role: string): Promise<ApiKeyRecord[]> {
  const out: ApiKeyRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await listApiKeys(q, service, { limit: 500, cursor, sort: 'id', filter: { revoked: false } });
    out.push(...page.items.filter((k) => k.roles.includes(role)));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Roles are inherited by roles and carried by API keys. */
export const roleReferences: ReferenceRules = {
  async find(q, service, name) {
    const roles = (await definitionsWhere(q, 'roles', service, (d) => listed(d, 'inherits', name))).map((r) => r.id);
    const keys = (await keysWithRole(q, service, name)).map((k) => k.id);
    const parts = [...(roles.length ? [`inherited by ${roles.join(', ')}`] : []), ...(keys.length ? [`used by ${plural(keys.length, 'API key')}`] : [])];
    return { referencedBy: { roles, apiKeys: keys }, message: parts.length ? `role ${name} is ${parts.join(' and ')}` : null };
  },
  async cascade(q, service, name, now) {
    const out: CascadeEntry[] = [];
    for (const r of await definitionsWhere(q, 'roles', service, (d) => listed(d, 'inherits', name))) {
      const d = r.definition as { inherits: string[] };
      await rolesRepo.update(q, service, r.id, { ...d, inherits: d.inherits.filter((x) => x !== name) }, undefined);
      out.push({ type: 'role', id: r.id, change: `no longer inherits ${name}` });
    }
    for (const k of await keysWithRole(q, service, name)) {
      await updateApiKey(q, k.id, { roles: k.roles.filter((x) => x !== name) }, undefined, now);
      out.push({ type: 'api-key', id: k.id, change: `no longer has role ${name}` });
    }
    return out;
  },
  cascadeHelp: '?cascade=true removes the role from the roles inheriting it and from the API keys carrying it',
};

/** Rate limits are applied by routes. */
export const rateLimitReferences: ReferenceRules = {
  async find(q, service, id) {
    const routes = (await definitionsWhere(q, 'routes', service, (d) => listed(d, 'rateLimits', id))).map((r) => r.id);
    return { referencedBy: { routes }, message: routes.length ? `rate limit ${id} is used by ${named(routes, 'route')}` : null };
  },
  async cascade(q, service, id) {
    const out: CascadeEntry[] = [];
    for (const r of await definitionsWhere(q, 'routes', service, (d) => listed(d, 'rateLimits', id))) {
      const d = r.definition as { rateLimits: string[] };
      await routesRepo.update(q, service, r.id, { ...d, rateLimits: d.rateLimits.filter((x) => x !== id) }, undefined);
      out.push({ type: 'route', id: r.id, change: `no longer applies rate limit ${id}` });
    }
    return out;
  },
  cascadeHelp: '?cascade=true removes the rate limit from the routes applying it',
};

/** Upstreams are the targets of routes; no cascade. */
export const upstreamReferences: ReferenceRules = {
  async find(q, service, name) {
    const routes = (await definitionsWhere(q, 'routes', service, (d) => d.upstream === name)).map((r) => r.id);
    return { referencedBy: { routes }, message: routes.length ? `upstream ${name} is used by ${named(routes, 'route')}` : null };
  },
  cascadeHelp: 'no cascade: point the routes at another upstream (or delete them) first',
};

/** A principal's API keys, in every service. */
export async function keysOfPrincipal(q: Queryable, principal: string): Promise<{ id: string; service: string }[]> {
  return dbOf(q).selectFrom('api_keys').select(['id', 'service']).where('principal', '=', principal).orderBy('service').orderBy('id').execute();
}

/** Principals hold API keys (revoked ones included: the record names its principal). */
export const principalReferences: ReferenceRules = {
  async find(q, _service, id) {
    const keys = await keysOfPrincipal(q, id);
    return { referencedBy: { apiKeys: keys.map((k) => `${k.service}/${k.id}`) }, message: keys.length ? `principal ${id} holds ${plural(keys.length, 'API key')}` : null };
  },
  async cascade(q, _service, id) {
    const out: CascadeEntry[] = [];
    for (const k of await keysOfPrincipal(q, id)) {
      await deleteApiKey(q, k.id);
      out.push({ type: 'api-key', id: k.id, change: `deleted (service ${k.service})` });
    }
    return out;
  },
  cascadeHelp: "?cascade=true deletes the principal's API keys in every service",
};

/** Refuses (409) when something refers to the object, unless `cascade` asks to remove the references and the kind can. */
export async function clearReferences(q: Queryable, rules: ReferenceRules, service: string, id: string, cascade: boolean, now: number): Promise<CascadeEntry[]> {
  const found = await rules.find(q, service, id);
  if (found.message === null) return [];
  if (!cascade || !rules.cascade) {
    throw new AdminError('ADMIN_STILL_REFERENCED', found.message, { referencedBy: found.referencedBy, cascade: rules.cascadeHelp });
  }
  return rules.cascade(q, service, id, now);
}

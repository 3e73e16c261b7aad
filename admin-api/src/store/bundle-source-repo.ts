/**
 * What the bundle compiler reads from the store, typed: a service's definitions of each kind in creation order
 * (route order is match tie-break order), its settings, its active API keys and its OAuth parts.
 */
import { listApiKeys, toBundleApiKey, type ApiKeyRecord } from './api-keys-repo.js';
import { withStoreErrors } from './map-driver-error.js';
import { readRecentlyWithdrawnKeys } from './withdrawn-keys-repo.js';
import { oauthBundleParts, type OAuthBundleParts } from './oauth-bundle-parts.js';
import { dbOf, type Queryable } from './queryable.js';
import type { ServiceResourceTableName } from './service-resource-repo.js';
import { getServiceSettings, type ServiceSettings } from './services-repo.js';

/** One stored definition, parsed from JSON but not validated (the compiler validates the whole bundle). */
export interface SourceDefinition {
  id: string;
  definition: unknown;
}

/** Everything of one service a bundle is compiled from. */
export interface BundleSource {
  routes: SourceDefinition[];
  upstreams: SourceDefinition[];
  roles: SourceDefinition[];
  rateLimits: SourceDefinition[];
  jwtIssuers: SourceDefinition[];
  settings: ServiceSettings;
  /** bundle entries of the keys active at `now`, then of the keys revoked or expired recently (refused; withdrawn-keys-repo.ts) */
  apiKeys: NonNullable<ReturnType<typeof toBundleApiKey>>[];
  /** the control plane as a JWT issuer, revoked access tokens, introspection endpoints */
  oauth: OAuthBundleParts;
}

/** Every definition of one kind for `service`, in creation order. */
export async function readDefinitions(q: Queryable, table: ServiceResourceTableName, service: string): Promise<SourceDefinition[]> {
  const rows = await withStoreErrors(`${table} of "${service}"`, () =>
    dbOf(q).selectFrom(table).select(['id', 'definition']).where('service', '=', service).orderBy('created_at').orderBy('id').execute(),
  );
  return rows.map((r) => ({ id: r.id, definition: parseStored(r.definition) }));
}

/** A stored definition's JSON; a row that is not JSON (corrupted outside the API) stays a string, which the bundle schema refuses. */
function parseStored(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Whether a key belongs in a bundle at `now`: not revoked, not expired (a rotated key lives until its overlap ends). */
export function isActiveApiKey(k: ApiKeyRecord, now: number): boolean {
  return k.revokedAt === null && (k.expiresAt === null || k.expiresAt > now);
}

/** The principals among `ids` that exist and are enabled. */
async function enabledPrincipals(q: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await withStoreErrors('principals of API keys', () =>
    dbOf(q).selectFrom('principals').select('id').where('id', 'in', [...new Set(ids)]).where('disabled', '=', 0).execute(),
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * The bundle entries of the service's keys active at `now`, paged through the store 500 at a time. A key whose
 * principal is disabled or does not exist stays in the bundle marked `disabled` (the sidecar refuses it).
 */
export async function readActiveApiKeys(q: Queryable, service: string, now: number): Promise<BundleSource['apiKeys']> {
  const out: BundleSource['apiKeys'] = [];
  let cursor: string | null = null;
  do {
    const page = await listApiKeys(q, service, { limit: 500, cursor, sort: 'id', filter: { revoked: false } });
    const active = page.items.filter((k) => isActiveApiKey(k, now));
    const enabled = await enabledPrincipals(q, active.map((k) => k.principal));
    for (const k of active) {
      const entry = toBundleApiKey(k);
      if (entry) out.push(enabled.has(k.principal) ? entry : { ...entry, disabled: true });
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Reads the bundle source of `service` as the store holds it at `now` (404 ADMIN_STORE_NOT_FOUND for an unknown service). */
export async function readBundleSource(q: Queryable, service: string, now: number): Promise<BundleSource> {
  const [routes, upstreams, roles, rateLimits, jwtIssuers, settings, apiKeys, oauth] = await Promise.all([
    readDefinitions(q, 'routes', service),
    readDefinitions(q, 'upstreams', service),
    readDefinitions(q, 'roles', service),
    readDefinitions(q, 'rate_limits', service),
    readDefinitions(q, 'jwt_issuers', service),
    getServiceSettings(q, service),
    readActiveApiKeys(q, service, now),
    oauthBundleParts(q, service, now),
  ]);
  // recently revoked or expired keys too, so sidecars can tell their holders why they are refused
  return { routes, upstreams, roles, rateLimits, jwtIssuers, settings, apiKeys: [...apiKeys, ...(await readRecentlyWithdrawnKeys(q, service, now))], oauth };
}

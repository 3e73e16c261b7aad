/**
 * Compiles a service's policy bundle from the store: routes, upstreams, roles, rate limits, JWT issuers,
 * settings and the active API keys, validated by the `policies` schema (cross-references included).
 */
import { validateBundle, type BundleIssue, type PolicyBundle } from '@agentcore/policies';
import { getServiceSettings, listApiKeys, toBundleApiKey, type ApiKeyRecord, type Queryable } from '../store/index.js';
import { oauthBundleParts } from '../store/oauth-bundle-parts.js';
import { dbOf } from '../store/queryable.js';

/** A compiled bundle (revision 0, no hash: the publisher sets both), or why the store state is not a valid bundle. */
export type CompiledBundle = { ok: true; bundle: PolicyBundle } | { ok: false; issues: BundleIssue[] };

type ResourceTable = 'routes' | 'upstreams' | 'roles' | 'rate_limits' | 'jwt_issuers';

/** Every definition of one kind for `service`, in creation order (route order is match tie-break order). */
async function readDefinitions(q: Queryable, table: ResourceTable, service: string): Promise<{ id: string; definition: unknown }[]> {
  const rows = await dbOf(q)
    .selectFrom(table as 'routes')
    .select(['id', 'definition'])
    .where('service', '=', service)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, definition: JSON.parse(r.definition) as unknown }));
}

/** Whether a key belongs in a bundle at `now`: not revoked, not expired (a rotated key lives until its overlap ends). */
export function isActiveApiKey(k: ApiKeyRecord, now: number): boolean {
  return k.revokedAt === null && (k.expiresAt === null || k.expiresAt > now);
}

async function activeApiKeys(q: Queryable, service: string, now: number): Promise<unknown[]> {
  const out: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page = await listApiKeys(q, service, { limit: 500, cursor, sort: 'id', filter: { revoked: false } });
    for (const k of page.items) {
      if (!isActiveApiKey(k, now)) continue;
      const entry = toBundleApiKey(k);
      if (entry) out.push(entry);
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** Builds and validates the bundle of `service` as the store holds it at `now`. */
export async function compileBundle(q: Queryable, service: string, now: number): Promise<CompiledBundle> {
  const [routes, upstreams, roles, rateLimits, jwt, settings, apiKeys, oauth] = await Promise.all([
    readDefinitions(q, 'routes', service),
    readDefinitions(q, 'upstreams', service),
    readDefinitions(q, 'roles', service),
    readDefinitions(q, 'rate_limits', service),
    readDefinitions(q, 'jwt_issuers', service),
    getServiceSettings(q, service),
    activeApiKeys(q, service, now),
    oauthBundleParts(q, service, now),
  ]);
  const input: Record<string, unknown> = {
    version: 1,
    service,
    revision: 0,
    routes: routes.map((r) => r.definition),
    upstreams: Object.fromEntries(upstreams.map((u) => [u.id, u.definition])),
    authentication: { jwt: [...jwt.map((j) => j.definition), ...oauth.jwt], apiKeys, introspection: oauth.introspection, revokedTokens: oauth.revokedTokens },
    roles: roles.map((r) => r.definition),
    rateLimits: rateLimits.map((r) => r.definition),
  };
  if (settings.cors !== null) input.cors = settings.cors;
  if (settings.securityHeaders !== null) input.securityHeaders = settings.securityHeaders;
  if (settings.logging !== null) input.logging = settings.logging;
  if (settings.limits !== null) input.limits = settings.limits;
  return validateBundle(input);
}

/**
 * Compiles a service's policy bundle from the store: routes, upstreams, roles, rate limits, JWT issuers,
 * settings and the active API keys, validated by the `policies` schema (cross-references included).
 */
import { validateBundle, type BundleIssue, type PolicyBundle } from '@agentcore/policies';
import { readBundleSource, type BundleSource } from '../store/bundle-source-repo.js';
import type { Queryable } from '../store/queryable.js';

export { isActiveApiKey } from '../store/bundle-source-repo.js';

/** A compiled bundle (revision 0, no hash: the publisher sets both), or why the store state is not a valid bundle. */
export type CompiledBundle = { ok: true; bundle: PolicyBundle } | { ok: false; issues: BundleIssue[] };

/** The unvalidated bundle document of a source (revision 0). */
export function bundleInput(service: string, s: BundleSource): Record<string, unknown> {
  const input: Record<string, unknown> = {
    version: 1,
    service,
    revision: 0,
    routes: s.routes.map((r) => r.definition),
    upstreams: Object.fromEntries(s.upstreams.map((u) => [u.id, u.definition])),
    authentication: {
      jwt: [...s.jwtIssuers.map((j) => j.definition), ...s.oauth.jwt],
      apiKeys: s.apiKeys,
      introspection: s.oauth.introspection,
      revokedTokens: s.oauth.revokedTokens,
    },
    roles: s.roles.map((r) => r.definition),
    rateLimits: s.rateLimits.map((r) => r.definition),
  };
  const { cors, securityHeaders, logging, limits } = s.settings;
  if (cors !== null) input.cors = cors;
  if (securityHeaders !== null) input.securityHeaders = securityHeaders;
  if (logging !== null) input.logging = logging;
  if (limits !== null) input.limits = limits;
  return input;
}

/** An issue per API-key role that names no role of the service (the bundle schema lets keys carry any role name). */
export function unknownKeyRoles(s: BundleSource): BundleIssue[] {
  const names = new Set(s.roles.map((r) => (r.definition as { name?: unknown } | null)?.name).filter((n) => typeof n === 'string'));
  const issues: BundleIssue[] = [];
  s.apiKeys.forEach((k, i) =>
    k.roles.forEach((role, j) => {
      if (!names.has(role)) issues.push({ path: `authentication.apiKeys[${i}].roles[${j}]`, pointer: `/authentication/apiKeys/${i}/roles/${j}`, message: `unknown role "${role}" (API key ${k.id})` });
    }),
  );
  return issues;
}

/** An issue per role an enabled OAuth client's scopeRoles name that is no role of the service (its tokens would carry it). */
export function unknownClientRoles(s: BundleSource): BundleIssue[] {
  const names = new Set(s.roles.map((r) => (r.definition as { name?: unknown } | null)?.name).filter((n) => typeof n === 'string'));
  return s.oauth.clientRoles.flatMap(({ client, roles }) =>
    roles.filter((role) => !names.has(role)).map((role) => ({ path: `oauthClients.${client}.scopeRoles`, pointer: `/oauthClients/${client}/scopeRoles`, message: `unknown role "${role}" (OAuth client ${client})` })),
  );
}

/** Builds and validates the bundle of `service` as the store holds it at `now`; API-key and OAuth-client roles must name roles of the service. */
export async function compileBundle(q: Queryable, service: string, now: number): Promise<CompiledBundle> {
  const source = await readBundleSource(q, service, now);
  const checked = validateBundle(bundleInput(service, source));
  const keyIssues = [...unknownKeyRoles(source), ...unknownClientRoles(source)];
  if (keyIssues.length === 0) return checked;
  return { ok: false, issues: [...(checked.ok ? [] : checked.issues), ...keyIssues] };
}

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

/** Builds and validates the bundle of `service` as the store holds it at `now`. */
export async function compileBundle(q: Queryable, service: string, now: number): Promise<CompiledBundle> {
  return validateBundle(bundleInput(service, await readBundleSource(q, service, now)));
}

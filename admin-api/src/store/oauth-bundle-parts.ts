/**
 * What the bundle compiler adds for OAuth: the control plane as a trusted JWT issuer (inline JWKS, so
 * sidecars verify offline; `typ: at+jwt`; audience = the service) when an enabled client may get tokens
 * for the service, the revoked access tokens until they expire, and the configured introspection endpoints.
 */
import type { JwtIssuer } from '@agentcore/policies';
import { listOAuthClients } from './oauth-clients-repo.js';
import { publishedOAuthJwks } from './oauth-keys-repo.js';
import { OAUTH_ISSUER_SETTING, getOAuthSetting } from './oauth-settings-repo.js';
import { oauthDb } from './oauth-tables.js';
import { revokedAccessTokens } from './oauth-tokens-repo.js';
import type { Queryable } from './queryable.js';

/** Id of the control plane's entry in `authentication.jwt`. */
export const CONTROL_PLANE_ISSUER_ID = 'agentcore-control-plane';

/** The OAuth parts of a service's bundle (input form: the schema applies defaults). */
export interface OAuthBundleParts {
  jwt: Record<string, unknown>[];
  revokedTokens: { jti: string; exp: number }[];
  introspection: unknown[];
  /** per enabled client with this audience: the roles its scopeRoles name (the compiler checks they exist) */
  clientRoles: { client: string; roles: string[] }[];
}

/** Reads the OAuth parts of `service`'s bundle at `now`. */
export async function oauthBundleParts(q: Queryable, service: string, now: number): Promise<OAuthBundleParts> {
  const [issuer, clients, keys, revoked, introspection] = await Promise.all([
    getOAuthSetting(q, OAUTH_ISSUER_SETTING),
    listOAuthClients(q).then((all) => all.filter((c) => !c.disabled && c.audiences.includes(service))),
    publishedOAuthJwks(q, now),
    revokedAccessTokens(q, service, now),
    oauthDb(q).selectFrom('introspection_endpoints').select('definition').where('service', '=', service).orderBy('created_at').orderBy('id').execute(),
  ]);
  const jwt: Record<string, unknown>[] = [];
  if (issuer !== undefined && clients.length > 0 && keys.length > 0) {
    const entry: Pick<JwtIssuer, 'id' | 'issuer' | 'audiences' | 'algorithms' | 'tokenType'> & { jwks: { keys: unknown[] } } = {
      id: CONTROL_PLANE_ISSUER_ID,
      issuer,
      audiences: [service],
      jwks: { keys },
      algorithms: ['ES256'],
      tokenType: 'at+jwt',
    };
    jwt.push(entry);
  }
  const clientRoles = clients.map((c) => ({ client: c.id, roles: [...new Set(Object.values(c.scopeRoles).flat())] }));
  return { jwt, revokedTokens: revoked, introspection: introspection.map((r) => JSON.parse(r.definition) as unknown), clientRoles };
}

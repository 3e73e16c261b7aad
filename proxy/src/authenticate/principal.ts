/** Who a request acts for, once authenticated. */
import type { AuthMethod } from '@agentcore/policies';

export interface AuthenticatedPrincipal {
  /** subject: JWT `sub`, API key principal, introspection `sub` */
  id: string;
  roles: readonly string[];
  scopes: readonly string[];
  method: AuthMethod;
  /** which credential: JWT issuer id, API key id, introspection endpoint id */
  credentialId: string;
  /** when the credential stops being valid (ms since epoch), if known */
  expiresAt?: number;
}

/**
 * The principal's id in its namespace (issue #9): `api-key/<principal>`, `jwt:<issuer id>/<sub>`,
 * `introspection:<endpoint id>/<sub>`. Counters and per-client caps key on this, so a JWT `sub` equal to an API key's
 * principal (or to another issuer's `sub`) never shares a bucket with it. The namespace holds no `/`.
 */
export function principalKey(p: AuthenticatedPrincipal): string {
  return p.method === 'api-key' ? `api-key/${p.id}` : `${p.method}:${p.credentialId}/${p.id}`;
}

/** Why authentication failed; stable codes for logs, metrics (`auth_failures_total{reason}`) and error details. */
export type AuthFailureReason =
  /** the route needs credentials and none were presented */
  | 'NO_CREDENTIALS'
  /** a credential header is present but unparsable (bad scheme, empty, two different credentials) */
  | 'MALFORMED_CREDENTIALS'
  /** the presented credential type is not accepted on this route */
  | 'METHOD_NOT_ACCEPTED'
  /** JWT signature, algorithm, structure or required claims invalid */
  | 'INVALID_TOKEN'
  /** JWT `exp` in the past (beyond clock tolerance) */
  | 'TOKEN_EXPIRED'
  /** JWT `nbf`/`iat` in the future (beyond clock tolerance) */
  | 'TOKEN_NOT_YET_VALID'
  /** JWT `aud` does not name this service */
  | 'INVALID_AUDIENCE'
  /** JWT `iss` is not a configured issuer */
  | 'UNKNOWN_ISSUER'
  /** the JWKS could not be fetched */
  | 'JWKS_UNAVAILABLE'
  /** no API key has this hash */
  | 'UNKNOWN_API_KEY'
  | 'API_KEY_EXPIRED'
  | 'API_KEY_NOT_YET_VALID'
  | 'API_KEY_DISABLED'
  /** the presented key was revoked (the bundle keeps a recently revoked key's hash so the sidecar can say so) */
  | 'API_KEY_REVOKED'
  /** the introspection endpoint says the token is not active */
  | 'TOKEN_INACTIVE'
  /** a valid JWT whose `jti` the bundle lists as revoked at the control plane */
  | 'TOKEN_REVOKED'
  /** the introspection endpoint failed or timed out */
  | 'INTROSPECTION_UNAVAILABLE';

export type AuthOutcome =
  | { ok: true; principal: AuthenticatedPrincipal }
  | {
      ok: false;
      reason: AuthFailureReason;
      /** guidance for the client; never echoes the credential */
      message: string;
      /** value of the `WWW-Authenticate` header (RFC 6750 §3 for Bearer) */
      wwwAuthenticate: string;
      /** 401 normally; 503 when the failure is ours (JWKS / introspection unavailable) */
      status: 401 | 503;
    };

/**
 * The claims of our access tokens: the JWT profile of RFC 9068 (§2.2), plus `roles` for the sidecar's
 * RBAC. Time comes in as a parameter; the admin API signs the result with `typ: at+jwt`.
 */

/** The JOSE header `typ` of RFC 9068 access tokens (§2.1). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** What the authorization server knows when it issues an access token. */
export interface AccessTokenInput {
  issuer: string;
  /** the user, or the client itself for client_credentials (RFC 9068 §2.2) */
  subject: string;
  /** the service (resource server) the token is for */
  audience: string;
  clientId: string;
  scopes: readonly string[];
  roles: readonly string[];
  /** epoch seconds */
  issuedAt: number;
  lifetimeSeconds: number;
  jti: string;
  /** when the user authenticated (epoch seconds), for user grants */
  authTime?: number;
  /** extra identity claims (RFC 9068 §2.2.3.1 allows `groups`, `roles`, `entitlements`) */
  groups?: readonly string[];
}

/** RFC 9068 access token claims. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
  roles: string[];
  auth_time?: number;
  groups?: string[];
}

/** Builds the claim set of an access token; scope is omitted when empty (RFC 9068 §2.2.3). */
export function buildAccessTokenClaims(i: AccessTokenInput): AccessTokenClaims {
  const claims: AccessTokenClaims = {
    iss: i.issuer,
    sub: i.subject,
    aud: i.audience,
    exp: i.issuedAt + i.lifetimeSeconds,
    iat: i.issuedAt,
    jti: i.jti,
    client_id: i.clientId,
    roles: [...i.roles],
  };
  if (i.scopes.length > 0) claims.scope = i.scopes.join(' ');
  if (i.authTime !== undefined) claims.auth_time = i.authTime;
  if (i.groups !== undefined && i.groups.length > 0) claims.groups = [...i.groups];
  return claims;
}

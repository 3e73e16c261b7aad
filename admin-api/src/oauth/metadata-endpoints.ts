/** Discovery documents (RFC 8414, OpenID Connect Discovery 1.0 §3) and the JWKS of our token signing keys. */
import type { Response } from 'express';
import type { OAuthContext } from './oauth-context.js';
import { API_KEY_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from './grant-token-exchange.js';

/** The authorization server metadata; `oidc` adds the OpenID Provider fields. */
export function serverMetadata(ctx: OAuthContext, oidc: boolean): Record<string, unknown> {
  const iss = ctx.issuer();
  const auth = ['client_secret_basic', 'client_secret_post'];
  return {
    issuer: iss,
    authorization_endpoint: `${iss}/oauth/authorize`,
    token_endpoint: `${iss}/oauth/token`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    revocation_endpoint: `${iss}/oauth/revoke`,
    introspection_endpoint: `${iss}/oauth/introspect`,
    userinfo_endpoint: `${iss}/oauth/userinfo`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token', 'password', TOKEN_EXCHANGE_GRANT],
    token_endpoint_auth_methods_supported: [...auth, 'none'],
    revocation_endpoint_auth_methods_supported: [...auth, 'none'],
    introspection_endpoint_auth_methods_supported: auth,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    agentcore_subject_token_types_supported: [API_KEY_TOKEN_TYPE],
    ...(oidc
      ? { subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'], scopes_supported: ['openid', 'profile', 'email'], claims_supported: ['sub', 'preferred_username', 'name', 'email', 'groups'] }
      : {}),
  };
}

/** Writes a public JSON document, cacheable briefly. */
export function sendPublicJson(res: Response, body: unknown, maxAgeSeconds: number): void {
  res.setHeader('cache-control', `public, max-age=${maxAgeSeconds}`);
  res.setHeader('access-control-allow-origin', '*');
  res.status(200).json(body);
}

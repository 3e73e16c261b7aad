/**
 * OpenAPI entries of the /oauth/* and /.well-known/* routes, so they appear (with try-it-out) in /docs.
 * The routes themselves are mounted by `mount()` ahead of the API router, which therefore never reaches
 * these handlers; the JSON body shown is the specification's "Authentication Request", which the token
 * endpoint accepts beside the RFC 6749 form encoding.
 */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';

const TokenRequest = z.object({
  grant_type: z.string().describe('client_credentials | password | authorization_code | refresh_token | urn:ietf:params:oauth:grant-type:token-exchange'),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
  audience: z.string().optional().describe('the service the token is for (required when the client has several)'),
  username: z.string().optional(),
  password: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional(),
  refresh_token: z.string().optional(),
  subject_token: z.string().optional().describe('an API key, with subject_token_type urn:agentcore:params:oauth:token-type:api-key'),
  subject_token_type: z.string().optional(),
});
const TokenResponse = z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.int(), scope: z.string(), refresh_token: z.string().optional(), id_token: z.string().optional() });
const OAuthErrorBody = z.object({ error: z.string(), error_description: z.string() });
const unreachable = async (): Promise<never> => {
  throw new AdminError('ADMIN_INTERNAL', 'served by the OAuth router');
};

/** Documentation-only endpoint declarations. */
export function oauthDocEndpoints(): EndpointSpec<never, never, never>[] {
  const tags = ['oauth'];
  return [
    endpoint({
      method: 'post', path: '/oauth/token', operationId: 'oauthToken', tags, access: 'public',
      summary: 'Get tokens (RFC 6749; form or JSON body; client auth by HTTP Basic or client_id/client_secret)',
      body: TokenRequest, bodyExample: { grant_type: 'client_credentials', client_id: 'reporting', client_secret: 'ocs_…', scope: 'agents.read' },
      responses: { 200: { description: 'the Authentication Response (Cache-Control: no-store)', schema: TokenResponse }, 400: { description: 'RFC 6749 §5.2 error', schema: OAuthErrorBody }, 401: { description: 'invalid_client', schema: OAuthErrorBody } },
      handler: unreachable,
    }),
    endpoint({ method: 'post', path: '/oauth/revoke', operationId: 'oauthRevoke', tags, access: 'public', summary: 'Revoke a token (RFC 7009; form body token=…; client authentication)', responses: { 200: { description: 'revoked, or nothing to revoke' } }, handler: unreachable }),
    endpoint({ method: 'post', path: '/oauth/introspect', operationId: 'oauthIntrospect', tags, access: 'public', summary: 'Introspect a token (RFC 7662; confidential clients only)', responses: { 200: { description: '{"active": …}' } }, handler: unreachable }),
    endpoint({ method: 'get', path: '/oauth/authorize', operationId: 'oauthAuthorize', tags, access: 'public', summary: 'Authorization endpoint: the sign-in page (response_type=code, PKCE S256 required)', responses: { 200: { description: 'HTML sign-in form', contentType: 'text/html' } }, handler: unreachable }),
    endpoint({ method: 'get', path: '/oauth/userinfo', operationId: 'oauthUserinfo', tags, access: 'public', summary: 'OpenID Connect userinfo (Bearer access token with openid)', responses: { 200: { description: 'the user claims' } }, handler: unreachable }),
    endpoint({ method: 'get', path: '/.well-known/jwks.json', operationId: 'oauthJwks', tags, access: 'public', summary: 'Public keys of the token signatures', responses: { 200: { description: 'JWK Set' } }, handler: unreachable }),
    endpoint({ method: 'get', path: '/.well-known/oauth-authorization-server', operationId: 'oauthMetadata', tags, access: 'public', summary: 'RFC 8414 metadata', responses: { 200: { description: 'metadata' } }, handler: unreachable }),
    endpoint({ method: 'get', path: '/.well-known/openid-configuration', operationId: 'openidConfiguration', tags, access: 'public', summary: 'OpenID Provider metadata', responses: { 200: { description: 'metadata' } }, handler: unreachable }),
  ] as EndpointSpec<never, never, never>[];
}

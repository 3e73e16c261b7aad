/**
 * API key → access token, as an RFC 8693 token exchange whose `subject_token_type` is our own URN
 * `urn:agentcore:params:oauth:token-type:api-key`. The key itself is the credential (a client may also
 * authenticate; then it must be allowed the grant); the token is short-lived, for the key's service,
 * with the key's principal, roles and (a subset of) its scopes, and never outlives the key.
 */
import { grantScopes, parseScope } from '@agentcore/policies';
import { isActiveApiKey } from '../bundles/compile-bundle.js';
import { findApiKeyByHash, hashApiKey } from '../store/index.js';
import type { OAuthClientRecord } from '../store/oauth-clients-repo.js';
import type { ClientIdentity } from './client-authentication.js';
import { required, requireGrant } from './grant-helpers.js';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './oauth-request-body.js';
import { issueTokens, type TokenResponse } from './token-issuer.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** Our token type URN for an API key as the subject token (RFC 8693 §3 allows URNs of one's own). */
export const API_KEY_TOKEN_TYPE = 'urn:agentcore:params:oauth:token-type:api-key';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Exchanges an API key for a short-lived JWT. */
export async function tokenExchangeGrant(ctx: OAuthContext, who: ClientIdentity | undefined, params: OAuthParams): Promise<TokenResponse> {
  if (who) requireGrant(who.client, TOKEN_EXCHANGE_GRANT);
  const type = required(params, 'subject_token_type');
  if (type !== API_KEY_TOKEN_TYPE) throw new OAuthError('invalid_request', `subject_token_type must be ${API_KEY_TOKEN_TYPE}`);
  const requestedType = params.get('requested_token_type');
  if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
  const key = await findApiKeyByHash(ctx.store, hashApiKey(required(params, 'subject_token')));
  const now = ctx.now();
  if (!key || !isActiveApiKey(key, now) || (key.notBefore !== null && key.notBefore > now)) throw new OAuthError('invalid_grant', 'the API key is unknown, expired or revoked');
  const audience = params.get('audience') ?? params.get('resource') ?? key.service;
  if (audience !== key.service) throw new OAuthError('invalid_target', 'an API key gives tokens for its own service only');
  if (who && !who.client.audiences.includes(audience)) throw new OAuthError('invalid_target', 'this client may not get tokens for that audience');
  const asked = parseScope(params.get('scope'));
  if (!asked.ok) throw new OAuthError('invalid_scope', asked.message);
  const granted = grantScopes(asked.scopes, key.scopes);
  if (!granted.ok) throw new OAuthError('invalid_scope', `the API key does not have: ${granted.refused.join(' ').slice(0, 200)}`);
  let seconds = ctx.lifetimes.exchangedTokenSeconds;
  if (key.expiresAt !== null) seconds = Math.min(seconds, Math.floor((key.expiresAt - now) / 1000));
  if (seconds < 1) throw new OAuthError('invalid_grant', 'the API key expires too soon');
  const client: OAuthClientRecord = who?.client ?? {
    id: `api-key:${key.id}`, name: key.id, type: 'public', secretSha256: null, secretPrefix: null, disabled: false, createdAt: 0, updatedAt: 0, version: 0,
    description: null, grants: [TOKEN_EXCHANGE_GRANT], redirectUris: [], scopes: key.scopes, scopeRoles: {}, audiences: [key.service], accessTokenTtlSeconds: null, refreshTokenTtlSeconds: null,
  };
  const r = await issueTokens(ctx, ctx.store, { client, holder: { subject: key.principal, roles: key.roles }, audience, scopes: granted.scopes, roles: key.roles, refresh: false, accessSeconds: seconds });
  return { ...r, issued_token_type: ACCESS_TOKEN_TYPE };
}

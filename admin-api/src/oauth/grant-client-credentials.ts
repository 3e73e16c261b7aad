/** The client_credentials grant (RFC 6749 §4.4): a confidential client gets a token for itself; no refresh token. */
import { rolesForScopes } from '@agentcore/policies';
import type { ClientIdentity } from './client-authentication.js';
import { chooseAudience, requestedScopes, requireGrant } from './grant-helpers.js';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './oauth-request-body.js';
import { issueTokens, type TokenResponse } from './token-issuer.js';

/** Issues a client_credentials token. */
export async function clientCredentialsGrant(ctx: OAuthContext, who: ClientIdentity, params: OAuthParams): Promise<TokenResponse> {
  const { client } = who;
  if (who.method === 'none') throw new OAuthError('unauthorized_client', 'public clients cannot use client_credentials');
  requireGrant(client, 'client_credentials');
  const scopes = requestedScopes(params, client.scopes);
  const audience = chooseAudience(params, client);
  const roles = rolesForScopes(scopes, client.scopeRoles);
  return issueTokens(ctx, ctx.store, { client, holder: { subject: client.id, roles }, audience, scopes, roles, refresh: false });
}

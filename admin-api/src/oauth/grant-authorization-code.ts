/**
 * The authorization_code grant (RFC 6749 §4.1.3) with PKCE S256: a code is single-use and lives 60 s; its
 * second use revokes everything the first issued (RFC 6749 §4.1.2); redirect_uri must equal the one of the
 * authorization request; a code issued with a challenge cannot be redeemed without its verifier.
 */
import { createHash } from 'node:crypto';
import { checkPkceVerifier, rolesForScopes } from '@agentcore/policies';
import { findOAuthCode, markOAuthCodeUsed, revokeOAuthFamily } from '../store/oauth-tokens-repo.js';
import type { ClientIdentity } from './client-authentication.js';
import { required, requireGrant } from './grant-helpers.js';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './oauth-request-body.js';
import { issueTokens, sha256Hex, type TokenHolder, type TokenResponse } from './token-issuer.js';

/** What an authorization code stands for (stored as JSON with the code's hash). */
export interface CodeGrant {
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  audience: string;
  holder: TokenHolder;
  nonce?: string;
}

const s256 = (v: string): string => createHash('sha256').update(v, 'ascii').digest('base64url');
const INVALID = 'the authorization code is invalid, expired or already used';

/** Redeems a code. */
export async function authorizationCodeGrant(ctx: OAuthContext, who: ClientIdentity, params: OAuthParams): Promise<TokenResponse> {
  const { client } = who;
  requireGrant(client, 'authorization_code');
  const hash = sha256Hex(required(params, 'code'));
  const row = await findOAuthCode(ctx.store, hash);
  const now = ctx.now();
  if (!row || row.client_id !== client.id) throw new OAuthError('invalid_grant', INVALID);
  if (!(await markOAuthCodeUsed(ctx.store, hash, now))) {
    ctx.onRevoked(await revokeOAuthFamily(ctx.store, row.family_id, now));
    throw new OAuthError('invalid_grant', 'the authorization code was already used; the tokens it gave are revoked');
  }
  if (Number(row.expires_at) <= now) throw new OAuthError('invalid_grant', INVALID);
  const grant = JSON.parse(row.data) as CodeGrant;
  if (params.get('redirect_uri') !== grant.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  const pkce = checkPkceVerifier(grant.codeChallenge, params.get('code_verifier'), s256);
  if (!pkce.ok) throw new OAuthError('invalid_grant', pkce.reason === 'MISSING_VERIFIER' ? 'code_verifier is required (PKCE)' : 'code_verifier does not match the code_challenge');
  const roles = rolesForScopes(grant.scopes, client.scopeRoles, grant.holder.roles);
  return issueTokens(ctx, ctx.store, {
    client,
    holder: grant.holder,
    audience: grant.audience,
    scopes: grant.scopes,
    roles,
    familyId: row.family_id,
    refresh: client.grants.includes('refresh_token'),
    ...(grant.nonce === undefined ? {} : { nonce: grant.nonce }),
  });
}

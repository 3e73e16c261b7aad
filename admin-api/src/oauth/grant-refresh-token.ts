/**
 * The refresh_token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2): each use returns a new refresh
 * token; presenting one that was already rotated — a replay, by anyone — revokes its whole family, with no
 * grace window. The scope may narrow, never widen.
 */
import { parseScope, rolesForScopes } from '@agentcore/policies';
import { findRefreshToken, markRefreshRotated, revokeOAuthFamily } from '../store/oauth-tokens-repo.js';
import type { ClientIdentity } from './client-authentication.js';
import { required, requireGrant } from './grant-helpers.js';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './oauth-request-body.js';
import { issueTokens, sha256Hex, type TokenHolder, type TokenResponse } from './token-issuer.js';

const INVALID = 'the refresh token is invalid, expired or revoked';

/** A rotated token came back: revoke everything of its grant. */
async function reuse(ctx: OAuthContext, familyId: string, now: number): Promise<never> {
  ctx.onRevoked(await revokeOAuthFamily(ctx.store, familyId, now));
  throw new OAuthError('invalid_grant', 'the refresh token was already used; every token of its grant is revoked');
}

/** Rotates a refresh token. */
export async function refreshTokenGrant(ctx: OAuthContext, who: ClientIdentity, params: OAuthParams): Promise<TokenResponse> {
  const { client } = who;
  requireGrant(client, 'refresh_token');
  const row = await findRefreshToken(ctx.store, sha256Hex(required(params, 'refresh_token')));
  const now = ctx.now();
  if (!row || row.kind !== 'refresh' || row.client_id !== client.id) throw new OAuthError('invalid_grant', INVALID);
  if (row.revoked_at !== null || Number(row.expires_at) <= now) throw new OAuthError('invalid_grant', INVALID);
  if (row.rotated_at !== null) await reuse(ctx, row.family_id, now);
  const original = row.scope === '' ? [] : row.scope.split(' ');
  const asked = parseScope(params.get('scope'));
  if (!asked.ok) throw new OAuthError('invalid_scope', asked.message);
  const wider = asked.scopes.filter((s) => !original.includes(s));
  if (wider.length > 0) throw new OAuthError('invalid_scope', `a refresh cannot add scopes: ${wider.join(' ').slice(0, 200)}`);
  // Checked after the scope so a refused widening does not spend the token; the conditional update settles races.
  if (!(await markRefreshRotated(ctx.store, row.jti, now))) await reuse(ctx, row.family_id, now);
  const scopes = asked.scopes.length > 0 ? asked.scopes : original;
  const info = JSON.parse(row.info) as { holder: TokenHolder };
  const holder = info.holder;
  const roles = holder.subject === client.id ? rolesForScopes(scopes, client.scopeRoles) : rolesForScopes(scopes, client.scopeRoles, holder.roles);
  return issueTokens(ctx, ctx.store, { client, holder, audience: row.audience, scopes, roles, familyId: row.family_id, refresh: true });
}

/**
 * GET/POST /oauth/userinfo (OpenID Connect Core §5.3): the claims of the user behind an access token of
 * ours that carries `openid`. Errors follow RFC 6750 §3.1 (`WWW-Authenticate: Bearer error=…`).
 */
import type { Request, Response } from 'express';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import { findOwnToken, isLive } from './own-token.js';
import type { TokenHolder } from './token-issuer.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

const invalidToken = (description: string): OAuthError =>
  new OAuthError('invalid_token', description, 401, { 'www-authenticate': `Bearer realm="agentcore-oauth", error="invalid_token", error_description="${description}"` });

/** Handles a userinfo request. */
export async function handleUserinfo(ctx: OAuthContext, req: Request, res: Response): Promise<void> {
  const header = req.headers.authorization;
  if (header === undefined) throw new OAuthError('invalid_request', 'send the access token as Authorization: Bearer', 401, { 'www-authenticate': 'Bearer realm="agentcore-oauth"' });
  const token = BEARER.exec(header.trim())?.[1];
  const own = token === undefined ? undefined : await findOwnToken(ctx, token);
  if (!own || own.kind !== 'access' || !isLive(own.row, ctx.now())) throw invalidToken('the access token is invalid, expired or revoked');
  const scopes = own.row.scope.split(' ');
  if (!scopes.includes('openid')) {
    throw new OAuthError('invalid_token', 'the access token lacks the openid scope', 403, { 'www-authenticate': 'Bearer realm="agentcore-oauth", error="insufficient_scope", scope="openid"' });
  }
  const h = (JSON.parse(own.row.info) as { holder: TokenHolder }).holder;
  res.setHeader('cache-control', 'no-store');
  res.status(200).json({
    sub: h.subject,
    ...(scopes.includes('profile') ? { preferred_username: h.username, ...(h.displayName === undefined ? {} : { name: h.displayName }), ...(h.groups?.length ? { groups: h.groups } : {}) } : {}),
    ...(scopes.includes('email') && h.email !== undefined ? { email: h.email } : {}),
  });
}

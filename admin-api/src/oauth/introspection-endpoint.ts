/**
 * POST /oauth/introspect (RFC 7662), for authenticated confidential clients only (resource servers).
 * Inactive, unknown, expired, revoked or rotated tokens are all just `{"active": false}` (§2.2). A refresh token
 * is active only to the client it was issued to: to any other caller (a resource server, a sidecar) it is
 * `{"active": false}`, so it can never pass for an access token (RFC 7662 §4: the server decides what a caller sees).
 */
import type { Request, Response } from 'express';
import { authenticateClient } from './client-authentication.js';
import { required } from './grant-helpers.js';
import type { OAuthContext } from './oauth-context.js';
import { readOAuthParams } from './oauth-request-body.js';
import { findOwnToken, isLive } from './own-token.js';
import type { TokenHolder } from './token-issuer.js';

/** Handles an introspection request. */
export async function handleIntrospection(ctx: OAuthContext, req: Request, res: Response): Promise<void> {
  const params = await readOAuthParams(req, false);
  const caller = await authenticateClient(ctx.store, req, params, { allowPublic: false });
  const own = await findOwnToken(ctx, required(params, 'token'));
  res.setHeader('cache-control', 'no-store');
  const hidden = own?.kind === 'refresh' && own.row.client_id !== caller?.client.id;
  if (!own || hidden || !isLive(own.row, ctx.now())) {
    res.status(200).json({ active: false });
    return;
  }
  const r = own.row;
  const info = JSON.parse(r.info) as { holder: TokenHolder; roles: string[] };
  res.status(200).json({
    active: true,
    token_type: own.kind === 'access' ? 'Bearer' : 'refresh_token',
    iss: ctx.issuer(),
    sub: r.subject,
    aud: r.audience,
    client_id: r.client_id,
    ...(r.scope === '' ? {} : { scope: r.scope }),
    roles: info.roles,
    ...(info.holder.username === undefined ? {} : { username: info.holder.username }),
    iat: Math.floor(Number(r.created_at) / 1000),
    exp: Math.floor(Number(r.expires_at) / 1000),
    ...(own.kind === 'access' ? { jti: r.jti } : {}),
  });
}

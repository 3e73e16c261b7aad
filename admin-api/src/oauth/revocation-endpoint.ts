/**
 * POST /oauth/revoke (RFC 7009). The client authenticates; a token it was not issued, an unknown or an
 * invalid token is answered 200 with no effect (§2.2). Revoking a refresh token revokes its whole grant;
 * a revoked access token's `jti` travels in the next bundle of its service until the token expires.
 */
import type { Request, Response } from 'express';
import { revokeOAuthFamily, revokeOAuthToken } from '../store/oauth-tokens-repo.js';
import { authenticateClient } from './client-authentication.js';
import { required } from './grant-helpers.js';
import type { OAuthContext } from './oauth-context.js';
import { readOAuthParams } from './oauth-request-body.js';
import { findOwnToken } from './own-token.js';

/** Handles a revocation request. */
export async function handleRevocation(ctx: OAuthContext, req: Request, res: Response): Promise<void> {
  const params = await readOAuthParams(req, false);
  const who = await authenticateClient(ctx.store, req, params, { allowPublic: true });
  const token = required(params, 'token');
  // token_type_hint is only a hint (RFC 7009 §2.1): the token's own shape decides where it is looked up.
  const own = await findOwnToken(ctx, token);
  if (own && who && own.row.client_id === who.client.id) {
    const now = ctx.now();
    if (own.kind === 'refresh') ctx.onRevoked(await revokeOAuthFamily(ctx.store, own.row.family_id, now));
    else if (await revokeOAuthToken(ctx.store, own.row.jti, now)) ctx.onRevoked([own.row.audience]);
  }
  res.setHeader('cache-control', 'no-store');
  res.status(200).end();
}

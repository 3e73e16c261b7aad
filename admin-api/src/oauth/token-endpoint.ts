/**
 * POST /oauth/token (RFC 6749 §3.2): form or JSON parameters, client authentication, then the grant.
 * Answers are `no-store`; errors are RFC 6749 §5.2 values.
 */
import type { Request, Response } from 'express';
import { authenticateClient } from './client-authentication.js';
import { authorizationCodeGrant } from './grant-authorization-code.js';
import { clientCredentialsGrant } from './grant-client-credentials.js';
import { passwordGrant } from './grant-password.js';
import { refreshTokenGrant } from './grant-refresh-token.js';
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant } from './grant-token-exchange.js';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import { readOAuthParams } from './oauth-request-body.js';
import type { TokenResponse } from './token-issuer.js';

/** Handles one token request; throws OAuthError for every refusal. */
export async function handleTokenRequest(ctx: OAuthContext, req: Request, res: Response): Promise<void> {
  const params = await readOAuthParams(req, true);
  const grant = params.get('grant_type');
  if (grant === undefined) throw new OAuthError('invalid_request', 'the grant_type parameter is required');
  let out: TokenResponse;
  if (grant === TOKEN_EXCHANGE_GRANT) {
    out = await tokenExchangeGrant(ctx, await authenticateClient(ctx.store, req, params, { allowPublic: false, optional: true }), params);
  } else {
    const known = ['client_credentials', 'password', 'refresh_token', 'authorization_code'];
    if (!known.includes(grant)) throw new OAuthError('unsupported_grant_type', `grant_type "${grant.slice(0, 80)}" is not supported`);
    const who = await authenticateClient(ctx.store, req, params, { allowPublic: grant === 'authorization_code' || grant === 'refresh_token' });
    if (!who) throw new OAuthError('invalid_client', 'client authentication is required', 401);
    if (grant === 'client_credentials') out = await clientCredentialsGrant(ctx, who, params);
    else if (grant === 'password') out = await passwordGrant(ctx, who, params, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    else if (grant === 'refresh_token') out = await refreshTokenGrant(ctx, who, params);
    else out = await authorizationCodeGrant(ctx, who, params);
  }
  res.setHeader('cache-control', 'no-store');
  res.setHeader('pragma', 'no-cache');
  res.status(200).json(out);
}

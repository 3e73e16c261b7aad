/**
 * Finds what a presented token is among those we issued: a refresh token by its hash, an access token
 * by verifying its signature (our published keys, our issuer, `typ: at+jwt`, not expired) and its `jti` row.
 */
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { findOAuthToken, findRefreshToken, type OAuthTokenRow } from '../store/oauth-tokens-repo.js';
import type { OAuthContext } from './oauth-context.js';
import { REFRESH_TOKEN_PREFIX, sha256Hex } from './token-issuer.js';

/** A token we issued, with its verified claims for access tokens. */
export type OwnToken = { kind: 'refresh'; row: OAuthTokenRow } | { kind: 'access'; row: OAuthTokenRow; claims: JWTPayload };

/** The token's record, or undefined when it is not one of ours, is malformed, expired or badly signed. */
export async function findOwnToken(ctx: OAuthContext, token: string): Promise<OwnToken | undefined> {
  if (token.length > 8192) return undefined;
  if (token.startsWith(REFRESH_TOKEN_PREFIX)) {
    const row = await findRefreshToken(ctx.store, sha256Hex(token));
    return row ? { kind: 'refresh', row } : undefined;
  }
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
  const key = kid === undefined ? undefined : await ctx.keys.publicKey(kid);
  if (!key) return undefined;
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ctx.issuer(), algorithms: ['ES256'], typ: 'at+jwt', currentDate: new Date(ctx.now()), requiredClaims: ['jti', 'exp'] });
    const row = await findOAuthToken(ctx.store, String(payload.jti));
    return row && row.kind === 'access' ? { kind: 'access', row, claims: payload } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a token row is usable at `now`. */
export const isLive = (row: OAuthTokenRow, now: number): boolean => row.revoked_at === null && Number(row.expires_at) > now && (row.kind !== 'refresh' || row.rotated_at === null);

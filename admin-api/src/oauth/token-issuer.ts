/**
 * Issues what a successful grant returns: an RFC 9068 access token (ES256, `typ: at+jwt`, recorded by
 * `jti` for revocation and introspection), optionally a rotating refresh token (opaque, stored hashed,
 * in the grant's family) and, with `openid`, an ID token (OpenID Connect Core §2).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buildAccessTokenClaims } from '@agentcore/policies';
import { SignJWT } from 'jose';
import type { OAuthClientRecord } from '../store/oauth-clients-repo.js';
import { insertOAuthToken } from '../store/oauth-tokens-repo.js';
import type { Queryable } from '../store/queryable.js';
import type { OAuthContext } from './oauth-context.js';

/** Who a token is about, beyond its subject: kept with the refresh token so refreshed tokens say the same. */
export interface TokenHolder {
  subject: string;
  /** bundle roles the holder has; the token carries the part its scopes map to */
  roles: string[];
  username?: string;
  displayName?: string;
  email?: string;
  groups?: string[];
  /** epoch seconds of the user's sign-in */
  authTime?: number;
}

/** What to issue. */
export interface IssueRequest {
  client: OAuthClientRecord;
  holder: TokenHolder;
  audience: string;
  scopes: string[];
  /** roles of the access token */
  roles: string[];
  familyId?: string;
  refresh: boolean;
  nonce?: string;
  /** overrides the client's/default access lifetime (API key exchange) */
  accessSeconds?: number;
}

/** The token response of RFC 6749 §5.1 (and the specification's "Authentication Response"). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  issued_token_type?: string;
}

/** Prefix of our refresh tokens. */
export const REFRESH_TOKEN_PREFIX = 'ort_';
export const sha256Hex = (v: string): string => createHash('sha256').update(v, 'utf8').digest('hex');

/** Issues the tokens of one grant, recording them in `q` (a transaction of the caller, or the store). */
export async function issueTokens(ctx: OAuthContext, q: Queryable, r: IssueRequest): Promise<TokenResponse> {
  const nowMs = ctx.now();
  const iat = Math.floor(nowMs / 1000);
  const accessSeconds = r.accessSeconds ?? r.client.accessTokenTtlSeconds ?? ctx.lifetimes.accessTokenSeconds;
  const familyId = r.familyId ?? randomUUID();
  const jti = randomUUID();
  const claims = buildAccessTokenClaims({
    issuer: ctx.issuer(),
    subject: r.holder.subject,
    audience: r.audience,
    clientId: r.client.id,
    scopes: r.scopes,
    roles: r.roles,
    issuedAt: iat,
    lifetimeSeconds: accessSeconds,
    jti,
    ...(r.holder.authTime === undefined ? {} : { authTime: r.holder.authTime }),
    ...(r.holder.groups === undefined ? {} : { groups: r.holder.groups }),
  });
  const key = await ctx.keys.current();
  const access = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' }).sign(key.key);
  const info = JSON.stringify({ holder: r.holder, roles: r.roles });
  const scope = r.scopes.join(' ');
  await insertOAuthToken(q, { jti, kind: 'access', client_id: r.client.id, subject: r.holder.subject, audience: r.audience, scope, family_id: familyId, token_sha256: null, info, created_at: nowMs, expires_at: (iat + accessSeconds) * 1000, rotated_at: null, revoked_at: null });
  const out: TokenResponse = { access_token: access, token_type: 'Bearer', expires_in: accessSeconds, scope };

  if (r.refresh) {
    const value = REFRESH_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const refreshSeconds = r.client.refreshTokenTtlSeconds ?? ctx.lifetimes.refreshTokenSeconds;
    await insertOAuthToken(q, { jti: randomUUID(), kind: 'refresh', client_id: r.client.id, subject: r.holder.subject, audience: r.audience, scope, family_id: familyId, token_sha256: sha256Hex(value), info, created_at: nowMs, expires_at: nowMs + refreshSeconds * 1000, rotated_at: null, revoked_at: null });
    out.refresh_token = value;
  }
  if (r.scopes.includes('openid') && r.holder.username !== undefined) {
    const h = r.holder;
    const id = new SignJWT({
      ...(r.nonce === undefined ? {} : { nonce: r.nonce }),
      ...(h.authTime === undefined ? {} : { auth_time: h.authTime }),
      ...(r.scopes.includes('profile') ? { preferred_username: h.username, ...(h.displayName === undefined ? {} : { name: h.displayName }) } : {}),
      ...(r.scopes.includes('email') && h.email !== undefined ? { email: h.email } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer(ctx.issuer())
      .setSubject(h.subject)
      .setAudience(r.client.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ctx.lifetimes.idTokenSeconds);
    out.id_token = await id.sign(key.key);
  }
  return out;
}

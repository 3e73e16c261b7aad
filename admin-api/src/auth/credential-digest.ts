/**
 * Secrets the admin API hands out — session ids, CSRF tokens, personal access tokens — and the
 * digests it stores instead of them. A stolen database gives no usable credential.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of personal access tokens, so secret scanners and people recognise them. */
export const PAT_PREFIX = 'agc_pat_';

/** Hex SHA-256: how session ids, CSRF tokens and tokens are stored. High-entropy secrets need no salt or stretching. */
export const sha256Hex = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** A new session id: 32 random bytes, base64url. */
export const newSessionId = (): string => randomBytes(32).toString('base64url');

/** A new personal access token: `agc_pat_` + 32 random bytes, base64url. */
export const newPersonalAccessToken = (): string => PAT_PREFIX + randomBytes(32).toString('base64url');

/**
 * The CSRF token of a session: HMAC-SHA256 keyed with the session id (the secret only the cookie
 * holds) over a fixed label. It can be derived again from the cookie (GET /api/v1/session returns it
 * after a page reload) and needs no server-wide secret shared by the replicas; only its SHA-256 is stored.
 */
export const csrfTokenFor = (sessionId: string): string => createHmac('sha256', sessionId).update('agentcore-admin csrf v1').digest('base64url');

/** Constant-time equality of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

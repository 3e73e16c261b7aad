/**
 * PKCE (RFC 7636) as RFC 9700 §2.1.1 requires it: S256 only. The SHA-256 comes in as a parameter
 * so this stays pure (the admin API passes node:crypto, a browser would pass SubtleCrypto's result).
 */

const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

/** Why a code_challenge in an authorization request is refused, or undefined when it is fine. */
export function pkceChallengeProblem(challenge: string | undefined, method: string | undefined): string | undefined {
  if (challenge === undefined || challenge === '') return 'code_challenge is required (PKCE, RFC 7636)';
  if (method === undefined || method === '') return 'code_challenge_method is required and must be S256';
  if (method !== 'S256') return 'code_challenge_method must be S256; plain is not allowed';
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return 'code_challenge must be the base64url SHA-256 of the verifier (43 characters)';
  return undefined;
}

/** The result of checking a token request's code_verifier against the stored challenge. */
export type PkceCheck = { ok: true } | { ok: false; reason: 'MISSING_VERIFIER' | 'MALFORMED_VERIFIER' | 'MISMATCH' };

/**
 * Checks `verifier` against an S256 `challenge`. A code issued with a challenge must be redeemed with a
 * verifier (no downgrade); `s256` returns base64url(SHA-256(ascii(verifier))).
 */
export function checkPkceVerifier(challenge: string, verifier: string | undefined, s256: (verifier: string) => string): PkceCheck {
  if (verifier === undefined || verifier === '') return { ok: false, reason: 'MISSING_VERIFIER' };
  if (!PKCE_VALUE.test(verifier)) return { ok: false, reason: 'MALFORMED_VERIFIER' };
  const computed = s256(verifier);
  if (computed.length !== challenge.length) return { ok: false, reason: 'MISMATCH' };
  let diff = 0;
  for (let i = 0; i < computed.length; i++) diff |= computed.charCodeAt(i) ^ challenge.charCodeAt(i);
  return diff === 0 ? { ok: true } : { ok: false, reason: 'MISMATCH' };
}

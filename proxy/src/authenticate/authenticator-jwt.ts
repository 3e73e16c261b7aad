/**
 * JWT authenticator (RFC 7519, RFC 8725 best practices): jose `jwtVerify` against the key set of
 * the issuer named by the token's `iss`, with an LRU cache of already-verified tokens so that a
 * repeated token costs a Map lookup instead of a signature check.
 */
import { decodeJwt, errors, jwtVerify } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JwtIssuer } from '@agentcore/policies';
import type { AuthenticatedPrincipal } from './principal.js';
import type { CredentialCheck, CredentialDenial } from './authenticator.js';
import { compileClaimPath, readClaimList, readClaimString } from './claims.js';
import type { ClaimPath } from './claims.js';
import { ProxyError } from '../errors.js';
import { inlineKeys, JwksUnavailableError, remoteKeys } from './jwt-key-sets.js';

/** Build-time options of the JWT authenticator. */
export interface JwtAuthenticatorOptions {
  /** fetch used for remote JWKS (default: global fetch) */
  fetch?: typeof fetch;
  /** after a fetch, an unknown `kid` does not trigger another JWKS fetch for this long (default 30 s, jose's default) */
  jwksCooldownMs?: number;
  /** a fetched JWKS is refreshed when older than this (default 10 min) */
  jwksCacheMaxAgeMs?: number;
  /** JWKS fetch timeout (default 5 s) */
  jwksTimeoutMs?: number;
  /** verified tokens kept at most (default 10,000) */
  verifiedTokenCacheMax?: number;
  /** `jti`s of tokens revoked at the control plane (the bundle's `revokedTokens`, a Set built once per bundle) */
  revokedJtis?: ReadonlySet<string>;
}

/** Verifies bearer JWTs; sync on a verified-token cache hit or an unknown issuer, a Promise otherwise. */
export interface JwtAuthenticator {
  authenticate(token: string, now: number): CredentialCheck | Promise<CredentialCheck>;
  /** Drops cached tokens and keys. */
  close(): void;
}

interface IssuerVerifier {
  readonly id: string;
  readonly getKey: JWTVerifyGetKey<CryptoKey>;
  readonly options: JWTVerifyOptions;
  readonly toleranceSeconds: number;
  readonly maxTokenAgeSeconds: number;
  readonly maxLifetimeSeconds: number;
  readonly subject: ClaimPath;
  readonly roles: ClaimPath;
  readonly scopes: ClaimPath;
}

interface VerifiedToken {
  readonly accepted: CredentialCheck;
  /** ms since epoch: the cache hit is refused from this instant on (exp + clock tolerance, or max token age) */
  readonly validUntil: number;
}

const DEFAULT_CACHE_MAX = 10_000;
/** Bounds the cache by bytes too: tokens are up to a header's size each. */
const CACHE_MAX_BYTES = 64 * 1024 * 1024;
const ENTRY_OVERHEAD_BYTES = 512;

function denial(reason: CredentialDenial['reason'], message: string): CredentialDenial {
  return { ok: false, reason, message };
}

const NOT_A_JWT = Object.freeze(denial('INVALID_TOKEN', 'the bearer token is not a well-formed JWT'));
const UNKNOWN_ISSUER = Object.freeze(denial('UNKNOWN_ISSUER', 'the token issuer is not trusted'));
const EXPIRED = Object.freeze(denial('TOKEN_EXPIRED', 'the token has expired'));
const REVOKED = Object.freeze(denial('TOKEN_REVOKED', 'the token has been revoked'));

/** Maps a jose (or key set) error to a denial; the jose message is not exposed (it may quote claim names only, but stays internal). */
export function denialForJwtError(err: unknown): CredentialDenial {
  if (err instanceof JwksUnavailableError || (err instanceof errors.JOSEError && err.code === 'ERR_JWKS_TIMEOUT')) {
    return denial('JWKS_UNAVAILABLE', 'the signing keys of the token issuer could not be fetched; retry later');
  }
  if (err instanceof errors.JWTExpired) {
    return denial('TOKEN_EXPIRED', err.claim === 'iat' ? 'the token is older than the issuer allows' : 'the token has expired');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return denial('INVALID_AUDIENCE', 'the token audience is not accepted here');
    if ((err.claim === 'nbf' || err.claim === 'iat') && err.reason === 'check_failed') return denial('TOKEN_NOT_YET_VALID', 'the token is not valid yet');
    if (err.reason === 'missing') return denial('INVALID_TOKEN', `the token lacks the required ${err.claim.replace(/[^A-Za-z0-9_]/g, '')} claim`);
    return denial('INVALID_TOKEN', 'a token claim is invalid');
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return denial('INVALID_TOKEN', 'the token signing algorithm is not accepted');
  if (err instanceof errors.JWSSignatureVerificationFailed) return denial('INVALID_TOKEN', 'the token signature is invalid');
  if (err instanceof errors.JWKSNoMatchingKey) return denial('INVALID_TOKEN', 'no signing key of the issuer matches the token');
  return denial('INVALID_TOKEN', 'the token is invalid');
}

/** One issuer's verifier: its keys (inline, imported now; or remote, warmed up after all are built) and options. */
async function issuerVerifier(issuer: JwtIssuer, options: JwtAuthenticatorOptions, warmUps: (() => void)[]): Promise<IssuerVerifier> {
  let getKey: JWTVerifyGetKey<CryptoKey>;
  if (issuer.jwks !== undefined) {
    getKey = await inlineKeys(issuer, issuer.jwks as unknown as JSONWebKeySet);
  } else if (issuer.jwksUri !== undefined) {
    const remote = remoteKeys(issuer, issuer.jwksUri, options);
    getKey = remote.getKey;
    warmUps.push(remote.warmUp);
  } else {
    throw new ProxyError('PROXY_CONFIG_INVALID', `JWT issuer "${issuer.id}": give jwksUri or jwks`);
  }
  return {
    id: issuer.id,
    getKey,
    options: {
      issuer: issuer.issuer,
      audience: [...issuer.audiences],
      algorithms: [...issuer.algorithms],
      clockTolerance: issuer.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
      ...(issuer.tokenType === undefined ? {} : { typ: issuer.tokenType }),
      ...(issuer.maxTokenAgeSeconds > 0 ? { maxTokenAge: issuer.maxTokenAgeSeconds } : {}),
      ...(issuer.typ !== undefined ? { typ: issuer.typ } : {}),
    },
    maxLifetimeSeconds: issuer.maxLifetimeSeconds,
    toleranceSeconds: issuer.clockToleranceSeconds,
    maxTokenAgeSeconds: issuer.maxTokenAgeSeconds,
    subject: compileClaimPath(issuer.claims.subject),
    roles: compileClaimPath(issuer.claims.roles),
    scopes: compileClaimPath(issuer.claims.scopes),
  };
}

/**
 * Issue #9: `iat` in the future (beyond the tolerance; jose checks it only with maxTokenAge) and a lifetime over
 * the issuer's `maxLifetimeSeconds` (an absurd `exp`) are refused.
 */
function timingDenial(iat: number | undefined, exp: number, v: IssuerVerifier, now: number): CredentialDenial | undefined {
  const nowS = now / 1000;
  if (typeof iat === 'number' && iat > nowS + v.toleranceSeconds) return denial('TOKEN_NOT_YET_VALID', 'the token was issued in the future');
  if (v.maxLifetimeSeconds > 0 && exp - (typeof iat === 'number' ? iat : nowS) > v.maxLifetimeSeconds + v.toleranceSeconds) {
    return denial('INVALID_TOKEN', 'the token lives longer than the issuer allows');
  }
  return undefined;
}

/** The frozen answer for a verified token: its principal (subject, roles and scopes read as the issuer says). */
function acceptedToken(payload: JWTPayload, v: IssuerVerifier, id: string, exp: number): CredentialCheck {
  const principal: AuthenticatedPrincipal = Object.freeze({
    id,
    roles: Object.freeze(readClaimList(payload, v.roles)),
    scopes: Object.freeze(readClaimList(payload, v.scopes)),
    method: 'jwt' as const,
    credentialId: v.id,
    expiresAt: exp * 1000,
  });
  return Object.freeze({ ok: true as const, principal });
}

/** Builds one verifier per issuer (key sets created and imported once) and the verified-token cache. */
export async function createJwtAuthenticator(issuers: readonly JwtIssuer[], options: JwtAuthenticatorOptions = {}): Promise<JwtAuthenticator> {
  const byIssuer = new Map<string, IssuerVerifier>();
  const warmUps: (() => void)[] = [];
  for (const issuer of issuers) {
    const other = byIssuer.get(issuer.issuer);
    if (other !== undefined) {
      throw new ProxyError('PROXY_CONFIG_INVALID', `JWT issuers "${other.id}" and "${issuer.id}" have the same issuer "${issuer.issuer}": merge them (audiences and keys are lists)`);
    }
    byIssuer.set(issuer.issuer, await issuerVerifier(issuer, options, warmUps));
  }
  for (const warmUp of warmUps) warmUp();

  // Only verified tokens enter the cache, so random tokens cannot fill it; it is bounded by count and bytes anyway.
  const verified = new LRUCache<string, VerifiedToken>({
    max: options.verifiedTokenCacheMax ?? DEFAULT_CACHE_MAX,
    maxSize: CACHE_MAX_BYTES,
    sizeCalculation: (_value, token) => token.length + ENTRY_OVERHEAD_BYTES,
  });
  const revoked = options.revokedJtis !== undefined && options.revokedJtis.size > 0 ? options.revokedJtis : undefined;
  // Concurrent first requests with the same token share one verification.
  const inFlight = new Map<string, Promise<CredentialCheck>>();

  async function verify(v: IssuerVerifier, token: string, now: number): Promise<CredentialCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, v.getKey, { ...v.options, currentDate: new Date(now) }));
    } catch (err) {
      return denialForJwtError(err);
    }
    // Checked before caching: a bundle listing the jti builds a new authenticator (and an empty cache).
    if (revoked !== undefined && typeof payload.jti === 'string' && revoked.has(payload.jti)) return REVOKED;
    const id = readClaimString(payload, v.subject);
    if (id === undefined) return denial('INVALID_TOKEN', 'the token has no subject');
    const exp = payload.exp;
    if (typeof exp !== 'number') return denial('INVALID_TOKEN', 'the token lacks the required exp claim');
    const timing = timingDenial(payload.iat, exp, v, now);
    if (timing) return timing;
    const accepted = acceptedToken(payload, v, id, exp);
    let validUntil = (exp + v.toleranceSeconds) * 1000;
    if (v.maxTokenAgeSeconds > 0 && typeof payload.iat === 'number') {
      validUntil = Math.min(validUntil, (payload.iat + v.maxTokenAgeSeconds + v.toleranceSeconds + 1) * 1000);
    }
    if (now < validUntil) verified.set(token, { accepted, validUntil });
    return accepted;
  }

  return {
    authenticate(token, now) {
      const hit = verified.get(token);
      if (hit !== undefined) {
        if (now < hit.validUntil) return hit.accepted;
        verified.delete(token);
        return EXPIRED;
      }
      let claims: JWTPayload;
      try {
        claims = decodeJwt(token);
      } catch {
        return NOT_A_JWT;
      }
      const v = typeof claims.iss === 'string' ? byIssuer.get(claims.iss) : undefined;
      if (v === undefined) return UNKNOWN_ISSUER;
      const pending = inFlight.get(token);
      if (pending !== undefined) return pending;
      const p = verify(v, token, now).finally(() => inFlight.delete(token));
      inFlight.set(token, p);
      return p;
    },
    close() {
      verified.clear();
      inFlight.clear();
    },
  };
}

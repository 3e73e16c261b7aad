/**
 * OAuth 2.0 Token Introspection authenticator (RFC 7662) for opaque bearer tokens: one POST per
 * token, answers cached (keyed by the token's SHA-256, never the raw token) and concurrent
 * lookups of one token coalesced into one request.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Introspection } from '@agentcore/policies';
import type { AuthenticatedPrincipal } from './principal.js';
import type { CredentialCheck, CredentialDenial } from './authenticator.js';
import { compileClaimPath, readClaimList, readClaimString } from './claims.js';
import type { ClaimPath } from './claims.js';
import { ProxyError } from '../errors.js';

/** Build-time options of the introspection authenticator. */
export interface IntrospectionAuthenticatorOptions {
  /** where `clientSecretEnv` is looked up (default `process.env`) */
  env?: Record<string, string | undefined>;
  /** fetch used for the endpoint (default: global fetch, i.e. undici) */
  fetch?: typeof fetch;
}

/** Checks opaque tokens at one RFC 7662 endpoint; sync on a cache hit, a Promise otherwise. */
export interface IntrospectionAuthenticator {
  readonly id: string;
  authenticate(token: string, now: number): CredentialCheck | Promise<CredentialCheck>;
  /** Aborts requests in flight and drops the cache. */
  close(): void;
}

/** What `processIntrospectionResponse` needs from the configuration, prepared once. */
export interface IntrospectionSettings {
  readonly id: string;
  /** empty = `aud` not checked */
  readonly audiences: readonly string[];
  readonly subject: ClaimPath;
  readonly roles: ClaimPath;
  readonly scopes: ClaimPath;
}

/** How long a negative answer (inactive, expired, wrong audience…) is reused: blunts floods of the same bad token. */
export const NEGATIVE_CACHE_MS = 5_000;
const NEGATIVE_CACHE_MAX = 10_000;

interface CachedAnswer {
  readonly check: CredentialCheck;
  /** ms since epoch */
  readonly validUntil: number;
}

function denial(reason: CredentialDenial['reason'], message: string): CredentialDenial {
  return { ok: false, reason, message };
}

/**
 * `token_type` values of an access token (RFC 6749 §7.1 / RFC 8693 §3); absent is accepted (many servers omit it).
 * Anything else — `refresh_token`, `Refresh`, an ID token — is refused: only access tokens authorise requests.
 */
const ACCESS_TOKEN_TYPES: ReadonlySet<string> = new Set(['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token']);

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * Validates an introspection answer (RFC 7662 §2.2): `active` must be `true`; a `token_type`, when given, must be
 * an access token's (a refresh token is refused even if the server calls it active); `exp`/`nbf` are
 * re-checked against `now`; `aud` must name a configured audience when audiences are configured.
 * The subject is read by the claim mapping; with the default mapping (`sub`) an answer without
 * `sub` falls back to `username` (§2.2 lists both as optional; some servers send only one).
 */
export function processIntrospectionResponse(body: Record<string, unknown>, settings: IntrospectionSettings, now: number): CredentialCheck {
  if (body.active !== true) return denial('TOKEN_INACTIVE', 'the token is not active');
  const type = body.token_type;
  if (type !== undefined && (typeof type !== 'string' || !ACCESS_TOKEN_TYPES.has(type.toLowerCase()))) return denial('INVALID_TOKEN', 'the token is not an access token');
  const exp = body.exp;
  if (exp !== undefined && typeof exp !== 'number') return denial('INVALID_TOKEN', 'the introspection answer has a non-numeric exp');
  if (typeof exp === 'number' && exp * 1000 <= now) return denial('TOKEN_EXPIRED', 'the token has expired');
  if (typeof body.nbf === 'number' && body.nbf * 1000 > now) return denial('TOKEN_NOT_YET_VALID', 'the token is not valid yet');
  if (settings.audiences.length > 0) {
    const aud = body.aud;
    const ok = typeof aud === 'string' ? settings.audiences.includes(aud) : Array.isArray(aud) && aud.some((a) => typeof a === 'string' && settings.audiences.includes(a));
    if (!ok) return denial('INVALID_AUDIENCE', 'the token audience is not accepted here');
  }
  const id = readClaimString(body, settings.subject) ?? (settings.subject.path === 'sub' ? readClaimString(body, 'username') : undefined);
  if (id === undefined) return denial('INVALID_TOKEN', 'the introspection answer names no subject');
  const principal: AuthenticatedPrincipal = Object.freeze({
    id,
    roles: Object.freeze(readClaimList(body, settings.roles)),
    scopes: Object.freeze(readClaimList(body, settings.scopes)),
    method: 'introspection' as const,
    credentialId: settings.id,
    ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}),
  });
  return Object.freeze({ ok: true as const, principal });
}

/** The request headers of the endpoint's client; throws `PROXY_CONFIG_INVALID` when the secret variable is not set. */
function clientHeaders(config: Introspection, env: Record<string, string | undefined>): Record<string, string> {
  const secret = env[config.clientSecretEnv];
  if (secret === undefined || secret === '') {
    throw new ProxyError(
      'PROXY_CONFIG_INVALID',
      `introspection "${config.id}": environment variable ${config.clientSecretEnv} is not set; set it to the client secret of client "${config.clientId}"`,
    );
  }
  // RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding.
  return {
    authorization: `Basic ${Buffer.from(`${formEncode(config.clientId)}:${formEncode(secret)}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
}

/** Builds the authenticator; throws `PROXY_CONFIG_INVALID` when the client secret variable is not set. */
export function createIntrospectionAuthenticator(config: Introspection, options: IntrospectionAuthenticatorOptions = {}): IntrospectionAuthenticator {
  const headers = clientHeaders(config, options.env ?? process.env);
  const fetchImpl = options.fetch ?? fetch;
  const settings: IntrospectionSettings = {
    id: config.id,
    audiences: config.audiences ?? [],
    subject: compileClaimPath(config.claims.subject),
    roles: compileClaimPath(config.claims.roles),
    scopes: compileClaimPath(config.claims.scopes),
  };
  const ttlMs = config.cacheTtlSeconds * 1000;
  const positive = new LRUCache<string, CachedAnswer>({ max: config.cacheMaxEntries });
  const negative = new LRUCache<string, CachedAnswer>({ max: Math.min(config.cacheMaxEntries, NEGATIVE_CACHE_MAX) });
  const inFlight = new Map<string, Promise<CredentialCheck>>();
  const closing = new AbortController();

  async function introspect(token: string, key: string, now: number): Promise<CredentialCheck> {
    let body: unknown;
    try {
      const res = await fetchImpl(config.endpoint, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        redirect: 'manual',
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(config.timeoutMs)]),
      });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        return denial('INTROSPECTION_UNAVAILABLE', 'the token introspection endpoint failed; retry later');
      }
      body = await res.json();
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      return denial('INTROSPECTION_UNAVAILABLE', timedOut ? 'the token introspection endpoint timed out; retry later' : 'the token introspection endpoint failed; retry later');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return denial('INTROSPECTION_UNAVAILABLE', 'the token introspection endpoint gave an invalid answer; retry later');
    }
    const check = processIntrospectionResponse(body as Record<string, unknown>, settings, now);
    if (check.ok) {
      const expiresAt = check.principal.expiresAt ?? Number.POSITIVE_INFINITY;
      const validUntil = Math.min(now + ttlMs, expiresAt);
      if (validUntil > now) positive.set(key, { check, validUntil });
    } else {
      negative.set(key, { check, validUntil: now + NEGATIVE_CACHE_MS });
    }
    return check;
  }

  return {
    id: config.id,
    authenticate(token, now) {
      const key = createHash('sha256').update(token, 'utf8').digest('base64');
      const hit = positive.get(key) ?? negative.get(key);
      if (hit !== undefined) {
        if (now < hit.validUntil) return hit.check;
        positive.delete(key);
        negative.delete(key);
      }
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const p = introspect(token, key, now).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
      return p;
    },
    close() {
      closing.abort();
      positive.clear();
      negative.clear();
      inFlight.clear();
    },
  };
}

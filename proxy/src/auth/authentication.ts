/**
 * The authenticate stage: extracts the presented credential, hands it to the one authenticator
 * that can judge it (JWT, API key, introspection), and turns a denial into an `AuthOutcome` with
 * its `WWW-Authenticate` challenge (RFC 6750 §3) in this one place.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthMethod, PolicyBundle } from '@agentcore/policies';
import type { AuthenticatedPrincipal, AuthFailureReason, AuthOutcome } from './principal.js';
import { extractCredential } from './credentials.js';
import { createApiKeyAuthenticator } from './authenticator-api-key.js';
import type { ApiKeyAuthenticator } from './authenticator-api-key.js';
import { createJwtAuthenticator } from './authenticator-jwt.js';
import type { JwtAuthenticator } from './authenticator-jwt.js';
import { createIntrospectionAuthenticator } from './authenticator-introspection.js';
import type { IntrospectionAuthenticator } from './authenticator-introspection.js';

/** An authenticator's denial, before the stage adds status and challenge. */
export interface CredentialDenial {
  ok: false;
  reason: AuthFailureReason;
  /** guidance for the client; never echoes the credential */
  message: string;
}

/** What an authenticator answers; the success shape is also a valid `AuthOutcome` and is passed through as is. */
export type CredentialCheck = { ok: true; principal: AuthenticatedPrincipal } | CredentialDenial;

/** The authenticate stage of one bundle. */
export interface AuthenticationStage {
  /** `accepted` = route.auth.methods (undefined = every configured method). Sync when the answer is cached/local, a Promise otherwise. */
  authenticate(headers: IncomingHttpHeaders, accepted: readonly AuthMethod[] | undefined, now: number, extraToken?: string): AuthOutcome | Promise<AuthOutcome>;
  /** Drops caches and aborts introspection requests in flight. */
  close(): void;
}

/** Build-time options; everything else comes from the bundle. */
export interface AuthenticationStageOptions {
  /** where introspection `clientSecretEnv` variables are read (default `process.env`) */
  env?: Record<string, string | undefined>;
  /** fetch for JWKS and introspection (default: global fetch) */
  fetch?: typeof fetch;
  /** minimum time between two JWKS fetches triggered by an unknown `kid` (default 30 s) */
  jwksCooldownMs?: number;
  /** JWKS fetch timeout (default 5 s) */
  jwksTimeoutMs?: number;
  /** verified JWTs cached at most (default 10,000) */
  verifiedTokenCacheMax?: number;
}

const BEARER = 'Bearer realm="agentcore"';
const API_KEY = 'ApiKey realm="agentcore"';
const QUOTED_SPECIALS = /["\\]/g;

function quoted(text: string): string {
  return `"${text.replace(QUOTED_SPECIALS, '\\$&')}"`;
}

function isUnavailable(reason: AuthFailureReason): boolean {
  return reason === 'JWKS_UNAVAILABLE' || reason === 'INTROSPECTION_UNAVAILABLE';
}

/** Challenges naming the methods a route accepts: Bearer first, then ApiKey; Bearer alone if none is usable. */
function challenges(bearer: boolean, apiKey: boolean, bearerParams = ''): string {
  if (apiKey && !bearer) return API_KEY;
  return apiKey ? `${BEARER}${bearerParams}, ${API_KEY}` : `${BEARER}${bearerParams}`;
}

function outcome(reason: AuthFailureReason, message: string, wwwAuthenticate: string): AuthOutcome {
  return { ok: false, reason, message, wwwAuthenticate, status: isUnavailable(reason) ? 503 : 401 };
}

/** Turns a bearer token denial into an outcome: RFC 6750 §3.1 `invalid_token`, no error code for our own outages. */
function bearerOutcome(check: CredentialCheck): AuthOutcome {
  if (check.ok) return check;
  if (isUnavailable(check.reason)) return outcome(check.reason, check.message, BEARER);
  return outcome(check.reason, check.message, `${BEARER}, error="invalid_token", error_description=${quoted(check.message)}`);
}

function apiKeyOutcome(check: CredentialCheck): AuthOutcome {
  return check.ok ? check : outcome(check.reason, check.message, API_KEY);
}

/** An unavailable endpoint outranks a denial: the token might be active there. */
function worse(a: CredentialDenial | undefined, b: CredentialDenial): CredentialDenial {
  return a === undefined || (b.reason === 'INTROSPECTION_UNAVAILABLE' && a.reason !== 'INTROSPECTION_UNAVAILABLE') ? b : a;
}

/** Asks the endpoints in order; the first `active` answer wins. */
function introspectFrom(authenticators: readonly IntrospectionAuthenticator[], i: number, token: string, now: number, failure?: CredentialDenial): CredentialCheck | Promise<CredentialCheck> {
  for (; i < authenticators.length; i++) {
    const a = authenticators[i];
    if (a === undefined) break;
    const r = a.authenticate(token, now);
    if (r instanceof Promise) {
      const next = i + 1;
      const sofar = failure;
      return r.then((c) => (c.ok ? c : introspectFrom(authenticators, next, token, now, worse(sofar, c))));
    }
    if (r.ok) return r;
    failure = worse(failure, r);
  }
  return failure ?? { ok: false, reason: 'INTROSPECTION_UNAVAILABLE', message: 'no token introspection endpoint is configured' };
}

/**
 * Builds the stage once per bundle: keys imported, API key hashes mapped, introspection client
 * secrets read from the environment. Throws `PROXY_CONFIG_INVALID` (a `ProxyError`) when the
 * configuration cannot work (missing secret, unusable JWKS, duplicate issuer or key hash).
 */
export async function createAuthenticationStage(auth: PolicyBundle['authentication'], options: AuthenticationStageOptions = {}): Promise<AuthenticationStage> {
  const apiKeys: ApiKeyAuthenticator | undefined = auth.apiKeys.length > 0 ? createApiKeyAuthenticator(auth.apiKeys) : undefined;
  const introspection = auth.introspection.map((config) => createIntrospectionAuthenticator(config, { ...(options.env === undefined ? {} : { env: options.env }), ...(options.fetch === undefined ? {} : { fetch: options.fetch }) }));
  const jwt: JwtAuthenticator | undefined =
    auth.jwt.length > 0
      ? await createJwtAuthenticator(auth.jwt, {
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          ...(options.jwksCooldownMs === undefined ? {} : { jwksCooldownMs: options.jwksCooldownMs }),
          ...(options.jwksTimeoutMs === undefined ? {} : { jwksTimeoutMs: options.jwksTimeoutMs }),
          ...(options.verifiedTokenCacheMax === undefined ? {} : { verifiedTokenCacheMax: options.verifiedTokenCacheMax }),
          revokedJtis: new Set(auth.revokedTokens.map((t) => t.jti)),
        })
      : undefined;

  function introspect(token: string, now: number): AuthOutcome | Promise<AuthOutcome> {
    const r = introspectFrom(introspection, 0, token, now);
    return r instanceof Promise ? r.then(bearerOutcome) : bearerOutcome(r);
  }

  return {
    authenticate(headers, accepted, now, extraToken) {
      const credential = extractCredential(headers, extraToken);
      const jwtOk = jwt !== undefined && (accepted === undefined || accepted.includes('jwt'));
      const introspectionOk = introspection.length > 0 && (accepted === undefined || accepted.includes('introspection'));
      const apiKeyOk = apiKeys !== undefined && (accepted === undefined || accepted.includes('api-key'));
      const bearerOk = jwtOk || introspectionOk;

      switch (credential.type) {
        case 'none':
          return outcome('NO_CREDENTIALS', 'this route needs credentials', challenges(bearerOk, apiKeyOk));
        case 'malformed':
          return outcome('MALFORMED_CREDENTIALS', credential.message, challenges(bearerOk, apiKeyOk, `, error="invalid_request", error_description=${quoted(credential.message)}`));
        case 'api-key':
          if (!apiKeyOk || apiKeys === undefined) return outcome('METHOD_NOT_ACCEPTED', 'API keys are not accepted on this route', challenges(bearerOk, false));
          return apiKeyOutcome(apiKeys.authenticate(credential.key, now));
        case 'bearer': {
          const token = credential.token;
          if (credential.looksLikeJwt && jwtOk && jwt !== undefined) {
            const r = jwt.authenticate(token, now);
            // A JWT from an issuer we do not know is "not mine": the introspection endpoint may know it.
            const after = (c: CredentialCheck): AuthOutcome | Promise<AuthOutcome> =>
              !c.ok && c.reason === 'UNKNOWN_ISSUER' && introspectionOk ? introspect(token, now) : bearerOutcome(c);
            return r instanceof Promise ? r.then(after) : after(r);
          }
          if (introspectionOk) return introspect(token, now);
          if (jwtOk) return bearerOutcome({ ok: false, reason: 'INVALID_TOKEN', message: 'the bearer token is not a JWT' });
          return outcome('METHOD_NOT_ACCEPTED', 'bearer tokens are not accepted on this route', challenges(false, apiKeyOk));
        }
      }
    },
    close() {
      jwt?.close();
      for (const a of introspection) a.close();
    },
  };
}

/**
 * The authentication of one bundle: extracts the presented credential, asks the authenticators of its scheme that
 * the route accepts (picked by method id, `authenticators.ts`), and turns a denial into an `AuthOutcome` with its
 * `WWW-Authenticate` challenge (RFC 6750 §3) in this one place.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthMethod, PolicyBundle } from '@agentcore/policies';
import type { Authenticator, CredentialCheck, CredentialDenial, Pass } from './authenticator.js';
import { buildAuthenticators, type AuthenticationStageOptions } from './authenticators.js';
import { extractCredential } from './credentials.js';
import type { AuthFailureReason, AuthOutcome } from './principal.js';

export type { CredentialCheck, CredentialDenial } from './authenticator.js';
export type { AuthenticationStageOptions } from './authenticators.js';

/** The authentication of one bundle. */
export interface AuthenticationStage {
  /** `accepted` = route.auth.methods (undefined = every configured method). Sync when the answer is cached/local, a Promise otherwise. */
  authenticate(headers: IncomingHttpHeaders, accepted: readonly AuthMethod[] | undefined, now: number, extraToken?: string): AuthOutcome | Promise<AuthOutcome>;
  /** Drops caches and aborts introspection requests in flight. */
  close(): void;
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

/** Turns a denial into an outcome: RFC 6750 §3.1 `invalid_token` for bearer tokens, no error code for our own outages. */
function settle(scheme: Authenticator['scheme'], check: CredentialCheck): AuthOutcome {
  if (check.ok) return check;
  if (scheme === 'api-key') return outcome(check.reason, check.message, API_KEY);
  if (isUnavailable(check.reason)) return outcome(check.reason, check.message, BEARER);
  return outcome(check.reason, check.message, `${BEARER}, error="invalid_token", error_description=${quoted(check.message)}`);
}

/** Asks the authenticators in order: the first that claims the credential decides; "not mine" passes it on. */
function ask(list: readonly Authenticator[], i: number, credential: string, now: number, looksLikeJwt: boolean, last?: CredentialDenial): CredentialCheck | Promise<CredentialCheck> {
  if (i >= list.length) return last!;
  const r = list[i]!.judge(credential, now, looksLikeJwt);
  const next = (v: CredentialCheck | Pass): CredentialCheck | Promise<CredentialCheck> => ('pass' in v ? ask(list, i + 1, credential, now, looksLikeJwt, v.pass) : v);
  return r instanceof Promise ? r.then(next) : next(r);
}

/**
 * Builds the authentication once per bundle: keys imported, API key hashes mapped, introspection client secrets
 * read from the environment. Throws `PROXY_CONFIG_INVALID` (a `ProxyError`) when the configuration cannot work
 * (missing secret, unusable JWKS, duplicate issuer or key hash).
 */
export async function createAuthenticationStage(auth: PolicyBundle['authentication'], options: AuthenticationStageOptions = {}): Promise<AuthenticationStage> {
  const all = await buildAuthenticators(auth, options);
  return {
    authenticate(headers, accepted, now, extraToken) {
      const credential = extractCredential(headers, extraToken);
      const usable = accepted === undefined ? all : all.filter((a) => accepted.includes(a.method));
      const bearerOk = usable.some((a) => a.scheme === 'bearer');
      const apiKeyOk = usable.some((a) => a.scheme === 'api-key');
      if (credential.type === 'none') return outcome('NO_CREDENTIALS', 'this route needs credentials', challenges(bearerOk, apiKeyOk));
      if (credential.type === 'malformed') {
        return outcome('MALFORMED_CREDENTIALS', credential.message, challenges(bearerOk, apiKeyOk, `, error="invalid_request", error_description=${quoted(credential.message)}`));
      }
      const scheme = credential.type;
      const candidates = usable.filter((a) => a.scheme === scheme);
      if (candidates.length === 0) {
        return scheme === 'api-key'
          ? outcome('METHOD_NOT_ACCEPTED', 'API keys are not accepted on this route', challenges(bearerOk, false))
          : outcome('METHOD_NOT_ACCEPTED', 'bearer tokens are not accepted on this route', challenges(false, apiKeyOk));
      }
      const [value, looksLikeJwt] = credential.type === 'api-key' ? [credential.key, false] : [credential.token, credential.looksLikeJwt];
      const r = ask(candidates, 0, value, now, looksLikeJwt);
      return r instanceof Promise ? r.then((c) => settle(scheme, c)) : settle(scheme, r);
    },
    close() {
      for (const a of all) a.close();
    },
  };
}

/**
 * The authentication methods, by the bundle's id: how each is built from the bundle's `authentication` section.
 * The order of this table is the order in which authenticators of the same scheme are asked (a JWT first, then
 * introspection for a token no configured issuer signed).
 */
import type { AuthMethod, PolicyBundle } from '@agentcore/policies';
import { createApiKeyAuthenticator } from './authenticator-api-key.js';
import { createIntrospectionAuthenticator, type IntrospectionAuthenticator } from './authenticator-introspection.js';
import { createJwtAuthenticator } from './authenticator-jwt.js';
import type { Authenticator, CredentialCheck, CredentialDenial, Pass } from './authenticator.js';

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

type Section = PolicyBundle['authentication'];
type Builder = (auth: Section, o: AuthenticationStageOptions) => Authenticator | undefined | Promise<Authenticator | undefined>;

const NOT_A_JWT: Pass = { pass: { ok: false, reason: 'INVALID_TOKEN', message: 'the bearer token is not a JWT' } };

/** Drops undefined options (exactOptionalPropertyTypes). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

async function jwt(auth: Section, o: AuthenticationStageOptions): Promise<Authenticator | undefined> {
  if (auth.jwt.length === 0) return undefined;
  // The revoked jtis become a Set once per bundle: one lookup per verification, none per cache hit.
  const revokedJtis = auth.revokedTokens.length > 0 ? new Set(auth.revokedTokens.map((t) => t.jti)) : undefined;
  const a = await createJwtAuthenticator(
    auth.jwt,
    defined({ fetch: o.fetch, jwksCooldownMs: o.jwksCooldownMs, jwksTimeoutMs: o.jwksTimeoutMs, verifiedTokenCacheMax: o.verifiedTokenCacheMax, revokedJtis }),
  );
  // A JWT from an issuer we do not know is "not mine": the introspection endpoint may know it.
  const mine = (c: CredentialCheck): CredentialCheck | Pass => (!c.ok && c.reason === 'UNKNOWN_ISSUER' ? { pass: c } : c);
  return {
    method: 'jwt',
    scheme: 'bearer',
    judge(token, now, looksLikeJwt) {
      if (!looksLikeJwt) return NOT_A_JWT;
      const r = a.authenticate(token, now);
      return r instanceof Promise ? r.then(mine) : mine(r);
    },
    close: () => a.close(),
  };
}

/** An unavailable endpoint outranks a denial: the token might be active there. */
function worse(a: CredentialDenial | undefined, b: CredentialDenial): CredentialDenial {
  return a === undefined || (b.reason === 'INTROSPECTION_UNAVAILABLE' && a.reason !== 'INTROSPECTION_UNAVAILABLE') ? b : a;
}

/** Asks the endpoints in order; the first `active` answer wins. */
function introspectFrom(endpoints: readonly IntrospectionAuthenticator[], i: number, token: string, now: number, failure?: CredentialDenial): CredentialCheck | Promise<CredentialCheck> {
  for (; i < endpoints.length; i++) {
    const r = endpoints[i]!.authenticate(token, now);
    if (r instanceof Promise) {
      const next = i + 1;
      const sofar = failure;
      return r.then((c) => (c.ok ? c : introspectFrom(endpoints, next, token, now, worse(sofar, c))));
    }
    if (r.ok) return r;
    failure = worse(failure, r);
  }
  return failure ?? { ok: false, reason: 'INTROSPECTION_UNAVAILABLE', message: 'no token introspection endpoint is configured' };
}

function introspection(auth: Section, o: AuthenticationStageOptions): Authenticator | undefined {
  if (auth.introspection.length === 0) return undefined;
  const endpoints = auth.introspection.map((config) => createIntrospectionAuthenticator(config, defined({ env: o.env, fetch: o.fetch })));
  return {
    method: 'introspection',
    scheme: 'bearer',
    judge: (token, now) => introspectFrom(endpoints, 0, token, now),
    close: () => endpoints.forEach((e) => e.close()),
  };
}

function apiKey(auth: Section): Authenticator | undefined {
  if (auth.apiKeys.length === 0) return undefined;
  const a = createApiKeyAuthenticator(auth.apiKeys);
  return { method: 'api-key', scheme: 'api-key', judge: (key, now) => a.authenticate(key, now), close: () => undefined };
}

/** Method id → builder, in the order authenticators of one scheme are asked. */
export const AUTHENTICATOR_BUILDERS: Readonly<Record<AuthMethod, Builder>> = { jwt, introspection, 'api-key': apiKey };

/** Build order: the cheap synchronous checks (missing secrets) fail before keys are imported. */
const BUILD_ORDER: readonly AuthMethod[] = ['api-key', 'introspection', 'jwt'];

/** Builds the authenticators the bundle configures, returned in table (asking) order. */
export async function buildAuthenticators(auth: Section, o: AuthenticationStageOptions): Promise<Authenticator[]> {
  const built = new Map<AuthMethod, Authenticator | undefined>();
  for (const m of BUILD_ORDER) built.set(m, await AUTHENTICATOR_BUILDERS[m](auth, o));
  return (Object.keys(AUTHENTICATOR_BUILDERS) as AuthMethod[]).flatMap((m) => built.get(m) ?? []);
}

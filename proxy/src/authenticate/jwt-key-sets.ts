/**
 * The key sets JWT issuers are verified with: a remote JWKS (fetched, cached, used stale while its endpoint is down)
 * or an inline one (imported once).
 */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters, JWTVerifyGetKey, RemoteJWKSetOptions } from 'jose';
import type { JwtIssuer } from '@agentcore/policies';
import { ProxyError } from '../errors.js';

/** How remote key sets are fetched (a subset of the JWT authenticator's options). */
export interface RemoteKeyOptions {
  fetch?: typeof fetch;
  jwksCooldownMs?: number;
  jwksCacheMaxAgeMs?: number;
  jwksTimeoutMs?: number;
}

/** Thrown by a remote key set's wrapper when the JWKS endpoint could not answer (timeout, network, non-200, bad JSON). */
export class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super('JWKS unavailable', { cause });
    this.name = 'JwksUnavailableError';
  }
}

/** jose codes thrown by a key set that describe the token, not the JWKS endpoint. */
const TOKEN_KEY_ERRORS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED', 'ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JWK_INVALID']);

/**
 * Wraps a remote key set: endpoint failures become `JwksUnavailableError`; if keys were fetched
 * before, they are still used while the endpoint is down (stale-if-error), because jose itself
 * refuses every token once `cacheMaxAge` has passed and a refresh fails.
 */
export function remoteKeys(issuer: JwtIssuer, url: string, options: RemoteKeyOptions): { getKey: JWTVerifyGetKey<CryptoKey>; warmUp: () => void } {
  const remoteOptions: RemoteJWKSetOptions = {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  };
  if (options.fetch !== undefined) remoteOptions[customFetch] = options.fetch;
  let remote: ReturnType<typeof createRemoteJWKSet>;
  try {
    remote = createRemoteJWKSet(new URL(url), remoteOptions);
  } catch (cause) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `JWT issuer "${issuer.id}": cannot use jwksUri: ${(cause as Error).message}`, { cause });
  }
  let stale: ReturnType<typeof createLocalJWKSet> | undefined;
  const getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    try {
      const key = await remote(header, token);
      stale = undefined;
      return key;
    } catch (err) {
      if (err instanceof errors.JOSEError && TOKEN_KEY_ERRORS.has(err.code)) throw err;
      const snapshot = remote.jwks();
      if (snapshot === undefined) throw new JwksUnavailableError(err);
      stale ??= createLocalJWKSet(snapshot);
      try {
        return await stale(header, token);
      } catch (staleErr) {
        if (staleErr instanceof errors.JWKSNoMatchingKey) throw new JwksUnavailableError(err);
        throw staleErr;
      }
    }
  };
  // Fetch the keys now so the first request does not wait; a failure is retried on first use.
  return { getKey, warmUp: () => void remote.reload().catch(() => undefined) };
}

/** Imports an inline JWKS once (jose keeps imported CryptoKeys per key and alg); fails if no key fits the allowed algorithms. */
export async function inlineKeys(issuer: JwtIssuer, jwks: JSONWebKeySet): Promise<JWTVerifyGetKey<CryptoKey>> {
  let local: ReturnType<typeof createLocalJWKSet>;
  try {
    local = createLocalJWKSet(jwks);
  } catch (cause) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `JWT issuer "${issuer.id}": the inline jwks is not a valid JWK Set`, { cause });
  }
  let usable = 0;
  for (const jwk of jwks.keys) {
    for (const alg of issuer.algorithms) {
      try {
        await local({ alg, ...(jwk.kid === undefined ? {} : { kid: jwk.kid }) });
        usable++;
      } catch (err) {
        if (err instanceof errors.JWKSMultipleMatchingKeys) usable++;
      }
    }
  }
  if (usable === 0) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `JWT issuer "${issuer.id}": no key of its jwks can verify any of the algorithms ${issuer.algorithms.join(', ')}`);
  }
  return local;
}

/**
 * The keys that verify bundle signatures in synced mode: a pinned JWK/JWKS file, or a JWKS URL. With a URL, the
 * fetched key set is kept in the cache dir beside the bundle (`persist`) and used when the URL cannot be reached —
 * so a sidecar restarting while the control plane is down can still verify its cached bundle.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { ProxyConfig } from '../config.js';
import { ProxyError } from '../errors.js';

/** The verification keys and how to keep the last fetched key set for the next start. */
export interface SigningKeys {
  keys: JWTVerifyGetKey;
  /** writes the key set last fetched from the URL to the cache dir (no-op for a pinned key file) */
  persist(): void;
}

/** Keys from a JWKS URL, with the cached copy as a fallback when the URL is unreachable. */
function remoteKeys(url: string, cacheDir: string, service: string): SigningKeys {
  const remote = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  const file = join(cacheDir, `${service}.signing-keys.json`);
  let fallback: JWTVerifyGetKey | undefined;
  try {
    fallback = createLocalJWKSet(JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet);
  } catch {
    fallback = undefined;
  }
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (e) {
      const code = (e as { code?: string }).code;
      // Only when the URL is unreachable; an unknown key stays an unknown key.
      if (!fallback || code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw e;
      return fallback(header, token);
    }
  };
  const persist = (): void => {
    const jwks = remote.jwks();
    if (!jwks) return;
    try {
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(jwks), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      fallback = createLocalJWKSet(jwks);
    } catch {
      /* the cache is a convenience; the bundle cache write reports real disk problems */
    }
  };
  return { keys, persist };
}

/** Keys pinned in a JWK or JWKS file (`--bundle-public-key`). */
function pinnedKeys(path: string): SigningKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--bundle-public-key ${path}: cannot read a JSON key: ${(e as Error).message}`);
  }
  const jwks = (parsed as { keys?: unknown }).keys ? (parsed as JSONWebKeySet) : ({ keys: [parsed] } as JSONWebKeySet);
  try {
    return { keys: createLocalJWKSet(jwks), persist: () => undefined };
  } catch (e) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--bundle-public-key ${path}: not a JWK or JWKS: ${(e as Error).message}`);
  }
}

/** The bundle verification keys of a synced-mode configuration. */
export function bundleSigningKeys(config: ProxyConfig): SigningKeys {
  return config.trustJwksUrl ? remoteKeys(config.trustJwksUrl, config.cacheDir!, config.service!) : pinnedKeys(config.bundlePublicKey!);
}

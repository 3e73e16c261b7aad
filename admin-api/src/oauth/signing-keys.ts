/**
 * The token signing keys in use: the newest active ES256 key signs; rotation publishes the successor
 * (JWKS and every bundle that trusts us) before it signs, and keeps the old one published until the
 * tokens it signed have expired.
 */
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { KeyRing } from '../secrets/envelope.js';
import type { Store } from '../store/index.js';
import { createOAuthSigningKey, oauthPrivateJwkOf, publishedOAuthKeys, type OAuthSigningKeyRow } from '../store/oauth-keys-repo.js';

/** A key ready to sign. */
export interface ActiveKey {
  kid: string;
  key: CryptoKey;
}

/** Signing-key access for the token issuers. */
export interface SigningKeys {
  /** the key that signs now (creates the first one when there is none) */
  current(): Promise<ActiveKey>;
  /** the public keys to publish now */
  jwks(): Promise<JWK[]>;
  /** creates a successor that signs after `publishDelayMs`; returns its kid */
  rotate(publishDelayMs: number): Promise<OAuthSigningKeyRow>;
  /** a verification key by kid (published keys only) */
  publicKey(kid: string): Promise<CryptoKey | undefined>;
}

/** Builds the key accessor; `retainMs` is the longest lifetime of a token we sign; `ring` encrypts private keys at rest. */
export function createSigningKeys(store: Store, now: () => number, retainMs: number, ring?: KeyRing): SigningKeys {
  const imported = new Map<string, Promise<CryptoKey>>();
  const importOnce = (kid: string, jwk: () => string): Promise<CryptoKey> => {
    let p = imported.get(kid);
    if (p === undefined) {
      p = Promise.resolve().then(() => importJWK(JSON.parse(jwk()) as JWK, 'ES256') as Promise<CryptoKey>);
      imported.set(kid, p);
    }
    return p;
  };
  let cached: { row: OAuthSigningKeyRow; until: number; all: OAuthSigningKeyRow[] } | undefined;
  const rows = async (): Promise<OAuthSigningKeyRow[]> => {
    const t = now();
    if (cached && t < cached.until) return cached.all;
    let all = await publishedOAuthKeys(store, t);
    if (all.length === 0) {
      await createOAuthSigningKey(store, t, 0, retainMs, ring);
      all = await publishedOAuthKeys(store, t);
    }
    const active = all.filter((k) => Number(k.activates_at) <= t).at(-1) ?? all[0];
    if (!active) throw new Error('no OAuth signing key');
    const nextChange = Math.min(...all.map((k) => [Number(k.activates_at), Number(k.expires_at ?? Infinity)]).flat().filter((x) => x > t), t + 5_000);
    cached = { row: active, until: nextChange, all };
    return all;
  };
  return {
    async current() {
      await rows();
      const row = cached!.row;
      return { kid: row.kid, key: await importOnce(`${row.kid}#private`, () => oauthPrivateJwkOf(row, ring)) };
    },
    async jwks() {
      return (await rows()).map((k) => JSON.parse(k.public_jwk) as JWK);
    },
    async rotate(publishDelayMs) {
      const row = await createOAuthSigningKey(store, now(), publishDelayMs, retainMs, ring);
      cached = undefined;
      return row;
    },
    async publicKey(kid) {
      const row = (await rows()).find((k) => k.kid === kid);
      return row === undefined ? undefined : importOnce(row.kid, () => row.public_jwk);
    },
  };
}

/**
 * The signed bundle envelope: the wire format between the control plane and its sidecars. A bundle travels as a
 * compact JWS (RFC 7515 §7.1) whose payload is the canonical JSON of the bundle with its `hash` set, signed with
 * ES256 or EdDSA (RFC 7518 §3.4, RFC 8037). Sidecars verify it with `verifySignedBundle` (`verify-bundle.ts`).
 */
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { bundleHash } from './bundle-hash.js';
import { canonicalJson } from './canonical-json.js';
import type { PolicyBundle } from './schema.js';
import { BUNDLE_JWS_TYPE } from './sidecar-protocol.js';

/** The signature algorithms a bundle may be signed with. */
export type BundleSigningAlg = 'ES256' | 'EdDSA';

/** One bundle-signing key pair as the control plane stores it; `retiredAt` set = no longer signs, still published. */
export interface SigningKey {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key */
  kid: string;
  alg: BundleSigningAlg;
  privateJwk: JWK;
  publicJwk: JWK;
  /** ISO 8601 */
  createdAt: string;
  /** ISO 8601; a retired key stays in `publicJwks` so sidecars can still verify bundles it signed */
  retiredAt?: string;
}

/** Generates a new signing key pair (default ES256); its `kid` is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(alg: BundleSigningAlg = 'ES256', now: Date = new Date()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    privateJwk: { ...privateJwk, kid, alg },
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    createdAt: now.toISOString(),
  };
}

/**
 * Signs a bundle: payload = canonical JSON of the bundle with `hash` = `bundleHash(bundle)` (any previous `hash`
 * replaced); protected header `{alg, kid, typ: 'agentcore-bundle+jws', cty: 'json'}`. Returns the compact JWS.
 */
export async function signBundle(bundle: PolicyBundle, key: SigningKey): Promise<string> {
  const payload = canonicalJson({ ...bundle, hash: bundleHash(bundle) });
  const privateKey = await importJWK(key.privateJwk, key.alg);
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: BUNDLE_JWS_TYPE, cty: 'json' })
    .sign(privateKey);
}

/**
 * The JWK Set (RFC 7517 §5) sidecars trust: the public half of every key given, retired ones included, because a
 * sidecar may still hold (or cache) a bundle signed before a rotation. Pass every key not deleted.
 */
export function publicJwks(keys: readonly SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) };
}

import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { bundleHash, canonicalJson, PolicyBundle } from './index.js';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicJwks, signBundle } from './bundle-signing.js';
import { BUNDLE_JWS_TYPE } from './sidecar-protocol.js';

const bundle = PolicyBundle.parse({ version: 1, service: 'orders', revision: 7, routes: [{ id: 'list', match: { path: '/orders' } }] });

describe.each(['ES256', 'EdDSA'] as const)('%s', (alg) => {
  it('generates a key whose kid is the RFC 7638 thumbprint of its public key', async () => {
    const key = await generateSigningKey(alg);
    expect(key.alg).toBe(alg);
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk));
    expect(key.publicJwk).not.toHaveProperty('d');
    expect(key.privateJwk).toHaveProperty('d');
    expect(Date.parse(key.createdAt)).not.toBeNaN();
  });

  it('signs the canonical JSON of the bundle with its hash, verifiable with the published JWKS', async () => {
    const key = await generateSigningKey(alg);
    const jws = await signBundle({ ...bundle, hash: 'sha256:' + '0'.repeat(64) }, key); // a stale hash is replaced
    expect(jws.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(jws)).toEqual({ alg, kid: key.kid, typ: BUNDLE_JWS_TYPE, cty: 'json' });

    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(publicJwks([key])), { algorithms: [alg] });
    expect(protectedHeader.kid).toBe(key.kid);
    const text = new TextDecoder().decode(payload);
    const expected = { ...bundle, hash: bundleHash(bundle) };
    expect(text).toBe(canonicalJson(expected));
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});

describe('publicJwks', () => {
  it('publishes the public half of every key, retired ones included, and never a private member', async () => {
    const active = await generateSigningKey('ES256');
    const retired = { ...(await generateSigningKey('EdDSA')), retiredAt: new Date().toISOString() };
    const jwks = publicJwks([retired, active]);
    expect(jwks.keys.map((k) => k.kid)).toEqual([retired.kid, active.kid]);
    for (const k of jwks.keys) {
      expect(k).not.toHaveProperty('d');
      expect(k.use).toBe('sig');
    }
    expect(jwks.keys.map((k) => k.alg)).toEqual(['EdDSA', 'ES256']);

    // a bundle signed before the rotation still verifies
    const old = await signBundle(bundle, retired);
    await expect(compactVerify(old, createLocalJWKSet(jwks))).resolves.toBeDefined();
  });

  it('is empty for no keys', () => {
    expect(publicJwks([])).toEqual({ keys: [] });
  });
});
